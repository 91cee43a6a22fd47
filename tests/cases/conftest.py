"""Fixtures for the case desk: the shipped town, messages stored as the intake stores them, and
verified residents, on every database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.residents.verification import bind
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.store.tables import InboundMessageRow, ResidentRow

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""10:30 in Jun on a working Monday: every department is open."""
RESIDENT_ID = "9000000001"

StoreMessage = Callable[..., InboundMessageRow]


@pytest.fixture(scope="session")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="session")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[2])


def ids(config: Config) -> dict[str, str]:
    """Account key -> X user id."""
    return {key: account.user_id for key, account in config.accounts.items()}


@pytest.fixture
def store_message(session: Session, config: Config) -> StoreMessage:
    """Store a message as the intake would (status NEW) and return its row."""
    numbers = itertools.count(1_000_000_000_000_000_001)

    def store(
        text: str,
        *,
        kind: MessageKind = MessageKind.MENTION,
        to: str = "town",
        author: str = RESIDENT_ID,
        handle: str | None = "lola_jun",
        mentions: tuple[str, ...] = (),
        at: datetime = MONDAY,
    ) -> InboundMessageRow:
        account = config.accounts[to].user_id
        platform_id = str(next(numbers))
        mentioned = (account, *mentions) if kind is MessageKind.MENTION else ()
        row = InboundMessageRow(
            channel=Channel.X,
            kind=kind,
            platform_id=platform_id,
            account_id=account,
            author_id=author,
            author_handle=handle,
            text=text,
            created_at=at,
            received_at=at,
            conversation_id=platform_id if kind is MessageKind.MENTION else f"{account}-{author}",
            mentioned_ids=" ".join(mentioned),
        )
        session.add(row)
        session.flush()
        return row

    return store


@pytest.fixture
def verified_resident(session: Session) -> Callable[..., int]:
    """Enrol and verify a resident for an X user id; return the resident's id."""

    def make(user_id: str = RESIDENT_ID, language: str = "es") -> int:
        row = ResidentRow(
            name="Lola García", district="Centro", language=language, enrolled_at=MONDAY
        )
        session.add(row)
        session.flush()
        bind(session, row, Identity(Channel.X, user_id, "lola_jun"), now=MONDAY)
        assert row.id is not None
        return row.id

    return make


def notified_by_dm(config: Config, *departments: str) -> Config:
    """`config` with `notify_by_dm: true` on `departments` (a DM for each new case)."""
    changed = {
        key: dept.model_copy(update={"notify_by_dm": True}) if key in departments else dept
        for key, dept in config.departments.items()
    }
    return config.model_copy(update={"departments": changed})
