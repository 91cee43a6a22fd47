"""What the web desk is started with: the session key (from the environment), cookie security,
the districts' GeoJSON, and the inbox's refresh interval. Built once at the edge."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from jun_engine.staff.passwords import Passwords

log = logging.getLogger(__name__)

SECRET_ENV = "JUN_WEB_SECRET"  # noqa: S105 - the variable's name, not a secret
"""The variable holding the key that signs session cookies (32+ random characters)."""
MIN_SECRET_LENGTH = 32


class WebSettingsError(ValueError):
    """A setting of the web desk that cannot work, said in one sentence."""


@dataclass(frozen=True, slots=True)
class WebSettings:
    """How one web desk runs."""

    secret_key: str
    secure_cookies: bool = True
    """Cookies only over HTTPS; off only when serving plain HTTP on a loopback address."""
    session_lifetime: timedelta = timedelta(hours=10)
    districts_geojson: Path | None = None
    """The town's districts as GeoJSON (a FeatureCollection, each feature's `name` property
    matching a district of accounts.yaml); the analytics map is drawn over it."""
    media_dir: Path | None = None
    """The town's media store (`line.media_dir`): case photos are served from it."""
    poll_seconds: int = 20
    """How often an open inbox asks for new cases."""
    passwords: Passwords = field(default_factory=Passwords)
    """argon2id's cost for sign-ins (production's unless a test passes a cheap one)."""
    cache_seconds: float = 60.0
    """How long the analytics' figures (and the inbox's district list) are reused."""
    staff_seconds: float = 5.0
    """How long a page may trust the signed-in account it read (pages that only read; every
    POST reads it afresh): a disable or reset ends reading within this many seconds."""

    def __repr__(self) -> str:  # never print the key
        return (
            f"WebSettings(secure_cookies={self.secure_cookies}, geojson={self.districts_geojson})"
        )


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine (plain HTTP is then acceptable)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def from_environment(
    host: str,
    *,
    districts_geojson: Path | None = None,
    media_dir: Path | None = None,
    environ: dict[str, str] | None = None,
) -> WebSettings:
    """Settings for serving on `host`: the key from `JUN_WEB_SECRET` (a random one, with a
    warning, when unset: sessions then end when the server stops), secure cookies unless the
    desk listens on loopback only (behind a TLS proxy, cookies are secure)."""
    env = os.environ if environ is None else environ
    key = env.get(SECRET_ENV, "")
    if not key:
        log.warning(
            "%s is not set: using a random session key (sessions end at restart)", SECRET_ENV
        )
        key = secrets.token_urlsafe(48)
    elif len(key) < MIN_SECRET_LENGTH:
        raise WebSettingsError(f"{SECRET_ENV} must hold at least {MIN_SECRET_LENGTH} characters")
    if districts_geojson is not None and not districts_geojson.is_file():
        raise WebSettingsError(f"no GeoJSON file at {districts_geojson}")
    return WebSettings(
        secret_key=key,
        secure_cookies=not is_loopback(host),
        districts_geojson=districts_geojson,
        media_dir=media_dir,
    )
