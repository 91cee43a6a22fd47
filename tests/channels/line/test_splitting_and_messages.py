"""LINE's limits on what one request carries: text messages of 5,000 UTF-16 units, five a
request, quick replies of 13 items with labels of 20; and the errors LINE's answers stand for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    DatetimePickerAction,
    LocationAction,
    PostbackAction,
)

from jun_engine.channels.line.errors import (
    AlreadyAccepted,
    InvalidReplyToken,
    from_status,
)
from jun_engine.channels.line.messages import text_messages
from jun_engine.channels.line.splitting import TEXT_UNITS, messages, split, units
from jun_engine.channels.splitting import split as split_for
from jun_engine.domain import errors as e
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORDS = "道路の陥没を修理しました。 " * 800  # 14 units a word and its space: 11,200 in all
EMOJI = "👨‍👩‍👧‍👦"  # one grapheme cluster of 11 UTF-16 units


def test_units_are_utf16_code_units() -> None:
    assert units("abc") == 3
    assert units("😀") == 2
    assert units(EMOJI) == 11


def test_a_short_text_is_one_part_of_one_message() -> None:
    assert split("ไฟถนนดับ") == ["ไฟถนนดับ"]
    assert messages("ไฟถนนดับ") == ["ไฟถนนดับ"]


def test_a_long_text_is_several_messages_in_one_request_cut_after_spaces() -> None:
    # When an answer of 11,200 units is split for LINE
    parts = split_for(Channel.LINE, OutboxKind.REPLY, WORDS)
    # Then it is one request of three text messages, none over 5,000 units, cut after a space
    assert parts == [WORDS]
    pieces = messages(parts[0])
    assert len(pieces) == 3
    assert all(units(p) <= TEXT_UNITS for p in pieces)
    assert all(p.endswith(" ") for p in pieces[:-1])
    assert "".join(pieces) == WORDS


def test_a_text_longer_than_five_messages_becomes_several_requests() -> None:
    text = EMOJI * 3_000  # 33,000 units, no spaces: cut between clusters, never inside one
    parts = split(text)
    assert len(parts) == 2
    assert "".join(parts) == text
    for part in parts:
        pieces = messages(part)
        assert len(pieces) <= 5
        assert all(units(p) <= TEXT_UNITS and p.count(EMOJI) * 11 == units(p) for p in pieces)


def test_choices_become_quick_reply_items_on_the_last_message() -> None:
    choices = [
        Choice("5 ★★★★★", data="rate:JUN-26-0001:5"),
        Choice("Send the place of the problem", ask="location"),
        Choice("Camera", ask="camera"),
        Choice("Photo", ask="photo"),
        Choice("Day", ask="date"),
        *[Choice(f"option {n}", data=f"opt:{n}") for n in range(20)],
    ]
    built = text_messages(WORDS, choices)
    assert len(built) == 3
    assert [m.quick_reply is None for m in built] == [True, True, False]
    items = built[-1].quick_reply.items
    assert len(items) == 13
    kinds = [type(i.action) for i in items[:5]]
    assert kinds == [
        PostbackAction,
        LocationAction,
        CameraAction,
        CameraRollAction,
        DatetimePickerAction,
    ]
    assert items[0].action.data == "rate:JUN-26-0001:5"
    assert items[4].action.mode == "date"
    assert items[1].action.label == "Send the place of t…"
    assert all(units(i.action.label) <= 20 for i in items)


@pytest.mark.parametrize(
    ("status", "message", "kind", "retryable"),
    [
        (400, "Invalid reply token", InvalidReplyToken, False),
        (400, "The request body has 1 error(s)", e.InvalidRequest, False),
        (401, "Authentication failed. Confirm that the access token is valid.", e.AuthError, False),
        (403, "Not authorized to use this endpoint.", e.AuthError, False),
        (429, "You have reached your monthly limit.", e.RateLimited, False),
        (429, "The API rate limit has been exceeded. Try again later.", e.RateLimited, True),
        (500, "Internal server error", e.ServerError, True),
        (503, "Service Unavailable", e.ServerError, True),
    ],
)
def test_line_answers_map_to_the_engines_errors(
    status: int, message: str, kind: type[e.ChannelError], retryable: bool
) -> None:
    error = from_status(status, message, {}, NOW)
    assert type(error) is kind
    assert error.retryable is retryable
    if retryable and status == 429:
        assert error.retry_at == NOW + timedelta(seconds=1)


def test_a_409_with_the_accepted_request_id_means_already_sent() -> None:
    error = from_status(
        409, "The retry key is already accepted", {"X-Line-Accepted-Request-Id": "r-1"}, NOW
    )
    assert isinstance(error, AlreadyAccepted)
    assert error.request_id == "r-1"
