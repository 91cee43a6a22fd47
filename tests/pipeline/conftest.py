"""Fixtures for the pipeline tests: the emulator's pytest plugin."""

from jun_engine.emulator.testing import x_emulator, x_emulator_config, x_openapi_validator

__all__ = ["x_emulator", "x_emulator_config", "x_openapi_validator"]
