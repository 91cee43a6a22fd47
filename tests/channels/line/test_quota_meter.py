"""LINE's quota meter under two senders at once on PostgreSQL: the outbox's sender and the caster
meet a new month together (each counting its send in its own transaction), and both counts are
kept, neither failing on the month's row the other made."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.line.month import month_of
from jun_engine.channels.line.quota import count_spend
from jun_engine.emulator.testing import TEST_START
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineQuotaRow
from tests.daemon.harness import wait_until

BOT = "U" + "b" * 32
WAITING_ON_THE_ROW = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
    "AND query LIKE '%line_quota%'"
)


def waiting(engine: Engine) -> bool:
    """Whether a transaction waits on a lock of `line_quota` (a transaction of its own: the
    activity view is read once per transaction)."""
    with engine.connect() as connection:
        return int(connection.execute(WAITING_ON_THE_ROW).scalar_one()) > 0


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_senders_counting_the_first_messages_of_a_month_at_once_both_count(
    engine: Engine,
) -> None:
    failures: list[BaseException] = []

    def caster() -> None:
        try:
            with session_scope(engine) as session:
                count_spend(session, BOT, 40, TEST_START)
        except BaseException as error:  # the test reports it
            failures.append(error)

    # Given the outbox's sender counting a push, the month's first, not committed yet
    with Session(engine) as sender:
        count_spend(sender, BOT, 1, TEST_START)
        # When the caster counts a multicast of 40 meanwhile (it waits on the sender's row)
        thread = threading.Thread(target=caster)
        thread.start()
        wait_until(lambda: waiting(engine), 60, "the caster to wait on the month's row")
        sender.commit()
    thread.join(60)
    # Then neither failed, and the month counts both
    assert failures == []
    with Session(engine) as session:
        row = session.get(LineQuotaRow, (BOT, month_of(TEST_START)))
        assert row is not None
        assert row.spent == 41
