"""Fixtures for the outbox tests: the emulator's time as the sender's clock, one gateway per
account of the shipped accounts.yaml, a sender on each database, and what X recorded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.x.delivery import XDelivery, gateways_for
from jun_engine.channels.x.gateway import XGateway
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.engine import create_engine_from_url


@dataclass(frozen=True)
class Accounts:
    """The user ids of the shipped accounts the tests send from."""

    town: str
    works: str
    police: str


@pytest.fixture
def accounts(x_emulator_config: Config) -> Accounts:
    ids = {key: account.user_id for key, account in x_emulator_config.accounts.items()}
    return Accounts(town=ids["town"], works=ids["public_works"], police=ids["police"])


@pytest.fixture
def clock(x_emulator: Emulator) -> Clock:
    return x_emulator.clock


@pytest.fixture
def gateways(x_emulator: Emulator, x_emulator_config: Config) -> Iterator[dict[str, XGateway]]:
    built = gateways_for(x_emulator_config, x_emulator.credentials_env(), x_emulator.base_url)
    yield built
    for gateway in built.values():
        gateway.close()


@pytest.fixture
def sender(
    engine: Engine,
    gateways: dict[str, XGateway],
    clock: Clock,
    x_emulator_config: Config,
) -> OutboxSender:
    return OutboxSender(engine, x_deliveries(engine, gateways, clock, x_emulator_config), clock)


def x_deliveries(
    engine: Engine, gateways: dict[str, XGateway], clock: Clock, config: Config
) -> dict[Channel, XDelivery]:
    """X's delivery on these gateways, as the daemon gives it to its sender."""
    return {Channel.X: XDelivery(engine, gateways, config, clock)}


@pytest.fixture
def resident(x_emulator: Emulator) -> str:
    """A resident of Jun on X (its user id)."""
    return x_emulator.sink.add_user("lola_jun", "Lola")


class XRecord:
    """What the emulator recorded: posts and DMs as X holds them (its admin API)."""

    def __init__(self, emulator: Emulator) -> None:
        self._url = emulator.base_url + "/_emulator"

    def posts(self, author: str) -> list[dict[str, str]]:
        """The author's posts, oldest first."""
        posts: list[dict[str, str]] = self._get("posts", author=author)["posts"]
        return posts

    def dms(self, sender: str) -> list[dict[str, str]]:
        """The DMs `sender` sent, oldest first."""
        dms: list[dict[str, str]] = self._get("dms", sender=sender)["dms"]
        return dms

    def set_faults(self, spec: str) -> None:
        httpx.post(f"{self._url}/faults", json={"spec": spec}).raise_for_status()

    def _get(self, path: str, **query: str) -> dict[str, Any]:
        response = httpx.get(f"{self._url}/{path}", params=query)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def x_record(x_emulator: Emulator) -> XRecord:
    return XRecord(x_emulator)


@pytest.fixture
def sqlite_session(sqlite_at_head: Path, tmp_path: Path) -> Iterator[Session]:
    """A session on an SQLite database at head, for tests where only the code matters."""
    path = tmp_path / "outbox.db"
    shutil.copyfile(sqlite_at_head, path)
    built = create_engine_from_url(f"sqlite:///{path}")
    with Session(built, expire_on_commit=False) as opened:
        yield opened
    built.dispose()
