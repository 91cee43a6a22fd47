"""Credentials come from the environment: which variables accounts.yaml names, and their values.

accounts.yaml only ever holds the NAMES of environment variables. The environment is passed in as a
mapping (the CLI passes `os.environ`), so nothing here reads process state behind a caller's back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from jun_engine.config.problems import Problem, Severity
from jun_engine.config.schema import Config
from jun_engine.config.source import FieldPath, SourceMap
from jun_engine.domain.errors import MissingSecret

Target = Literal["x", "emulator"]
"""Real X needs every credential; the emulator accepts any, so missing ones are only warnings."""

_ACCOUNT_FIELDS = (
    "access_token_env",
    "access_token_secret_env",
    "consumer_key_env",
    "consumer_secret_env",
)


@dataclass(frozen=True)
class Credentials:
    """The OAuth 1.0a keys one account signs its requests with. Its repr never shows them."""

    account: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    bearer_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LineCredentials:
    """What one LINE official account needs: the secret webhooks are signed with and the channel
    access token its API calls carry. Its repr never shows them."""

    account: str
    channel_secret: str = field(repr=False)
    access_token: str = field(repr=False)


class CredentialsError(MissingSecret):
    """An account's credentials cannot be assembled from the environment."""

    def __init__(self, account: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(account, missing)
        self.missing = missing
        if missing:
            names = ", ".join(missing)
            message = f"account {account!r} has no credentials: set {names} in the environment"
        else:
            message = f"no account {account!r} under `accounts` in accounts.yaml"
        self.args = (message,)


def credentials_for(config: Config, account: str, environ: Mapping[str, str]) -> Credentials:
    """The account's keys: its own consumer keys if it names them, else `x.app`'s."""
    if account not in config.accounts:
        raise CredentialsError(account)
    entry = config.accounts[account]
    app = config.x.app
    names = {
        "consumer_key": entry.consumer_key_env or app.consumer_key_env,
        "consumer_secret": entry.consumer_secret_env or app.consumer_secret_env,
        "access_token": entry.access_token_env,
        "access_token_secret": entry.access_token_secret_env,
    }
    missing = tuple(name for name in names.values() if not environ.get(name))
    if missing:
        raise CredentialsError(account, missing)
    bearer = environ.get(app.bearer_token_env) if app.bearer_token_env else None
    values = {slot: environ[name] for slot, name in names.items()}
    return Credentials(account=account, bearer_token=bearer or None, **values)


def line_credentials_for(
    config: Config, account: str, environ: Mapping[str, str]
) -> LineCredentials:
    """A LINE account's secret and token, read from the variables accounts.yaml names."""
    if config.line is None or account not in config.line.accounts:
        raise CredentialsError(account)
    entry = config.line.accounts[account]
    names = (entry.channel_secret_env, entry.access_token_env)
    missing = tuple(name for name in names if not environ.get(name))
    if missing:
        raise CredentialsError(account, missing)
    return LineCredentials(account, environ[names[0]], environ[names[1]])


@dataclass(frozen=True)
class SmtpLogin:
    """The user name and password the town's SMTP server is logged in with; never shown."""

    username: str
    password: str = field(repr=False)


def smtp_login(config: Config, environ: Mapping[str, str]) -> SmtpLogin | None:
    """The town's SMTP login (`config.mail_server()`), or None when it sends without one (or
    sends no e-mail at all)."""
    server = config.mail_server()
    if server is None or server.username_env is None or server.password_env is None:
        return None
    names = (server.username_env, server.password_env)
    missing = tuple(name for name in names if not environ.get(name))
    if missing:
        raise CredentialsError(".".join(config.mail_server_path()), missing)
    return SmtpLogin(environ[server.username_env], environ[server.password_env])


def referenced_variables(config: Config) -> Iterator[tuple[FieldPath, str]]:
    """Every environment variable name accounts.yaml refers to, with where it does."""
    server = config.mail_server()
    if server is not None:
        for name in ("username_env", "password_env"):
            value = getattr(server, name)
            if value:
                yield (*config.mail_server_path(), name), value
    app = config.x.app
    for name in ("consumer_key_env", "consumer_secret_env", "bearer_token_env"):
        value = getattr(app, name)
        if value:
            yield ("x", "app", name), value
    for key, account in config.accounts.items():
        for name in _ACCOUNT_FIELDS:
            value = getattr(account, name)
            if value:
                yield ("accounts", key, name), value
    if config.line is not None:
        for key, line in config.line.accounts.items():
            yield ("line", "accounts", key, "channel_secret_env"), line.channel_secret_env
            yield ("line", "accounts", key, "access_token_env"), line.access_token_env


def missing_variables(config: Config, environ: Mapping[str, str]) -> list[tuple[FieldPath, str]]:
    """The variables accounts.yaml names that are unset or empty, each once, where first named."""
    missing: dict[str, FieldPath] = {}
    for path, name in referenced_variables(config):
        if not environ.get(name):
            missing.setdefault(name, path)
    return [(path, name) for name, path in missing.items()]


def check_environment(
    config: Config, source: SourceMap, environ: Mapping[str, str], target: Target
) -> list[Problem]:
    """Unset or empty variables: an error each against real X (and for the town's SMTP server,
    which no emulator stands in for), one warning for the emulator."""
    unset = [(path, name) for path, name in referenced_variables(config) if not environ.get(name)]
    server = config.mail_server_path()
    smtp = [
        source.problem(path, f"environment variable {name} is not set (needed {_mailed(config)})")
        for path, name in unset
        if path[: len(server)] == server
    ]
    unset = [(path, name) for path, name in unset if path[: len(server)] != server]
    return smtp + _x_problems(unset, source, target)


def _mailed(config: Config) -> str:
    """What the town's SMTP server is needed for, in words."""
    who = [
        what
        for what, used in (
            ("reports", config.reports.email is not None),
            ("departments", bool(config.emailed_departments())),
        )
        if used
    ]
    return f"to e-mail {' and '.join(who)}" if who else "by the town's SMTP server"


def _x_problems(
    unset: list[tuple[FieldPath, str]], source: SourceMap, target: Target
) -> list[Problem]:
    if target == "x":
        return [
            source.problem(
                path, f"environment variable {name} is not set (needed to reach {_platform(path)})"
            )
            for path, name in unset
        ]
    if not unset:
        return []
    names = ", ".join(name for _, name in unset[:3])
    more = f" and {len(unset) - 3} more" if len(unset) > 3 else ""
    return [
        source.problem(
            unset[0][0],
            f"{len(unset)} credential variable(s) not set: {names}{more}; "
            "the emulator does without them, real X will not",
            Severity.WARNING,
        )
    ]


def _platform(path: FieldPath) -> str:
    return "LINE" if path[:1] == ("line",) else "X"
