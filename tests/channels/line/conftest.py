"""The LINE emulator's fixtures (the shipped plugin) for these tests."""

from jun_engine.emulator.line.testing import (  # noqa: F401 (fixtures)
    line_emulator,
    line_openapi_validator,
    line_webhook_inbox,
)
