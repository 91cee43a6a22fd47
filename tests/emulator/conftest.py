"""The emulator's own fixtures (until the root conftest registers the plugin for everyone)."""

from jun_engine.emulator.testing import (  # noqa: F401 (fixtures)
    x_emulator,
    x_emulator_config,
    x_openapi_validator,
)
