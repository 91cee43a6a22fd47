"""What the mayor's office reads from the town's cases: volumes by department, category,
district and channel over time; first-response and resolution times against the SLA;
satisfaction; the share self-service answered; the topics that grow; incidents; reports by
district; API spend and each LINE official account's monthly quota. Aggregates only: no
resident's text or identity ever leaves this module.

Each figure is a `Figure` (a table, and how to chart it); pages draw it, CSV exports it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from jun_engine.channels.line.month import LINE_ZONE, cap_of, month_of
from jun_engine.config.schema import PLAN_QUOTAS, Config, LineSettings
from jun_engine.store.tables import (
    ApiCallRow,
    CasePlaceRow,
    CaseRow,
    IncidentRow,
    LineCastRow,
    LineQuotaRow,
    LineSendRow,
    ResidentRow,
    SelfServiceAnswerRow,
)
from jun_engine.web.access import Access

Cell = str | int | float | None
DIMENSIONS = ("department", "category", "district", "channel")


@dataclass(frozen=True, slots=True)
class Chart:
    """How a figure is drawn: `kind` is `stacked` (x, colour, y), `bars` (x, y), `grouped`
    (x, colour, y side by side), `lines` (x, colour, y, with each `limits` column a dashed rule
    per colour), `map` (district, y) or `points` (longitude, latitude, colour) over the
    districts."""

    kind: str
    x: str
    y: str
    color: str | None = None
    limits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    """One table of the analytics page, with its chart."""

    name: str
    """The slug of its CSV (`/analytics/<name>.csv`)."""
    title: str
    """A label key (`jun_engine.web.i18n`), with `by_<dimension>` for volumes."""
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Analytics:
    """Every figure for one scope and window."""

    start: date
    end: date
    figures: list[Figure] = field(default_factory=list)

    def figure(self, name: str) -> Figure | None:
        """The figure called `name`."""
        return next((f for f in self.figures if f.name == name), None)


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the local week `moment` falls in."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def compute(
    session: Session, config: Config, access: Access, now: datetime, *, weeks: int = 12
) -> Analytics:
    """The figures over the last `weeks` weeks (this one included) of what `access` sees.

    The database does the counting: cases are grouped by week, department, category, channel
    and district in one query, times by department and tenth of an hour in another, so what
    comes back is a few thousand groups however many cases there are."""
    zone = ZoneInfo(config.town.timezone)
    this_week = week_of(now, zone)
    first = this_week - timedelta(weeks=weeks - 1)
    weeks_at = [first + timedelta(weeks=n) for n in range(weeks)]
    bounds = [_midnight(day, zone) for day in weeks_at]
    start = bounds[0]
    groups = _groups(session, access, bounds)
    figures = [_volume(groups, dim, weeks_at) for dim in DIMENSIONS]
    figures.append(_times(session, access, start, config))
    figures.append(_satisfaction(session, access, start))
    figures.append(_self_service(session, groups, bounds, weeks_at))
    figures.append(_growing(groups, weeks - 1))
    figures.append(_incidents(session, access, start))
    figures.append(_districts(groups, config))
    figures.append(_pins(session, access, start, config))
    figures.append(_spend(session, now - timedelta(days=30), zone))
    if config.line is not None:
        figures.append(_line_quota(session, config.line, now))
    return Analytics(first, this_week + timedelta(days=6), figures)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)


def bucket(column: Any, bounds: Sequence[datetime]) -> sa.ColumnElement[int]:
    """Which of the periods starting at `bounds` (ascending, aware) `column` falls in, counted
    from 0 (the last period runs on). Boundaries are computed in Python from the town's zone, so
    weeks and days are local ones on both databases, summer time included."""
    whens = [(column < at, n) for n, at in enumerate(bounds[1:])]
    if not whens:
        return sa.literal(0)
    return sa.case(*whens, else_=len(bounds) - 1)


@dataclass(frozen=True, slots=True)
class _Group:
    """How many cases of one week and department, category, channel and district."""

    week: int
    department: str
    category: str
    channel: str
    district: str
    cases: int


def _groups(session: Session, access: Access, bounds: Sequence[datetime]) -> list[_Group]:
    week = bucket(col(CaseRow.opened_at), bounds).label("week")
    keys = (
        week,
        col(CaseRow.department),
        col(CaseRow.category),
        col(CaseRow.channel),
        col(ResidentRow.district),
    )
    statement = (
        sa.select(*keys, sa.func.count())
        .select_from(CaseRow)
        .outerjoin(ResidentRow, col(ResidentRow.id) == col(CaseRow.resident_id))
        .where(col(CaseRow.opened_at) >= bounds[0])
        .group_by(*keys)
        .where(*_seen(access))
    )
    return [
        _Group(int(w), str(d), c or "-", str(ch), district or "-", int(n))
        for w, d, c, ch, district, n in session.execute(statement)
    ]


def _seen(access: Access) -> list[sa.ColumnElement[bool]]:
    """The condition on `case` for what `access` sees (none for everything)."""
    clause = access.case_clause()
    return [] if clause is None else [clause]


def _volume(groups: Sequence[_Group], dimension: str, weeks_at: Sequence[date]) -> Figure:
    counts: Counter[tuple[int, str]] = Counter()
    for g in groups:
        counts[g.week, getattr(g, dimension)] += g.cases
    rows: list[tuple[Cell, ...]] = [
        (weeks_at[week].isoformat(), value, n) for (week, value), n in sorted(counts.items())
    ]
    return Figure(
        f"volume_by_{dimension}",
        f"by_{dimension}",
        ("week", dimension, "cases"),
        rows,
        Chart("stacked", "week", "cases", dimension),
    )


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` percentile (nearest rank) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def percentile_of_counts(counts: Sequence[tuple[float, int]], share: float) -> float | None:
    """`percentile` of the values `counts` holds as (value, how many times) pairs."""
    total = sum(n for _value, n in counts)
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value, n in sorted(counts):
        seen += n
        if seen >= rank:
            return value
    return None  # pragma: no cover - the loop always reaches `rank`


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def hours_between(session: Session, start: Any, end: Any) -> sa.ColumnElement[float]:
    """`end - start` in hours, to a tenth, computed by the database (each dialect its way)."""
    if session.get_bind().dialect.name == "sqlite":
        hours: sa.ColumnElement[Any] = (sa.func.julianday(end) - sa.func.julianday(start)) * 24
    else:
        hours = sa.extract("epoch", end - start) / 3600
    return sa.cast(sa.func.round(sa.cast(hours, sa.Numeric), 1), sa.Float)


def _times(session: Session, access: Access, start: datetime, config: Config) -> Figure:
    """p50/p90 from (department, hours to a tenth, cases, within SLA) groups."""
    spread: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    met: Counter[tuple[str, str]] = Counter()
    for target, done, due in (
        ("first_response", CaseRow.first_response_at, CaseRow.first_response_due),
        ("resolution", CaseRow.resolved_at, CaseRow.resolution_due),
    ):
        hours = hours_between(session, col(CaseRow.opened_at), col(done)).label("hours")
        within = sa.case((sa.or_(col(due).is_(None), col(done) <= col(due)), 1), else_=0)
        statement = (
            sa.select(col(CaseRow.department), hours, sa.func.count(), sa.func.sum(within))
            .where(col(CaseRow.opened_at) >= start, col(done).is_not(None))
            .where(*_seen(access))
            # Not department first: SQLite would then walk all of ix_case_inbox (department
            # order saves it a sort) instead of the week range of ix_case_analytics.
            .group_by(hours, col(CaseRow.department))
        )
        for dept, value, n, hit in session.execute(statement):
            spread[str(dept), target].append((float(value), int(n)))
            met[str(dept), target] += int(hit or 0)
    rows: list[tuple[Cell, ...]] = []
    for dept in sorted({d for d, _t in spread}):
        sla = config.departments[dept].sla if dept in config.departments else None
        for target, goal in (
            ("first_response", sla.first_response if sla else None),
            ("resolution", sla.resolution if sla else None),
        ):
            counts = spread.get((dept, target))
            if not counts:
                continue
            total = sum(n for _v, n in counts)
            rows.append(
                (
                    dept,
                    target,
                    total,
                    percentile_of_counts(counts, 0.5),
                    percentile_of_counts(counts, 0.9),
                    _hours(goal) if goal else None,
                    round(100 * met[dept, target] / total, 1),
                )
            )
    return Figure(
        "times",
        "times_vs_sla",
        ("department", "target", "cases", "p50_hours", "p90_hours", "sla", "within_sla_percent"),
        rows,
        Chart("grouped", "department", "within_sla_percent", "target"),
        note="p50/p90 in wall-clock hours from opening; SLA targets count opening hours "
        "(days are opening days) and `within_sla_percent` compares with them",
    )


def _satisfaction(session: Session, access: Access, start: datetime) -> Figure:
    statement = (
        sa.select(col(CaseRow.department), col(CaseRow.satisfaction), sa.func.count())
        .where(col(CaseRow.opened_at) >= start, col(CaseRow.satisfaction).is_not(None))
        .group_by(col(CaseRow.satisfaction), col(CaseRow.department))
        .where(*_seen(access))
    )
    stars: dict[str, Counter[int]] = defaultdict(Counter)
    for dept, star, n in session.execute(statement):
        stars[str(dept)][int(star)] += int(n)
    rows: list[tuple[Cell, ...]] = []
    for dept, counted in sorted(stars.items()):
        total = sum(counted.values())
        mean = sum(star * n for star, n in counted.items()) / total
        rows.append((dept, total, round(mean, 2), *(counted[star] for star in range(1, 6))))
    return Figure(
        "satisfaction",
        "satisfaction",
        ("department", "ratings", "mean", "1", "2", "3", "4", "5"),
        rows,
        Chart("bars", "department", "mean"),
    )


def _self_service(
    session: Session, groups: Sequence[_Group], bounds: Sequence[datetime], weeks_at: Sequence[date]
) -> Figure:
    week = bucket(col(SelfServiceAnswerRow.at), bounds).label("week")
    answered: Counter[int] = Counter(
        {
            int(w): int(n)
            for w, n in session.execute(
                sa.select(week, sa.func.count())
                .where(col(SelfServiceAnswerRow.at) >= bounds[0])
                .group_by(week)
            )
        }
    )
    opened: Counter[int] = Counter()
    for g in groups:
        opened[g.week] += g.cases
    rows: list[tuple[Cell, ...]] = []
    for n in sorted(set(answered) | set(opened)):
        total = answered[n] + opened[n]
        share = round(100 * answered[n] / total, 1) if total else 0.0
        rows.append((weeks_at[n].isoformat(), answered[n], opened[n], share))
    return Figure(
        "self_service",
        "self_service",
        ("week", "self_service_answers", "cases", "self_service_percent"),
        rows,
        Chart("bars", "week", "self_service_percent"),
    )


def _growing(groups: Sequence[_Group], this_week: int) -> Figure:
    """Each category this week against its weekly mean over the four weeks before."""
    earlier = {this_week - n for n in range(1, 5)}
    now_counts: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for g in groups:
        topic = f"{g.department}/{g.category}"
        if g.week == this_week:
            now_counts[topic] += g.cases
        elif g.week in earlier:
            before[topic] += g.cases
    rows: list[tuple[Cell, ...]] = []
    for topic in set(now_counts) | set(before):
        mean = before[topic] / 4
        growth = round(now_counts[topic] / mean, 2) if mean else None
        rows.append((topic, now_counts[topic], round(mean, 2), growth))
    rows.sort(key=lambda r: (-(r[1] or 0) + (r[2] or 0), str(r[0])))  # type: ignore[operator]
    return Figure(
        "growing",
        "growing",
        ("topic", "this_week", "weekly_mean_last_4", "ratio"),
        rows[:20],
        Chart("bars", "topic", "this_week"),
        note="ratio empty when the topic is new this week",
    )


def _incidents(session: Session, access: Access, start: datetime) -> Figure:
    reports = (
        sa.select(sa.func.count(col(CaseRow.id)))
        .where(col(CaseRow.incident_id) == col(IncidentRow.id))
        .scalar_subquery()
    )
    statement = sa.select(
        col(IncidentRow.department),
        col(IncidentRow.key),
        col(IncidentRow.opened_at),
        col(IncidentRow.closed_at),
        reports,
    ).where(col(IncidentRow.opened_at) >= start)
    wanted = access.departments
    if wanted is not None:
        statement = statement.where(col(IncidentRow.department).in_(sorted(wanted)))
    rows: list[tuple[Cell, ...]] = [
        (
            r[0],
            r[1],
            r[2].isoformat(timespec="minutes"),
            r[3].isoformat(timespec="minutes") if r[3] else None,
            int(r[4]),
        )
        for r in session.execute(statement.order_by(col(IncidentRow.opened_at).desc()))
    ]
    return Figure(
        "incidents",
        "incidents",
        ("department", "key", "opened_at", "closed_at", "reports"),
        rows,
        Chart("bars", "key", "reports"),
    )


def _districts(groups: Sequence[_Group], config: Config) -> Figure:
    counts: Counter[str] = Counter()
    for g in groups:
        counts[g.district] += g.cases
    known = [*config.town.districts, *sorted(set(counts) - set(config.town.districts))]
    rows: list[tuple[Cell, ...]] = [(d, counts[d]) for d in known if d in counts or d != "-"]
    return Figure("map", "map", ("district", "cases"), rows, Chart("map", "district", "cases"))


PIN_DECIMALS = 3
"""Report pins are shown to about 100 m: where things happen, never whose door it is."""


def _pins(session: Session, access: Access, start: datetime, config: Config) -> Figure:
    """Reports with a map pin since `start`, rounded, by category; none from a department or
    category the town keeps private (police tips, health)."""
    statement = (
        sa.select(
            col(CasePlaceRow.latitude),
            col(CasePlaceRow.longitude),
            col(CaseRow.department),
            col(CaseRow.category),
            col(CasePlaceRow.district),
        )
        .join(CaseRow, col(CaseRow.id) == col(CasePlaceRow.case_id))
        .where(col(CaseRow.opened_at) >= start)
        .order_by(col(CaseRow.id))
    )
    clause = access.case_clause()
    if clause is not None:
        statement = statement.where(clause)
    rows: list[tuple[Cell, ...]] = [
        (round(lat, PIN_DECIMALS), round(lon, PIN_DECIMALS), category or department, district)
        for lat, lon, department, category, district in session.execute(statement)
        if not _kept_private(config, department, category)
    ]
    return Figure(
        "pins",
        "pins",
        ("latitude", "longitude", "category", "district"),
        rows,
        Chart("points", "longitude", "latitude", "category"),
    )


def _kept_private(config: Config, department: str, category: str | None) -> bool:
    dept = config.departments.get(department)
    if dept is None:
        return False
    chosen = dept.categories[category].privacy if category in dept.categories else None
    return (chosen or dept.privacy) == "private"


def _spend(session: Session, since: datetime, zone: ZoneInfo) -> Figure:
    first = since.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range(32)]
    bounds = [_midnight(day, zone) for day in days]
    day = bucket(col(ApiCallRow.at), bounds).label("day")
    statement = (
        sa.select(day, sa.func.count(), sa.func.sum(col(ApiCallRow.cost_usd)))
        .where(col(ApiCallRow.at) >= since)
        .group_by(day)
        .order_by(day)
    )
    rows: list[tuple[Cell, ...]] = [
        (days[int(n)].isoformat(), int(requests), float(round(Decimal(cost or 0), 4)))
        for n, requests, cost in session.execute(statement)
    ]
    return Figure(
        "spend",
        "spend",
        ("day", "requests", "usd"),
        rows,
        Chart("bars", "day", "usd"),
        note="X API spend as billed (the engine's ledger)",
    )


def _line_quota(session: Session, line: LineSettings, now: datetime) -> Figure:
    """Each LINE account's messages this month, day by day, against its plan's quota and the
    cap in force (the town's, or LINE's limit when lower)."""
    today = now.astimezone(LINE_ZONE).date()
    days = [today.replace(day=n) for n in range(1, today.day + 1)]
    sent, meters = _line_sends(session, line, days)
    rows: list[tuple[Cell, ...]] = []
    for key, account in line.accounts.items():
        meter = meters.get(account.bot_user_id)
        cap, plan = cap_of(account, meter), PLAN_QUOTAS[account.plan]
        used = 0
        for n, day in enumerate(days):
            used += sent[account.bot_user_id, n]
            shown = max(used, meter.spent) if meter is not None and day == today else used
            rows.append((day.isoformat(), key, sent[account.bot_user_id, n], shown, plan, cap))
    return Figure(
        "line_quota",
        "line_quota",
        ("day", "account", "sent", "used", "plan_quota", "cap"),
        rows,
        Chart("lines", "day", "used", "account", ("plan_quota", "cap")),
        note="LINE's month (Japan's calendar): `sent` is what the engine pushed or cast that "
        "day (free replies excluded), `used` the month so far, raised on its last day to "
        "LINE's own count when higher; `cap` is the town's cap, or LINE's limit when lower",
    )


def _line_sends(
    session: Session, line: LineSettings, days: Sequence[date]
) -> tuple[Counter[tuple[str, int]], dict[str, LineQuotaRow]]:
    """Messages each account spent on each of `days` (pushes and casts), and each account's
    meter of the month, in one query."""
    bounds = [_midnight(day, LINE_ZONE) for day in days]
    accounts = sorted(a.bot_user_id for a in line.accounts.values())
    month = month_of(bounds[-1])
    meters = sa.select(  # first: its columns' types read the rows of the whole union
        col(LineQuotaRow.account_id),
        sa.literal(-1),
        col(LineQuotaRow.spent),
        col(LineQuotaRow.reported_limit),
        col(LineQuotaRow.reported_at),
    ).where(col(LineQuotaRow.month) == month, col(LineQuotaRow.account_id).in_(accounts))
    pushed_on = bucket(col(LineSendRow.sent_at), bounds)
    pushes = (
        sa.select(
            col(LineSendRow.account_id),
            pushed_on,
            sa.func.sum(col(LineSendRow.quota)),
            sa.null(),
            sa.null(),
        )
        .where(col(LineSendRow.sent_at) >= bounds[0], col(LineSendRow.account_id).in_(accounts))
        .group_by(col(LineSendRow.account_id), pushed_on)
    )
    cast_on = bucket(col(LineCastRow.sent_at), bounds)
    casts = (
        sa.select(
            col(LineCastRow.account_id),
            cast_on,
            sa.func.sum(sa.func.coalesce(col(LineCastRow.delivered), 0)),
            sa.null(),
            sa.null(),
        )
        .where(col(LineCastRow.sent_at) >= bounds[0], col(LineCastRow.account_id).in_(accounts))
        .group_by(col(LineCastRow.account_id), cast_on)
    )
    sent: Counter[tuple[str, int]] = Counter()
    meter_of: dict[str, LineQuotaRow] = {}
    for account_id, n, count, limit, read_at in session.execute(
        sa.union_all(meters, pushes, casts)
    ):
        if int(n) < 0:
            meter_of[str(account_id)] = LineQuotaRow(
                account_id=account_id,
                month=month,
                spent=count,
                reported_limit=limit,
                reported_at=read_at,
            )
        else:
            sent[str(account_id), int(n)] += int(count or 0)
    return sent, meter_of
