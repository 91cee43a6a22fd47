"""The engine's health in Prometheus' text format (version 0.0.4), read from the database alone,
so the web desk and the daemon expose the same figures: messages in, cases open, outbox backlog,
poll lag per stream, errors, today's API spend, and each LINE official account's monthly quota
(used, cap, left). Counts only; never a text or an identity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from jun_engine.channels.line.month import cap_of, month_of
from jun_engine.config.schema import LineAccount
from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.store.tables import (
    ApiCallRow,
    CaseRow,
    InboundMessageRow,
    LineQuotaRow,
    OutboxRow,
    PollCheckpointRow,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def prometheus_text(
    session: Session, now: datetime, line: Mapping[str, LineAccount] | None = None
) -> str:
    """Every metric, one family after another, ending with a newline; the quota of each LINE
    account of `line` (accounts.yaml's `line.accounts`) when given."""
    lines: list[str] = []
    _family(
        lines,
        "jun_messages_received_total",
        "counter",
        "Messages stored by the intake, by channel and kind.",
        _grouped(session, (InboundMessageRow.channel, InboundMessageRow.kind), ("channel", "kind")),
    )
    open_cases = (
        sa.select(col(CaseRow.department), sa.func.count())
        .where(col(CaseRow.status).in_(sorted(OPEN_STATUSES)))
        .group_by(col(CaseRow.department))
    )
    _family(
        lines,
        "jun_cases_open",
        "gauge",
        "Cases still waiting on the town, by department.",
        [({"department": str(d)}, float(n)) for d, n in session.execute(open_cases)],
    )
    _family(
        lines,
        "jun_outbox_items",
        "gauge",
        "Outbox items by status.",
        _grouped(session, (OutboxRow.status,), ("status",)),
    )
    backlog = sa.select(sa.func.count()).where(col(OutboxRow.status) == OutboxStatus.PENDING)
    _family(
        lines,
        "jun_outbox_backlog",
        "gauge",
        "Outbox items waiting to be sent.",
        [({}, float(session.execute(backlog).scalar_one()))],
    )
    checkpoints = list(
        session.execute(
            sa.select(
                col(PollCheckpointRow.account_id),
                col(PollCheckpointRow.stream),
                col(PollCheckpointRow.last_poll_at),
                col(PollCheckpointRow.failures),
            )
        )
    )
    _family(
        lines,
        "jun_poll_lag_seconds",
        "gauge",
        "Seconds since each stream last polled.",
        [
            ({"account": str(a), "stream": str(s)}, (now - at).total_seconds())
            for a, s, at, _f in checkpoints
            if at is not None
        ],
    )
    _family(
        lines,
        "jun_poll_consecutive_failures",
        "gauge",
        "Failed polls in a row per stream.",
        [({"account": str(a), "stream": str(s)}, float(f)) for a, s, _at, f in checkpoints],
    )
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    spend = sa.select(sa.func.coalesce(sa.func.sum(ApiCallRow.cost_usd), 0)).where(
        col(ApiCallRow.at) >= day
    )
    _family(
        lines,
        "jun_api_spend_usd_today",
        "gauge",
        "API spend since midnight UTC, in USD.",
        [({}, float(session.execute(spend).scalar_one()))],
    )
    errors = sa.select(sa.func.count()).where(
        col(ApiCallRow.at) >= day,
        sa.or_(col(ApiCallRow.status_code).is_(None), col(ApiCallRow.status_code) >= 400),
    )
    _family(
        lines,
        "jun_api_errors_today",
        "gauge",
        "API requests today that failed.",
        [({}, float(session.execute(errors).scalar_one()))],
    )
    if line:
        _line_quota(lines, session, line, now)
    return "\n".join(lines) + "\n"


def _line_quota(
    lines: list[str], session: Session, line: Mapping[str, LineAccount], now: datetime
) -> None:
    """Each LINE account's messages counted this month (LINE's: Japan's calendar month), the
    cap in force, and what is left of it (none for an account without a cap)."""
    ids = {account.bot_user_id: key for key, account in line.items()}
    statement = sa.select(LineQuotaRow).where(
        col(LineQuotaRow.month) == month_of(now), col(LineQuotaRow.account_id).in_(sorted(ids))
    )
    meters = {row.account_id: row for row in session.scalars(statement)}
    used, caps = [], []
    for key, account in line.items():
        meter = meters.get(account.bot_user_id)
        used.append(({"account": key}, float(meter.spent if meter is not None else 0)))
        cap = cap_of(account, meter)
        if cap is not None:
            caps.append(({"account": key}, float(cap)))
    _family(
        lines,
        "jun_line_quota_used",
        "gauge",
        "LINE messages counted against this month's quota (Japan's calendar), by account.",
        used,
    )
    _family(
        lines,
        "jun_line_quota_cap",
        "gauge",
        "The month's LINE message cap in force (the town's, or LINE's limit when lower).",
        caps,
    )
    spent = {labels["account"]: value for labels, value in used}
    _family(
        lines,
        "jun_line_quota_left",
        "gauge",
        "LINE messages left this month under the cap, by account.",
        [(labels, max(cap - spent[labels["account"]], 0.0)) for labels, cap in caps],
    )


def _grouped(
    session: Session, columns: tuple[object, ...], labels: tuple[str, ...]
) -> list[tuple[dict[str, str], float]]:
    statement = sa.select(*columns, sa.func.count()).group_by(*columns)  # type: ignore[call-overload]
    return [
        (dict(zip(labels, (str(v) for v in row[:-1]), strict=True)), float(row[-1]))
        for row in session.execute(statement)
    ]


def _family(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: Iterable[tuple[dict[str, str], float]],
) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        rendered = ",".join(f'{k}="{_label(v)}"' for k, v in sorted(labels.items()))
        lines.append(f"{name}{{{rendered}}} {value:g}" if rendered else f"{name} {value:g}")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
