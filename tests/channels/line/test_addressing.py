"""LINE's addressing: every answer a private reply in the resident's chat, from the account the
message reached; departments named, not tagged; no links to chat messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jun_engine.cases.texts import localized
from jun_engine.channels.addressing import addressing
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import OutboxKind

BOT = "U" + "b" * 32
USER = "U" + "a" * 32
MESSAGE = InboundMessage(
    channel=Channel.LINE,
    kind=MessageKind.DM,
    platform_id="550001",
    account_id=BOT,
    author_id=USER,
    text="ไฟถนนดับ",
    created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    conversation_id=USER,
)


@pytest.mark.parametrize("private", [True, False])
@pytest.mark.parametrize("from_town", [True, False])
def test_every_answer_is_a_private_reply_to_the_message(
    config: Config, private: bool, from_town: bool
) -> None:
    answer = addressing(Channel.LINE, config).answer(
        MESSAGE, "รับเรื่องแล้ว", private=private, from_town=from_town
    )
    assert (answer.channel, answer.account_id, answer.kind, answer.target) == (
        Channel.LINE,
        BOT,
        OutboxKind.REPLY,
        MESSAGE.platform_id,
    )
    assert answer.private is True
    assert answer.text == "รับเรื่องแล้ว"


def test_a_department_is_named_and_a_message_has_no_link(config: Config) -> None:
    line = addressing(Channel.LINE, config)
    department = next(iter(config.departments.values()))
    handle = config.accounts[department.account].handle
    expected = localized(department.name, config.town.default_language, config)
    assert line.mention(handle) == expected
    assert line.mention("nobody_here") == "nobody_here"
    assert line.permalink(MESSAGE) == "line:message:550001"
