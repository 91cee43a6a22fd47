"""Revision 0013 with data in the tables: today's X accounts become identities, the attempt,
stranger-answer and event tables name accounts by channel and user id, and downgrading puts
every X account back where it was (what only another channel could say is dropped)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jun_engine.store.column_types import UtcDateTime
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import downgrade, upgrade

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(days=1)


def _table(name: str, *columns: str, times: tuple[str, ...] = ()) -> sa.TableClause:
    """The table as one revision has it, with its time columns typed (aware UTC in and out)."""
    typed = [sa.column(c, UtcDateTime()) for c in times]
    return sa.table(name, *(sa.column(c) for c in columns), *typed)


RESIDENT_0012 = _table(
    "resident", "id", "name", "language", "status", "x_user_id", "x_handle",
    times=("enrolled_at", "verified_at"),
)  # fmt: skip
ATTEMPT_0012 = _table("verification_attempt", "x_user_id", "success", times=("at",))
ANSWER_0012 = _table("stranger_answer", "x_user_id", "kind", "outbox_key", times=("at",))
EVENT_0012 = _table("resident_event", "resident_id", "kind", "actor", "x_user_id", times=("at",))
IDENTITY = _table(
    "resident_identity", "resident_id", "channel", "user_id", "handle", times=("bound_at",)
)
ATTEMPT = _table("verification_attempt", "channel", "user_id", "success", times=("at",))
ANSWER = _table("stranger_answer", "channel", "user_id", "kind", "outbox_key", times=("at",))
EVENT = _table(
    "resident_event", "resident_id", "kind", "actor", "channel", "user_id", times=("at",)
)

RESIDENTS = [
    # a verified resident with a handle, a pending one, a revoked one (unbound), and a verified
    # one X never named
    {"id": 1, "name": "Ana", "language": "es", "status": "verified", "x_user_id": "1001",
     "x_handle": "ana_jun", "enrolled_at": AT, "verified_at": LATER},
    {"id": 2, "name": "Bo", "language": "es", "status": "pending", "x_user_id": None,
     "x_handle": None, "enrolled_at": AT, "verified_at": None},
    {"id": 3, "name": "Cai", "language": "th", "status": "revoked", "x_user_id": None,
     "x_handle": None, "enrolled_at": AT, "verified_at": LATER},
    {"id": 4, "name": "Dora", "language": "en", "status": "verified", "x_user_id": "1004",
     "x_handle": None, "enrolled_at": AT, "verified_at": None},
]  # fmt: skip
ATTEMPTS = [
    {"x_user_id": "1001", "success": True, "at": LATER},
    {"x_user_id": "6666", "success": False, "at": AT},
]
ANSWERS = [{"x_user_id": "6666", "kind": "how_to_verify", "outbox_key": "verify-howto:6666:1",
            "at": AT}]  # fmt: skip
EVENTS = [
    {"resident_id": 1, "kind": "enrolled", "actor": "staff:ana", "x_user_id": None, "at": AT},
    {"resident_id": 1, "kind": "verified", "actor": "resident", "x_user_id": "1001", "at": LATER},
    {"resident_id": 3, "kind": "unbound", "actor": "staff:ana", "x_user_id": "1003", "at": LATER},
]


@pytest.fixture
def at_0012(db_url: str) -> Iterator[sa.Engine]:
    """A database at revision 0012 with residents, attempts, answers and history in it."""
    upgrade(db_url, "0012")
    engine = create_engine_from_url(db_url)
    with engine.begin() as connection:
        for table, rows in (
            (RESIDENT_0012, RESIDENTS),
            (ATTEMPT_0012, ATTEMPTS),
            (ANSWER_0012, ANSWERS),
            (EVENT_0012, EVENTS),
        ):
            connection.execute(sa.insert(table), rows)
    yield engine
    engine.dispose()


def _rows(engine: sa.Engine, table: sa.TableClause, *order: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        statement = sa.select(table).order_by(*(table.c[name] for name in order))
        return [tuple(row) for row in connection.execute(statement)]


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def test_upgrade_moves_every_x_account_into_an_identity(at_0012: sa.Engine, db_url: str) -> None:
    # When the database is upgraded past 0013
    upgrade(db_url, "0013")
    # Then each bound X account is an identity on channel x, bound when its resident verified
    # (or enrolled, where no verification time was kept)
    assert _rows(at_0012, IDENTITY, "resident_id") == [
        (1, "x", "1001", "ana_jun", LATER),
        (4, "x", "1004", None, AT),
    ]
    assert not {"x_user_id", "x_handle"} & _columns(at_0012, "resident")
    # And attempts, answers and history name the same accounts by channel and user id
    assert _rows(at_0012, ATTEMPT, "at") == [("x", "6666", False, AT), ("x", "1001", True, LATER)]
    assert _rows(at_0012, ANSWER, "at") == [
        ("x", "6666", "how_to_verify", "verify-howto:6666:1", AT)
    ]
    assert _rows(at_0012, EVENT, "at", "resident_id") == [
        (1, "enrolled", "staff:ana", None, None, AT),
        (1, "verified", "resident", "x", "1001", LATER),
        (3, "unbound", "staff:ana", "x", "1003", LATER),
    ]
    for table in ("verification_attempt", "stranger_answer", "resident_event"):
        assert "x_user_id" not in _columns(at_0012, table)


def test_downgrade_puts_the_x_accounts_back_as_they_were(at_0012: sa.Engine, db_url: str) -> None:
    # Given the upgraded database, where a resident has also bound a LINE account
    upgrade(db_url, "0013")
    with at_0012.begin() as connection:
        line = {"channel": "line", "user_id": "U" + "a" * 32}
        connection.execute(sa.insert(IDENTITY), [line | {"resident_id": 1, "handle": "Ana",
                                                         "bound_at": LATER}])  # fmt: skip
        connection.execute(sa.insert(ATTEMPT), [line | {"success": True, "at": LATER}])
        connection.execute(
            sa.insert(ANSWER), [line | {"kind": "how_to_verify", "outbox_key": "k", "at": AT}]
        )
        connection.execute(
            sa.insert(EVENT),
            [line | {"resident_id": 1, "kind": "verified", "actor": "resident", "at": LATER}],
        )
    # When it is downgraded to 0012
    downgrade(db_url, "0012")
    # Then the residents, attempts, answers and history are exactly as they were at 0012
    assert _rows(at_0012, RESIDENT_0012, "id") == [tuple(r.values()) for r in RESIDENTS]
    assert _rows(at_0012, ATTEMPT_0012, "at") == [
        ("6666", False, AT),
        ("1001", True, LATER),
    ]
    assert _rows(at_0012, ANSWER_0012, "at") == [tuple(a.values()) for a in ANSWERS]
    # (the LINE account's line of history stays, without the account 0012 cannot name)
    assert set(_rows(at_0012, EVENT_0012, "at")) == {
        (1, "enrolled", "staff:ana", None, AT),
        (1, "verified", "resident", "1001", LATER),
        (1, "verified", "resident", None, LATER),
        (3, "unbound", "staff:ana", "1003", LATER),
    }
    assert "resident_identity" not in sa.inspect(at_0012).get_table_names()
    # And an X account is one resident's again
    with pytest.raises(sa.exc.IntegrityError), at_0012.begin() as connection:
        connection.execute(
            sa.update(RESIDENT_0012).where(RESIDENT_0012.c.id == 2).values(x_user_id="1001")
        )
    # And upgrading again gives the same identities as the first time
    upgrade(db_url, "0013")
    assert _rows(at_0012, IDENTITY, "resident_id") == [
        (1, "x", "1001", "ana_jun", LATER),
        (4, "x", "1004", None, AT),
    ]
