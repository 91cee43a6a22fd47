"""Storing inbound messages: exactly once, read back as they came, and always in the same
transaction as the poll checkpoint that covers them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, PollStream
from jun_engine.store.errors import IntegrityViolationError
from jun_engine.store.repository import (
    BATCH,
    Checkpoint,
    count_messages,
    get_checkpoint,
    get_message,
    message_counts_by_status,
    record_poll_failure,
    store_messages,
)
from jun_engine.store.session import session_scope

TOWN = "1001"
POLLED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def mention(platform_id: str, text: str = "Farola rota en la calle Real") -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id=platform_id,
        account_id=TOWN,
        author_id="2002",
        author_handle="vecina_jun",
        text=text,
        created_at=datetime(2026, 3, 2, 9, 29, 59, 123000, tzinfo=UTC),
        conversation_id="1900000000000000000",
        in_reply_to_id="1900000000000000000",
        mentioned_ids=(TOWN, "1002"),
        quoted_id="1800000000000000000",
        hashtags=("#farola", "#ไฟดับ"),
        raw='{"data": {"id": "' + platform_id + '"}}',
    )


def dm(platform_id: str, text: str = "Mi DNI es 12345678Z") -> InboundMessage:
    return replace(
        mention(platform_id, text),
        kind=MessageKind.DM,
        in_reply_to_id=None,
        mentioned_ids=(),
        quoted_id=None,
        hashtags=(),
    )


def advance(cursor: str | None, at: datetime = POLLED) -> Checkpoint:
    return Checkpoint(account_id=TOWN, stream=PollStream.MENTIONS, cursor=cursor, polled_at=at)


def _store(engine: sa.Engine, messages: list[InboundMessage], checkpoint: Checkpoint) -> int:
    with session_scope(engine) as session:
        return store_messages(session, messages, checkpoint)


def test_a_stored_message_reads_back_as_it_was_given(engine: sa.Engine) -> None:
    given = mention("1900000000000000001")
    assert _store(engine, [given], advance("1900000000000000001")) == 1
    with session_scope(engine) as session:
        found = get_message(session, Channel.X, MessageKind.MENTION, given.platform_id)
    assert found == given
    assert found is not None
    assert found.raw == given.raw


def test_storing_the_same_messages_again_stores_nothing_new(engine: sa.Engine) -> None:
    batch = [mention("101"), mention("102"), dm("101")]
    assert _store(engine, batch, advance("102")) == 3
    # When the poller, after a crash, reads the same messages again
    assert _store(engine, [*batch, mention("103")], advance("103")) == 1
    # Then each is stored once; a mention and a DM may share an id
    with session_scope(engine) as session:
        assert count_messages(session) == 4
        assert count_messages(session, kind=MessageKind.DM) == 1


def test_duplicates_within_one_batch_are_stored_once(engine: sa.Engine) -> None:
    assert _store(engine, [mention("7"), mention("7")], advance("7")) == 1
    with session_scope(engine) as session:
        assert count_messages(session) == 1


def test_batches_larger_than_one_insert_are_stored_whole(engine: sa.Engine) -> None:
    batch = [mention(str(n)) for n in range(1, BATCH * 2 + 2)]
    assert _store(engine, batch, advance(batch[-1].platform_id)) == len(batch)


def test_the_checkpoint_moves_with_the_messages(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        assert get_checkpoint(session, TOWN, PollStream.MENTIONS) is None
        store_messages(session, [mention("201")], advance("201"))
    with session_scope(engine) as session:
        assert get_checkpoint(session, TOWN, PollStream.MENTIONS) == advance("201")
        assert get_checkpoint(session, TOWN, PollStream.DMS) is None


def test_a_poll_that_found_nothing_keeps_the_cursor(engine: sa.Engine) -> None:
    later = POLLED + timedelta(minutes=1)
    _store(engine, [mention("301")], advance("301"))
    assert _store(engine, [], advance(None, at=later)) == 0
    with session_scope(engine) as session:
        assert get_checkpoint(session, TOWN, PollStream.MENTIONS) == advance("301", at=later)


def test_a_failing_insert_rolls_back_the_checkpoint_too(engine: sa.Engine) -> None:
    # Given a stream polled up to 401
    _store(engine, [mention("401")], advance("401"))
    # When a batch holds a message the schema refuses (an empty platform id)
    with pytest.raises(IntegrityViolationError, match="platform_id_not_empty"):
        _store(engine, [mention("402"), mention("")], advance("403"))
    # Then neither the good message nor the new cursor was kept
    with session_scope(engine) as session:
        assert get_checkpoint(session, TOWN, PollStream.MENTIONS) == advance("401")
        assert get_message(session, Channel.X, MessageKind.MENTION, "402") is None
        assert count_messages(session) == 1


def test_a_failed_poll_is_noted_without_moving_the_cursor(engine: sa.Engine) -> None:
    later = POLLED + timedelta(minutes=1)
    _store(engine, [mention("501")], advance("501"))
    with session_scope(engine) as session:
        record_poll_failure(session, replace(advance("999", at=later), last_error="HTTP 503"))
    with session_scope(engine) as session:
        checkpoint = get_checkpoint(session, TOWN, PollStream.MENTIONS)
    assert checkpoint == Checkpoint(TOWN, PollStream.MENTIONS, "501", later, "HTTP 503")


def test_new_messages_are_counted_by_status(engine: sa.Engine) -> None:
    _store(engine, [mention("601"), dm("602")], advance("602"))
    with session_scope(engine) as session:
        counts = message_counts_by_status(session)
        assert count_messages(session, status=MessageStatus.NEW) == 2
    assert counts == {
        MessageStatus.NEW: 2,
        MessageStatus.PROCESSED: 0,
        MessageStatus.WAITING_VERIFICATION: 0,
        MessageStatus.IGNORED: 0,
    }
