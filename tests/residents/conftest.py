"""Fixtures for the residents' tests: the shipped configuration, a start time, an inbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import count
from pathlib import Path

import pytest
from sqlmodel import Session

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.pipeline.verify import Verifier
from jun_engine.store.tables import InboundMessageRow
from tests.residents.scene import START

ROOT = Path(__file__).resolve().parents[2]

Inbox = Callable[..., InboundMessageRow]


@pytest.fixture(scope="session")
def config() -> Config:
    """The configuration Jun ships (accounts.yaml at the repository root)."""
    return load_config(ROOT / "accounts.yaml").config


@pytest.fixture(scope="session")
def verifier() -> Verifier:
    """The verification stage, with its lexicons compiled once for the whole run."""
    return Verifier()


@pytest.fixture
def town_id(config: Config) -> str:
    """The X user id of the town hall's account."""
    return config.town_account().user_id


@pytest.fixture
def inbox(session: Session, town_id: str) -> Inbox:
    """Store a message as the intake would (status NEW) and return its row."""
    numbers = count(1000)

    def receive(
        author: str,
        text: str,
        *,
        kind: MessageKind = MessageKind.DM,
        handle: str | None = None,
        at: datetime = START,
        mentions: str | None = None,
        channel: Channel = Channel.X,
    ) -> InboundMessageRow:
        number = next(numbers)
        row = InboundMessageRow(
            channel=channel,
            kind=kind,
            platform_id=str(number),
            account_id=town_id,
            author_id=author,
            author_handle=handle,
            text=text,
            created_at=at,
            received_at=at,
            conversation_id=f"{author}-{town_id}" if kind is MessageKind.DM else str(number),
            mentioned_ids=town_id if mentions is None else mentions,
            raw=f'{{"id": "{number}", "text": {text!r}}}',
        )
        session.add(row)
        session.flush()
        return row

    return receive
