"""The sender posts and DMs every item exactly once, in priority order, and after an attempt
whose outcome is unknown it looks at what X holds before it tries again."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.ports import Bucket, OutboxItem, Receipt
from jun_engine.channels.x.credentials import credentials_for
from jun_engine.channels.x.delivery import XDelivery
from jun_engine.channels.x.gateway import XGateway
from jun_engine.channels.x.limits import X_LIMITS
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.outbox import queue
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.outbox.pacing import Pacer
from jun_engine.outbox.sender import OutboxSender
from jun_engine.outbox.staff import retry_items
from jun_engine.service.delivery import DeliveryStage
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ApiCallRow, OutboxRow
from tests.outbox.conftest import Accounts, XRecord, x_deliveries

LONG = "El pleno aprueba el presupuesto participativo de 2026 para los barrios de Jun. " * 6


def _rows(engine: Engine) -> list[OutboxRow]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


def _put(engine: Engine, **item: object) -> int | None:
    with session_scope(engine) as session:
        return enqueue(session, **item)  # type: ignore[arg-type]


def _claim_next(engine: Engine, clock: Clock, accounts: list[str]) -> OutboxItem:
    """What a sender commits before calling X: the item `sending`, with its attempt."""
    with session_scope(engine) as session:
        item = queue.next_due(session, clock.now(), {Channel.X: accounts})
        assert item is not None
        assert queue.claim(session, item, clock.now())
    return item


def _mention(x: Emulator, config: Config, resident: str, text: str) -> str:
    return x.sink.tweet(resident, f"@{config.accounts['town'].handle} {text}")


def test_posts_and_replies_are_sent_once_and_recorded(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_emulator_config: Config,
    x_record: XRecord,
    resident: str,
) -> None:
    mention = _mention(x_emulator, x_emulator_config, resident, "la farola de mi calle no va")
    _put(engine, key="post:1", account_id=accounts.town, kind=OutboxKind.POST, text="Buenos días")
    _put(
        engine,
        key="ack:1",
        account_id=accounts.town,
        kind=OutboxKind.REPLY,
        target=mention,
        text="Recibido, JUN-2026-000001",
    )

    assert sender.drain_once() == 2
    assert sender.drain_once() == 0

    posts = x_record.posts(accounts.town)
    assert [(p["text"], p["in_reply_to_id"]) for p in posts] == [
        ("Buenos días", None),
        ("Recibido, JUN-2026-000001", mention),
    ]
    rows = _rows(engine)
    assert [r.status for r in rows] == [OutboxStatus.SENT, OutboxStatus.SENT]
    assert [r.platform_id for r in rows] == [p["id"] for p in posts]


def test_a_thread_goes_out_in_order_each_part_replying_to_the_last(
    engine: Engine, sender: OutboxSender, accounts: Accounts, x_record: XRecord
) -> None:
    _put(engine, key="pleno", account_id=accounts.works, kind=OutboxKind.POST, text=LONG)

    sent = sender.drain_once()

    posts = x_record.posts(accounts.works)
    assert sent == len(posts) >= 2
    assert posts[0]["in_reply_to_id"] is None
    assert [p["in_reply_to_id"] for p in posts[1:]] == [p["id"] for p in posts[:-1]]
    assert [p["text"][-4:] for p in posts] == [f" {n}/{len(posts)}" for n in range(1, sent + 1)]


def test_emergencies_go_first_then_oldest_first(
    engine: Engine, sender: OutboxSender, accounts: Accounts, x_record: XRecord
) -> None:
    for key, priority in [("menu", Priority.NOTICE), ("ack", Priority.ACK), ("fire", 100)]:
        _put(
            engine,
            key=key,
            account_id=accounts.town,
            kind=OutboxKind.POST,
            text=key,
            priority=priority,
        )
    _put(
        engine,
        key="menu2",
        account_id=accounts.town,
        kind=OutboxKind.POST,
        text="menu2",
        priority=Priority.NOTICE,
    )

    sender.drain_once()

    assert [p["text"] for p in x_record.posts(accounts.town)] == ["fire", "ack", "menu", "menu2"]


def test_an_item_not_due_yet_waits_for_its_time(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    clock: Clock,
    x_emulator: Emulator,
    x_record: XRecord,
) -> None:
    from datetime import timedelta

    _put(
        engine,
        key="later",
        account_id=accounts.town,
        kind=OutboxKind.POST,
        text="luego",
        not_before=clock.now() + timedelta(minutes=5),
    )

    assert sender.drain_once() == 0
    x_emulator.step(300)
    assert sender.drain_once() == 1
    assert [p["text"] for p in x_record.posts(accounts.town)] == ["luego"]


def test_forty_dms_are_paced_to_x_limits_without_a_single_429(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
    resident: str,
) -> None:
    statuses: list[int] = []
    x_emulator.observe(lambda exchange: statuses.append(exchange.status))
    for n in range(40):
        _put(
            engine,
            key=f"notice:1:{n}",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Aviso {n}",
            priority=Priority.ACK,  # answers: the whole window, its reserve included
        )

    rounds = []
    while len(x_record.dms(accounts.town)) < 40:
        rounds.append(sender.drain_once())
        x_emulator.step(60)

    assert rounds[0] == 15
    assert sum(rounds) == 40
    assert len(rounds) == 31  # the third batch of 10 goes out 30 minutes after the first
    assert 429 not in statuses
    assert [d["text"] for d in x_record.dms(accounts.town)] == [f"Aviso {n}" for n in range(40)]


def test_notices_go_90_s_apart_and_leave_five_dms_a_window_for_the_answers_to_residents(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
    resident: str,
) -> None:
    # Given 20 notices to departments queued on the town account (15 DMs per 15 minutes)
    for n in range(20):
        _put(
            engine,
            key=f"case:JUN-{n}:notify:new",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Nuevo caso {n}",
            priority=Priority.NOTICE,
        )
    # When the sender sends what it may, every 90 s
    sent = []
    for turn in range(10):
        if turn:
            x_emulator.step(90)
        sent.append(sender.drain_once())
    # Then the notices go one at a time, 90 s apart (the account's quiet moments) ...
    assert sent == [1] * 10
    # ... and stop at 10 in the window, keeping its last 5 for answers
    x_emulator.step(60)
    assert sender.drain_once() == 0
    # And when three residents' answers are queued then, they all go out at once
    for n in range(3):
        _put(
            engine,
            key=f"case:JUN-A{n}:ack",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Recibido {n}",
            priority=Priority.ACK,
        )
    assert sender.drain_once() == 3
    assert [d["text"] for d in x_record.dms(accounts.town)][-3:] == [
        f"Recibido {n}" for n in range(3)
    ]


def test_pacing_survives_a_restart(
    engine: Engine,
    gateways: dict[str, XGateway],
    clock: Clock,
    x_emulator_config: Config,
    accounts: Accounts,
    x_emulator: Emulator,
    resident: str,
) -> None:
    for n in range(16):
        _put(
            engine,
            key=f"n:{n}",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Aviso {n}",
            priority=Priority.ACK,
        )
    deliveries = x_deliveries(engine, gateways, clock, x_emulator_config)
    assert OutboxSender(engine, deliveries, clock).drain_once() == 15

    restarted = OutboxSender(engine, deliveries, clock)

    assert restarted.drain_once() == 0
    x_emulator.step(15 * 60)
    assert restarted.drain_once() == 1


class SlowNetwork(XDelivery):
    """X's delivery over a network that carries its first request to X `delay` after the attempt
    started (a congested link, a loaded machine): the clock moves on before X receives it."""

    def __init__(self, emulator: Emulator, delay: timedelta, *args: Any) -> None:
        super().__init__(*args)
        self._emulator = emulator
        self._delay: timedelta | None = delay

    def send(self, item: OutboxItem) -> Receipt:
        if self._delay is not None:
            self._emulator.clock.step(self._delay)
            self._delay = None
        return super().send(item)


def test_a_window_is_counted_from_when_x_got_each_request_not_from_when_it_started(
    engine: Engine,
    gateways: dict[str, XGateway],
    clock: Clock,
    x_emulator_config: Config,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
    resident: str,
) -> None:
    statuses: list[int] = []
    x_emulator.observe(lambda exchange: statuses.append(exchange.status))
    # Given 16 answers by DM on the town account (15 DMs per 15 minutes), the first 15 sent over
    # a network that carried the first request to X two seconds after its attempt started
    for n in range(16):
        _put(engine, key=f"case:JUN-{n}:ack-dm", account_id=accounts.town, kind=OutboxKind.DM,
             target=resident, text=f"Recibido {n}", priority=Priority.ACK)  # fmt: skip
    start = clock.now()
    slow = SlowNetwork(x_emulator, timedelta(seconds=2), engine, gateways, x_emulator_config, clock)
    assert OutboxSender(engine, {Channel.X: slow}, clock).drain_once() == 15
    # When the daemon restarts (what X's headers said is forgotten) and 15 minutes have passed
    # since the first attempt started, X's window, from when the first request reached it, is
    # still full: nothing is sent
    restarted = OutboxSender(
        engine, x_deliveries(engine, gateways, clock, x_emulator_config), clock
    )
    x_emulator.clock.step(start + timedelta(minutes=15) - clock.now())
    assert restarted.drain_once() == 0
    # Then the 16th goes once 15 minutes have passed since X got the first, and X never said 429
    x_emulator.step(2)
    assert restarted.drain_once() == 1
    assert len(x_record.dms(accounts.town)) == 16
    assert 429 not in statuses


def test_a_429_holds_that_account_while_the_others_go_on(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
    resident: str,
) -> None:
    for n in range(15):  # the window spent behind the sender's back (staff, by the API)
        gateways[accounts.town].send_dm(resident, f"a mano {n}")
    for n in range(2):
        _put(
            engine,
            key=f"town:{n}",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Aviso {n}",
            priority=Priority.ACK,  # answers: a notice would wait 90 s after the last DM
        )
    _put(
        engine,
        key="police",
        account_id=accounts.police,
        kind=OutboxKind.DM,
        target=resident,
        text="Gracias por su aviso",
    )

    assert sender.drain_once() == 1  # X says 429 for the town account; police goes on

    assert len(x_record.dms(accounts.police)) == 1
    waiting = [r for r in _rows(engine) if r.status is OutboxStatus.PENDING]
    assert [r.attempts for r in waiting] == [0, 0]  # a 429 is not the item's fault
    assert waiting[0].not_before is not None  # the one X refused waits for the reset
    assert sender.drain_once() == 0
    x_emulator.step(15 * 60 + 5)
    assert sender.drain_once() == 2
    assert len(x_record.dms(accounts.town)) == 17


@pytest.mark.parametrize("landed", [True, False], ids=["post_landed", "post_lost"])
def test_after_a_death_mid_send_a_post_is_looked_for_before_it_is_sent_again(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_record: XRecord,
    landed: bool,
) -> None:
    _put(engine, key="menu", account_id=accounts.town, kind=OutboxKind.POST, text="Menú: sopa")
    item = _claim_next(engine, clock, [accounts.town])
    if landed:  # the request reached X, then the process died before recording it
        gateways[accounts.town].create_post(item.text)

    assert sender.drain_once() == 1

    posts = x_record.posts(accounts.town)
    assert [p["text"] for p in posts] == ["Menú: sopa"]
    row = _rows(engine)[0]
    assert (row.status, row.platform_id) == (OutboxStatus.SENT, posts[0]["id"])
    assert row.attempts == (1 if landed else 2)
    # And the look read the account's own timeline, billed as an owned read like any other
    with session_scope(engine) as session:
        looks = session.exec(select(ApiCallRow).where(ApiCallRow.endpoint == "user_tweets")).all()
    assert [(c.account_id, c.resources) for c in looks] == [(accounts.town, 1 if landed else 0)]


@pytest.mark.parametrize("landed", [True, False], ids=["dm_landed", "dm_lost"])
def test_after_a_death_mid_send_a_dm_is_looked_for_before_it_is_sent_again(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_record: XRecord,
    resident: str,
    landed: bool,
) -> None:
    _put(
        engine,
        key="code",
        account_id=accounts.town,
        kind=OutboxKind.DM,
        target=resident,
        text="Su cuenta está verificada",
        priority=Priority.ACK,
    )
    item = _claim_next(engine, clock, [accounts.town])
    if landed:
        gateways[accounts.town].send_dm(resident, item.text)

    assert sender.drain_once() == 1

    dms = x_record.dms(accounts.town)
    assert [d["text"] for d in dms] == ["Su cuenta está verificada"]
    assert _rows(engine)[0].platform_id == dms[0]["id"]


def test_a_thread_part_left_sending_is_found_as_a_reply_to_its_parent(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_record: XRecord,
) -> None:
    _put(engine, key="pleno", account_id=accounts.works, kind=OutboxKind.POST, text=LONG)
    first = _claim_next(engine, clock, [accounts.works])
    posted = gateways[accounts.works].create_post(first.text)
    with session_scope(engine) as session:
        queue.mark_sent(session, first.id, posted.id, clock.now())
    second = _claim_next(engine, clock, [accounts.works])
    assert second.target == posted.id
    gateways[accounts.works].create_post(second.text, in_reply_to=second.target)

    sender.drain_once()

    posts = x_record.posts(accounts.works)
    assert len(posts) == len(_rows(engine))
    assert len({p["text"] for p in posts}) == len(posts)
    assert all(r.status is OutboxStatus.SENT for r in _rows(engine))


def test_a_server_error_is_looked_for_and_then_sent_exactly_once(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
) -> None:
    _put(engine, key="bando", account_id=accounts.town, kind=OutboxKind.POST, text="Bando")
    x_record.set_faults("5xx=1")

    assert sender.drain_once() == 0
    assert _rows(engine)[0].status is OutboxStatus.SENDING

    x_record.set_faults("")
    assert sender.drain_once() == 0  # the look waits a little: X may not show it at once
    x_emulator.step(60)
    assert sender.drain_once() == 1
    assert [p["text"] for p in x_record.posts(accounts.town)] == ["Bando"]


def test_a_read_timeout_after_the_request_left_is_looked_for_not_resent_blindly(
    engine: Engine,
    clock: Clock,
    x_emulator: Emulator,
    x_emulator_config: Config,
    accounts: Accounts,
    x_record: XRecord,
) -> None:
    credentials = credentials_for(x_emulator_config, "town", x_emulator.credentials_env())
    impatient = XGateway(credentials, base_url=x_emulator.base_url, timeout=(2.0, 0.3))
    deliveries = x_deliveries(engine, {accounts.town: impatient}, clock, x_emulator_config)
    sender = OutboxSender(engine, deliveries, clock)
    _put(engine, key="bando", account_id=accounts.town, kind=OutboxKind.POST, text="Bando")
    x_record.set_faults("timeout=1:1s")

    assert sender.drain_once() == 0
    row = _rows(engine)[0]
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)

    x_record.set_faults("")
    x_emulator.step(60)
    assert sender.drain_once() == 1  # looked for, not there (X dropped it), sent again
    impatient.close()
    assert [p["text"] for p in x_record.posts(accounts.town)] == ["Bando"]
    assert _rows(engine)[0].attempts == 2


def test_a_post_that_landed_but_whose_answer_was_cut_short_is_not_posted_again(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
) -> None:
    _put(engine, key="bando", account_id=accounts.town, kind=OutboxKind.POST, text="Bando")
    x_record.set_faults("truncate=1")

    assert sender.drain_once() == 0
    assert _rows(engine)[0].status is OutboxStatus.SENDING

    x_record.set_faults("")
    x_emulator.step(60)
    assert sender.drain_once() == 1
    posts = x_record.posts(accounts.town)
    assert [p["text"] for p in posts] == ["Bando"]
    row = _rows(engine)[0]
    assert (row.status, row.platform_id, row.attempts) == (OutboxStatus.SENT, posts[0]["id"], 1)


def test_while_the_look_itself_fails_nothing_is_sent_again(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
) -> None:
    _put(engine, key="menu", account_id=accounts.town, kind=OutboxKind.POST, text="Menú")
    item = _claim_next(engine, clock, [accounts.town])
    gateways[accounts.town].create_post(item.text)
    x_record.set_faults("5xx=1")

    assert sender.drain_once() == 0
    assert _rows(engine)[0].status is OutboxStatus.SENDING

    x_record.set_faults("")
    x_emulator.step(60)
    assert sender.drain_once() == 1
    assert len(x_record.posts(accounts.town)) == 1


def test_a_duplicate_of_someone_elses_post_is_abandoned_with_the_reason(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    x_emulator: Emulator,
    accounts: Accounts,
    x_record: XRecord,
) -> None:
    gateways[accounts.town].create_post("Feliz día de Andalucía")  # staff, by hand
    x_emulator.step(600)
    _put(
        engine,
        key="28f",
        account_id=accounts.town,
        kind=OutboxKind.POST,
        text="Feliz día de Andalucía",
    )

    sender.drain_once()

    row = _rows(engine)[0]
    assert (row.status, row.failure) == (OutboxStatus.ABANDONED, "duplicate_content")
    assert len(x_record.posts(accounts.town)) == 1


def test_a_duplicate_after_an_unseen_landing_is_recognised_as_our_own(
    engine: Engine,
    sender: OutboxSender,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_record: XRecord,
) -> None:
    _put(engine, key="aviso", account_id=accounts.town, kind=OutboxKind.POST, text="Aviso")
    item = _claim_next(engine, clock, [accounts.town])
    landed = gateways[accounts.town].create_post(item.text)
    with session_scope(engine) as session:  # a look that did not see it yet
        queue.release(session, item.id, None, "not found on the platform", refund=False)

    sender.drain_once()

    row = _rows(engine)[0]
    assert (row.status, row.platform_id) == (OutboxStatus.SENT, landed.id)
    assert len(x_record.posts(accounts.town)) == 1


def test_a_refused_reply_fails_with_a_reason_and_its_thread_is_abandoned(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_emulator: Emulator,
    x_record: XRecord,
    resident: str,
) -> None:
    unrelated = x_emulator.sink.tweet(resident, "Qué bonito está Jun hoy")
    _put(
        engine,
        key="reply",
        account_id=accounts.town,
        kind=OutboxKind.REPLY,
        target=unrelated,
        text=LONG,
    )

    sender.drain_once()

    rows = _rows(engine)
    assert (rows[0].status, rows[0].failure) == (OutboxStatus.FAILED, "reply_not_allowed")
    assert {(r.status, r.failure) for r in rows[1:]} == {
        (OutboxStatus.ABANDONED, "earlier_part_failed")
    }
    assert x_record.posts(accounts.town) == []
    ids = [r.id for r in rows if r.id is not None]
    with session_scope(engine) as session:
        assert retry_items(session, ids[:1]) == ids


def test_a_dm_from_an_account_without_dm_access_fails_without_calling_x(
    engine: Engine, sender: OutboxSender, accounts: Accounts, x_record: XRecord, resident: str
) -> None:
    _put(
        engine,
        key="dm",
        account_id=accounts.works,
        kind=OutboxKind.DM,
        target=resident,
        text="hola",
    )

    assert sender.drain_once() == 0

    assert _rows(engine)[0].failure == "no_dm_access"
    assert x_record.dms(accounts.works) == []


def test_private_text_never_reaches_the_log_at_info(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_record: XRecord,
    resident: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Su DNI 12345678Z consta en el padrón"
    _put(
        engine, key="dm", account_id=accounts.town, kind=OutboxKind.DM, target=resident, text=secret
    )
    _put(
        engine,
        key="dm2",
        account_id=accounts.town,
        kind=OutboxKind.DM,
        target="1",
        text=secret + " (2)",
    )  # refused by X: an unknown user

    with caplog.at_level(logging.INFO):
        sender.drain_once()

    assert len(x_record.dms(accounts.town)) == 1
    assert caplog.records
    assert all("12345678Z" not in record.getMessage() for record in caplog.records)


def test_the_delivery_stage_sends_in_its_own_thread_until_stopped(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    x_record: XRecord,
    resident: str,
) -> None:
    for n in range(10):
        _put(
            engine,
            key=f"n:{n}",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=f"Aviso {n}",
        )
    stop = threading.Event()
    thread = DeliveryStage(sender).start(stop)
    try:
        assert _wait_for(lambda: len(x_record.dms(accounts.town)) == 10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _wait_for(condition: object, timeout: float = 20.0) -> bool:
    stop = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():  # type: ignore[operator]
            return True
        stop.wait(0.05)
    return False


class StallingPacer(Pacer):
    """The real pacer on a machine that stalls while the sender claims an item: the clock moves
    `stall` on between the sender's first look at it and the claim (a loaded machine waiting
    for the database, or an emulated clock thousands of times faster than real time)."""

    def __init__(self, emulator: Emulator, stall: timedelta) -> None:
        super().__init__({Channel.X: X_LIMITS})
        self._emulator = emulator
        self._stall = stall

    def available_at(
        self,
        session: Session,
        channel: Channel,
        account_id: str,
        bucket: Bucket,
        now: datetime,
        priority: int = Priority.ACK,
    ) -> datetime | None:
        self._emulator.clock.step(self._stall)
        return super().available_at(session, channel, account_id, bucket, now, priority)


def test_a_post_whose_moment_passes_while_it_is_claimed_is_never_sent(
    engine: Engine,
    gateways: dict[str, XGateway],
    clock: Clock,
    accounts: Accounts,
    x_emulator: Emulator,
    x_emulator_config: Config,
    x_record: XRecord,
) -> None:
    # Given a menu post that expires five minutes from now
    expires = clock.now() + timedelta(minutes=5)
    menu = "Menú del comedor: potaje y fruta"
    _put(engine, key="menu:1", account_id=accounts.town, kind=OutboxKind.POST, text=menu,
         expires_at=expires)  # fmt: skip
    # When the machine stalls ten minutes while the sender claims it
    pacer = StallingPacer(x_emulator, timedelta(minutes=10))
    deliveries = x_deliveries(engine, gateways, clock, x_emulator_config)
    sender = OutboxSender(engine, deliveries, clock, pacer=pacer)
    assert sender.drain_once() == 0
    # Then it is checked against the clock at the moment of sending: abandoned, never posted
    assert clock.now() >= expires
    assert x_record.posts(accounts.town) == []
    [row] = _rows(engine)
    assert (row.status, row.failure) == (OutboxStatus.ABANDONED, "expired")


def test_a_wake_sends_what_was_queued_without_waiting_out_the_idle_time(
    engine: Engine,
    gateways: dict[str, XGateway],
    clock: Clock,
    x_emulator_config: Config,
    accounts: Accounts,
) -> None:
    deliveries = x_deliveries(engine, gateways, clock, x_emulator_config)
    day = 24 * 3600.0  # idle for a day of the clock: only a wake can end the wait
    sender = OutboxSender(engine, deliveries, clock, idle_seconds=day)
    stop = threading.Event()
    _put(engine, key="first", account_id=accounts.town, kind=OutboxKind.POST, text="Uno")
    worker = threading.Thread(target=sender.run, args=(stop,))
    worker.start()
    try:
        _wait_sent(engine, 1)
        _put(engine, key="second", account_id=accounts.town, kind=OutboxKind.POST, text="Dos")
        sender.wake()  # what the daemon's processor does after each commit
        _wait_sent(engine, 2)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()  # stopping rang the bell too


def _wait_sent(engine: Engine, count: int) -> None:
    deadline = threading.Event()
    for _ in range(600):
        if sum(r.status is OutboxStatus.SENT for r in _rows(engine)) >= count:
            return
        deadline.wait(0.1)
    raise AssertionError(f"{count} item(s) not sent within a minute")
