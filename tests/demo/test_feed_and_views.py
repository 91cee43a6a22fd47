"""What the demo shows while it runs: the feed read from the database, the live dashboard, and
the plain progress lines written instead when there is no terminal. A DM's text is never shown."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.demo.dashboard import Moment, render
from jun_engine.demo.feed import Feed, public_excerpt
from jun_engine.demo.views import LiveView, ProgressLines, progress_line, save_svg, view_for
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import MessageStatus, OutboxKind, OutboxStatus
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
    assert lines[0].startswith("[   0 s] town Mon 09:15 | received 2 stored 2 processed 2")
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
