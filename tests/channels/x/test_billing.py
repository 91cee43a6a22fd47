"""The spend record: priced as X bills pay-per-use, each resource once per UTC day per app."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from jun_engine.channels.x.billing import (
    Prices,
    Read,
    forget_billed_before,
    record_read,
    record_write,
    requests_on,
    spent_by_account,
    spent_on,
)
from jun_engine.config.schema import Pricing
from jun_engine.emulator.testing import TEST_START

PRICES = Prices(Pricing(), owns_app=True)
TOWN = "1130425167"


def mentions(ids: list[str], status: int | None = 200, app: str = "APP") -> Read:
    return Read(TOWN, "mentions", app, "post", ids, owned=True, status_code=status)


def test_a_resource_read_twice_the_same_day_is_billed_once(session: Session) -> None:
    first = record_read(session, mentions(["1", "2", "3"]), PRICES, TEST_START)
    again = record_read(session, mentions(["2", "3", "4"]), PRICES, TEST_START)
    assert (first, again) == (Decimal("0.003"), Decimal("0.001"))
    assert spent_on(session, TEST_START.date()) == Decimal("0.004")


def test_the_next_utc_day_bills_it_again_and_another_app_bills_its_own(session: Session) -> None:
    record_read(session, mentions(["1"]), PRICES, TEST_START)
    tomorrow = TEST_START + timedelta(days=1)
    assert record_read(session, mentions(["1"]), PRICES, tomorrow) == Decimal("0.001")
    assert record_read(session, mentions(["1"], app="OTHER"), PRICES, TEST_START) > 0
    assert forget_billed_before(session, tomorrow.date()) == 2


def test_owned_reads_dm_events_and_writes_have_their_own_prices(session: Session) -> None:
    not_owned = Prices(Pricing(), owns_app=False)
    dms = Read(TOWN, "dm_events", "APP", "dm_event", ["9"], owned=False)
    assert record_read(session, mentions(["5"]), not_owned, TEST_START) == Decimal("0.005")
    assert record_read(session, dms, PRICES, TEST_START) == Decimal("0.01")
    written = record_write(
        session, account_id=TOWN, endpoint="/2/tweets", method="POST", kind="post_create_with_url",
        status_code=201, prices=PRICES, at=TEST_START,
    )  # fmt: skip
    assert written == Decimal("0.2")
    assert spent_by_account(session, TEST_START.date()) == {TOWN: Decimal("0.215")}


def test_failed_requests_are_counted_but_cost_nothing(session: Session) -> None:
    assert record_read(session, mentions(["1"], status=503), PRICES, TEST_START) == 0
    assert record_read(session, mentions([], status=None), PRICES, TEST_START) == 0
    refused = record_write(
        session, account_id=TOWN, endpoint="/2/tweets", method="POST", kind="post_create",
        status_code=403, prices=PRICES, at=TEST_START,
    )  # fmt: skip
    assert refused == 0
    assert requests_on(session, TEST_START.date()) == 3
    # and a resource a failed request named is still billable by the next one
    assert record_read(session, mentions(["1"]), PRICES, TEST_START) == Decimal("0.001")
