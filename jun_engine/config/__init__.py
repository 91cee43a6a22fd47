"""The town's configuration: the accounts.yaml schema and its loading with line-numbered errors."""

from jun_engine.config.environment import Credentials, CredentialsError, Target, credentials_for
from jun_engine.config.loading import LoadedConfig, load_config
from jun_engine.config.problems import ConfigError, Problem, Severity
from jun_engine.config.schema import Config

__all__ = [
    "Config",
    "ConfigError",
    "Credentials",
    "CredentialsError",
    "LoadedConfig",
    "Problem",
    "Severity",
    "Target",
    "credentials_for",
    "load_config",
]
