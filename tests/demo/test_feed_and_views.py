"""What the demo shows while it runs: the feed read from the database, the live dashboard, and
the plain progress lines written instead when there is no terminal. A DM's text is never shown."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.demo.dashboard import Dashboard, Moment, render
from jun_engine.demo.feed import Feed, public_excerpt
from jun_engine.demo.views import LiveView, ProgressLines, progress_line, save_svg, view_for
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import MessageStatus, OutboxKind, OutboxStatus
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, OutboxRow

REPO = Path(__file__).resolve().parents[2]
AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
SECRET = "Aviso confidencial: trapicheo junto al parque"
MENTION = "@AytoJun La farola de la calle Real lleva tres noches fundida\u202e"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(REPO / "accounts.yaml").config


@pytest.fixture
def feed(engine: Engine, config: Config) -> Feed:
    town = config.accounts["town"].user_id
    with session_scope(engine) as session:
        for n, (kind, text) in enumerate(
            [(MessageKind.DM, SECRET), (MessageKind.MENTION, MENTION)]
        ):
            session.add(
                InboundMessageRow(
                    channel=Channel.X,
                    kind=kind,
                    platform_id=f"10{n}",
                    account_id=town,
                    author_id="555",
                    author_handle="lola",
                    text=text,
                    created_at=AT,
                    status=MessageStatus.PROCESSED,
                    mentioned_ids=town if kind is MessageKind.MENTION else "",
                )
            )
        session.add(
            OutboxRow(
                idempotency_key="case:JUN-2026-0001:ack",
                channel=Channel.X,
                account_id=town,
                kind=OutboxKind.REPLY,
                target="101",
                text="@lola Recibido",
                status=OutboxStatus.SENT,
                sent_at=AT,
            )
        )
    built = Feed(engine, config)
    built.read(received=2, ledger_usd=0.25)
    return built


def moment(elapsed: float) -> Moment:
    return Moment(AT, 1440.0, elapsed, duration=60.0, quiet_at=45.0)


def test_the_feed_counts_what_the_database_holds(feed: Feed) -> None:
    totals = feed.totals
    assert (totals.received, totals.stored, totals.processed) == (2, 2, 2)
    assert (totals.acks, totals.sent, totals.ledger_usd) == (1, 1, 0.25)
    assert [line.cells[0] for _, line in feed.incoming] == ["DM", "mention"]


def test_the_dashboard_shows_mentions_but_never_a_dms_text(feed: Feed, config: Config) -> None:
    console = Console(record=True, width=200, height=40, file=io.StringIO())
    console.print(render(feed, moment(12.0), config.town.name))
    shown = console.export_text()
    assert "(private)" in shown
    assert "farola" in shown
    assert "trapicheo" not in shown
    assert "JUN-2026-0001" in shown
    assert "town writing" in shown


def test_without_a_terminal_the_demo_prints_a_progress_line_every_few_seconds(
    feed: Feed,
) -> None:
    out = io.StringIO()
    view = view_for(Console(file=out), "Jun")
    assert isinstance(view, ProgressLines)
    for elapsed in (0.0, 1.0, 4.9, 5.0, 7.0):
        view.show(feed, moment(elapsed))
    view.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(  # the town's time (09:15 UTC is 10:15 in Jun), with its zone
        "[   0 s] town Mon 10:15 CET | received 2 + 0 codes, stored 2 (+0 own) processed 2"
    )
    assert "acknowledged 1" in lines[1]
    assert "trapicheo" not in out.getvalue()


def test_on_a_terminal_the_demo_draws_the_live_dashboard(feed: Feed) -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=160, height=40)
    view = view_for(console, "Jun")
    assert isinstance(view, LiveView)
    view.show(feed, moment(50.0))
    view.close()
    assert "town quiet" in console.file.getvalue()  # type: ignore[attr-defined]


def test_the_dashboard_is_saved_as_svg(feed: Feed, tmp_path: Path) -> None:
    path = tmp_path / "demo.svg"
    save_svg(feed, moment(30.0), "Jun", path)
    svg = path.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "trapicheo" not in svg


def test_the_progress_line_is_one_line(feed: Feed) -> None:
    assert "\n" not in progress_line(feed, moment(3.0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short", "short"),
        ("a\nb\tc\x07d", "a b c d"),
        ("x" * 100, "x" * 59 + "…"),
        ("\u202eabc", "abc"),
    ],
)
def test_public_text_is_shown_on_one_clean_line(text: str, expected: str) -> None:
    assert public_excerpt(text) == expected


# --- issue 18: figures that add up, time order, a dashboard that fits 80x24 and 160x50 ----------


@pytest.fixture
def busy_feed(feed: Feed, engine: Engine, config: Config) -> Feed:
    """`feed`, then: an earlier mention stored late (another stream's poll), the engine's own
    acknowledgement read by a department's account, and the private case's acknowledgement DM
    next to its reply."""
    town, works = config.accounts["town"].user_id, config.accounts["public_works"].user_id
    with session_scope(engine) as session:
        session.add(
            InboundMessageRow(
                channel=Channel.X, kind=MessageKind.MENTION, platform_id="200", account_id=town,
                author_id="556", author_handle="pepe", text="@AytoJun bache en la calle Nueva",
                created_at=AT - timedelta(hours=1), status=MessageStatus.PROCESSED,
                mentioned_ids=town,
            )
        )  # fmt: skip
        session.add(
            InboundMessageRow(
                channel=Channel.X, kind=MessageKind.MENTION, platform_id="201", account_id=works,
                author_id=town, author_handle="AytoJun", text="@JunObras Hemos registrado tu aviso",
                created_at=AT, status=MessageStatus.IGNORED, mentioned_ids=works,
            )
        )  # fmt: skip
        session.add(
            OutboxRow(
                idempotency_key="case:JUN-2026-0001:ack-dm", channel=Channel.X, account_id=town,
                kind=OutboxKind.DM, target="555", text="Recibido", status=OutboxStatus.SENT,
                sent_at=AT, private=True,
            )
        )  # fmt: skip
    feed.read(received=3, ledger_usd=0.25, codes=0, staff_posted=0)
    return feed


def test_one_case_acknowledged_by_reply_and_dm_counts_once(busy_feed: Feed) -> None:
    assert (busy_feed.totals.cases, busy_feed.totals.acks) == (0, 1)
    assert len(busy_feed.acks) == 2


def test_the_engines_own_posts_are_counted_apart_and_not_shown_as_incoming(
    busy_feed: Feed,
) -> None:
    totals = busy_feed.totals
    assert (totals.received, totals.stored, totals.own, totals.processed) == (3, 3, 1, 3)
    authors = [line.cells[1] for _, line in busy_feed.incoming]
    assert "@AytoJun" not in authors


def test_messages_are_shown_in_the_order_they_were_written(busy_feed: Feed) -> None:
    times = [line.at for _, line in busy_feed.incoming]
    assert times == sorted(times)
    assert busy_feed.incoming[0][1].cells[1] == "@pepe"  # stored last, written first


@pytest.mark.parametrize(("width", "height"), [(80, 24), (160, 50)])
def test_the_dashboard_fits_the_terminal_with_references_whole_and_room_for_text(
    busy_feed: Feed, config: Config, width: int, height: int
) -> None:
    console = Console(record=True, width=width, height=height, file=io.StringIO())
    console.print(Dashboard(busy_feed, moment(12.0), config.town.name))
    lines = console.export_text().splitlines()
    assert len(lines) == height
    assert all(len(line) <= width for line in lines)
    shown = "\n".join(lines)
    assert "CET" in shown  # the town's zone
    assert "JUN-2026-0001" in shown  # a reference is never cut
    assert "from residents 3 + 0 code DMs" in shown
    assert "stored 3 (+1 of the engine's own, ignored)" in shown
    # the text of a mention gets room: at least 20 characters of it
    assert "@AytoJun La farola de" in shown
    # newest first: the mention written at 10:15 above the one written at 09:15
    assert shown.index("La farola") < shown.index("bache")
