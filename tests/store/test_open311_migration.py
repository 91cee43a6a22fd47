"""Migration 0015: every channel column takes `open311` and the client table exists; going back
to 0014 deletes what came in through Open311 and refuses the value again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jun_engine.store.engine import create_engine_from_url, database_errors
from jun_engine.store.errors import IntegrityViolationError
from jun_engine.store.migrate import downgrade, upgrade

MESSAGE = (
    "INSERT INTO inbound_message (channel, kind, platform_id, account_id, author_id, text, "
    "created_at, received_at, mentioned_ids, hashtags, raw, status) VALUES ('{channel}', "
    "'mention', '{pid}', 'open311', 'a', 't', '2026-03-02 10:00:00+00:00', "
    "'2026-03-02 10:00:00+00:00', '', '', '', 'processed')"
)


def _count(engine: sa.Engine, channel: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT count(*) FROM inbound_message WHERE channel = :c"), {"c": channel}
            ).scalar_one()
        )


def _insert(engine: sa.Engine, channel: str, pid: str) -> None:
    with database_errors(engine), engine.begin() as connection:
        connection.exec_driver_sql(MESSAGE.format(channel=channel, pid=pid))


def test_open311_is_a_channel_at_head_and_gone_below_it(db_url: str) -> None:
    # Given a database at head holding a message from X and one from Open311
    upgrade(db_url)
    engine = create_engine_from_url(db_url)
    try:
        _insert(engine, "x", "1")
        _insert(engine, "open311", "2")
        assert "open311_client" in sa.inspect(engine).get_table_names()
        # When it goes back to 0014
        downgrade(db_url, "0014")
        engine.dispose()
        # Then the Open311 message is gone, X's stays, and the value is refused again
        assert (_count(engine, "x"), _count(engine, "open311")) == (1, 0)
        assert "open311_client" not in sa.inspect(engine).get_table_names()
        with pytest.raises(IntegrityViolationError):
            _insert(engine, "open311", "3")
        # And upgrading takes it again
        upgrade(db_url)
        engine.dispose()
        _insert(engine, "open311", "4")
        assert _count(engine, "open311") == 1
    finally:
        engine.dispose()
