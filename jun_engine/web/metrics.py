"""The engine's health in Prometheus' text format (version 0.0.4), read from the database alone,
so the web desk and the daemon expose the same figures: messages in, cases open, outbox backlog,
poll lag per stream, errors, and today's API spend. Counts only; never a text or an identity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.store.tables import (
    ApiCallRow,
    CaseRow,
    InboundMessageRow,
    OutboxRow,
    PollCheckpointRow,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def prometheus_text(session: Session, now: datetime) -> str:
    """Every metric, one family after another, ending with a newline."""
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
    return "\n".join(lines) + "\n"


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
