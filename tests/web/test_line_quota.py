"""The LINE quota on the analytics page and in /metrics (the desk's and the daemon's): each
official account's messages this month (LINE's month, Japan's calendar), day by day, against
its plan's quota and the cap in force, from real `line_send`, `line_cast` and `line_quota` rows,
on SQLite and PostgreSQL; and no such section for a town without LINE."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session
from starlette.applications import Starlette

from jun_engine.config.schema import Config, LineSettings
from jun_engine.domain.statuses import CastKind, CastStatus
from jun_engine.service.exposition import Exposition
from jun_engine.store.tables import LineCastRow, LineQuotaRow, LineSendRow
from jun_engine.web.access import Access
from jun_engine.web.analytics import compute
from jun_engine.web.app import create_app
from jun_engine.web.charts import spec
from jun_engine.web.report import REPORTER
from jun_engine.web.settings import WebSettings
from tests.web.conftest import SECRET, Town
from tests.web.town import FAST, NOW

Clients = Callable[[str], httpx.Client]
JUN = "U" + "1" * 32
HATYAI = "U" + "2" * 32
STRANGER = "U" + "3" * 32
"""An account this town does not configure (another town's, on the same database)."""


def _with_line(config: Config) -> Config:
    """The town with two LINE accounts: Jun's on the free plan (200), Hat Yai's on Thailand's
    basic plan (15,000) that the town caps at 1,000 a month."""
    secrets = {"channel_secret_env": "T_LINE_SECRET", "access_token_env": "T_LINE_TOKEN"}
    accounts = {
        "jun": {"channel_id": "1600000001", "bot_user_id": JUN, "plan": "free", **secrets},
        "hatyai": {
            "channel_id": "1600000002",
            "bot_user_id": HATYAI,
            "plan": "th_basic",
            "monthly_quota_cap": 1000,
            "webhook_path": "/line/hatyai",
            **secrets,
        },
    }
    return config.model_copy(update={"line": LineSettings.model_validate({"accounts": accounts})})


def _push(account: str, at: datetime, quota: int = 1) -> LineSendRow:
    return LineSendRow(
        account_id=account,
        user_id="U" + "9" * 32,
        via="push" if quota else "reply",
        quota=quota,
        sent_at=at,
    )


def _cast(key: str, at: datetime | None, delivered: int | None) -> LineCastRow:
    return LineCastRow(
        key=key,
        account_id=JUN,
        how=CastKind.MULTICAST,
        text="Corte de agua mañana",
        retry_key=key.ljust(36, "0"),
        status=CastStatus.SENT if at else CastStatus.PENDING,
        sent_at=at,
        delivered=delivered,
    )


@pytest.fixture(scope="module")
def metered(town: Town) -> Config:
    """Sends of Jun's account around the start of LINE's March (00:00 in Tokyo is 15:00 UTC the
    day before), a multicast, a pending cast, another town's send, and the meters; the town's
    configuration with LINE."""
    utc = UTC
    with Session(town.engine) as session:
        session.add_all(
            [
                _push(JUN, datetime(2026, 2, 28, 14, 30, tzinfo=utc)),  # 23:30 Feb 28 in Tokyo
                _push(JUN, datetime(2026, 2, 28, 15, 30, tzinfo=utc)),  # 00:30 Mar 1 in Tokyo
                _push(JUN, datetime(2026, 3, 1, 3, 0, tzinfo=utc), quota=0),  # a free reply
                _push(JUN, datetime(2026, 3, 2, 9, 0, tzinfo=utc)),
                _push(STRANGER, datetime(2026, 3, 2, 9, 0, tzinfo=utc)),
                _cast("notice-1", datetime(2026, 3, 2, 10, 0, tzinfo=utc), 40),
                _cast("notice-2", None, None),
                # LINE's own count (read an hour ago) is higher than the engine's, and LINE's
                # limit is lower than the plan's
                LineQuotaRow(
                    account_id=JUN,
                    month="2026-03",
                    spent=60,
                    reported_used=60,
                    reported_limit=150,
                    reported_at=NOW - timedelta(hours=1),
                ),
                LineQuotaRow(account_id=JUN, month="2026-02", spent=199),
            ]
        )
        session.commit()
    return _with_line(town.config)


@pytest.fixture(scope="module")
def app(town: Town, metered: Config) -> Starlette:
    """The desk of the town with LINE."""
    settings = WebSettings(secret_key=SECRET, secure_cookies=False, poll_seconds=5, passwords=FAST)
    return create_app(metered, town.engine, settings, clock=lambda: NOW)


def test_each_account_by_day_against_its_plan_and_cap(town: Town, metered: Config) -> None:
    with Session(town.engine) as session:
        figures = compute(session, metered, Access.of(REPORTER, metered), NOW)
    quota = figures.figure("line_quota")

    assert quota is not None
    assert quota.columns == ("day", "account", "sent", "used", "plan_quota", "cap")
    assert quota.rows == [
        ("2026-03-01", "jun", 1, 1, 200, 150),
        # a push and a multicast to 40; the month so far raised to LINE's count (60)
        ("2026-03-02", "jun", 41, 60, 200, 150),
        ("2026-03-01", "hatyai", 0, 0, 15_000, 1_000),
        ("2026-03-02", "hatyai", 0, 0, 15_000, 1_000),
    ]
    drawn = spec(quota)
    assert [layer["mark"]["type"] for layer in drawn["layer"]] == ["line", "rule"]


def test_on_the_first_of_the_month_one_day(town: Town, metered: Config) -> None:
    first = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)  # 01:00 on March 1 in Tokyo
    with Session(town.engine) as session:
        quota = compute(session, metered, Access.of(REPORTER, metered), first).figure("line_quota")
    assert quota is not None
    assert [row[:2] for row in quota.rows] == [("2026-03-01", "jun"), ("2026-03-01", "hatyai")]


