"""The emulator's pytest plugin, for driving the town inside a real emulator."""

from jun_engine.emulator.testing import x_emulator, x_emulator_config, x_openapi_validator

__all__ = ["x_emulator", "x_emulator_config", "x_openapi_validator"]