def test_no_quota_section_without_line(town: Town) -> None:
    assert town.config.line is None
    with Session(town.engine) as session:
        figures = compute(session, town.config, Access.of(REPORTER, town.config), NOW)
    assert figures.figure("line_quota") is None
    assert figures.figure("spend") is not None


def test_the_page_draws_it_and_exports_its_table(clients: Clients) -> None:
    mayor = clients("alcaldia")

    page = mayor.get("/analytics", headers={"accept-language": "en"})
    exported = mayor.get("/analytics/line_quota.csv")
    chart = mayor.get("/analytics/line_quota.svg")

    assert page.status_code == 200
    assert 'id="figure-line_quota"' in page.text
    assert '<img src="/analytics/line_quota.svg"' in page.text
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["day", "account", "sent", "used", "plan_quota", "cap"]
    assert ["2026-03-02", "jun", "41", "60", "200", "150"] in rows
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in chart.text


def test_metrics_say_each_accounts_quota_used_cap_and_left(clients: Clients) -> None:
    text = clients("admin").get("/metrics").text

    assert "# TYPE jun_line_quota_used gauge" in text
    assert 'jun_line_quota_used{account="jun"} 60\n' in text
    assert 'jun_line_quota_cap{account="jun"} 150\n' in text
    assert 'jun_line_quota_left{account="jun"} 90\n' in text
    assert 'jun_line_quota_used{account="hatyai"} 0\n' in text
    assert 'jun_line_quota_left{account="hatyai"} 1000\n' in text


def test_the_daemons_metrics_say_the_same(town: Town, metered: Config) -> None:
    assert metered.line is not None
    exposition = Exposition(town.engine, lambda: NOW, lambda: True, line=metered.line.accounts)

    text = exposition.metrics()

    assert 'jun_line_quota_left{account="jun"} 90\n' in text
    assert 'jun_line_quota_cap{account="hatyai"} 1000\n' in text
    assert "jun_line_quota" not in Exposition(town.engine, lambda: NOW, lambda: True).metrics()
