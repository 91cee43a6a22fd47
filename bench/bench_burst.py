"""The burst at real speed (clock 1x): 200 reports of one power cut in 10 minutes, answered.

The demo's machinery (emulator, the real `Daemon` in-process, SQLite) at 1x, X only, with a town
of 200 residents verified days before (as bench_speed's are) who each mention the town account
about one power cut, evenly over 10 minutes, in the simulated town's words for it (Spanish,
English, Thai). The bench waits until every report has a reply (at most `GIVE_UP` after the
first) and reads the emulator's record (replies, the incident's public post, every request's
status, the ledger) and the database (cases, incidents, the outbox, the cost estimate).

It runs for 25 minutes or more: the town account answers from its 100 posts per 15 minutes, so
the second hundred replies wait for the first to leave the window. `python -m bench` leaves it
out; `python -m bench burst` runs it.
"""

from __future__ import annotations

import re
import tempfile
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.demo.orchestrate import DemoRun, DemoSettings
from jun_engine.demo.stats import percentile
from jun_engine.demo.town import preverify_residents
from jun_engine.emulator.records import Post
from jun_engine.emulator.town import OUTAGE_TEXTS, STREETS, Resident
from jun_engine.emulator.wire import Exchange
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseError
from jun_engine.store.tables import ApiCallRow, CaseRow, InboundMessageRow, IncidentRow, OutboxRow

TITLE = "Burst at real time (clock 1x): 200 reports of one power cut in 10 minutes"
IN_ALL = False
"""Too long for `python -m bench` (all): run it by name."""
CONFIG = Path(__file__).resolve().parent.parent / "accounts.yaml"
REPORTS = 200
BURST = timedelta(minutes=10)
GIVE_UP = timedelta(minutes=40)
"""From the first report: what is unanswered by then is reported as such."""
WINDOW = timedelta(minutes=15)
POSTS_PER_WINDOW = 100
"""X's limit on an account's posts (replies included) per 15 minutes."""
LOOK_EVERY = 5.0
"""Real seconds between two looks at whether everything is answered."""
SETTINGS = DemoSettings(
    duration=GIVE_UP.total_seconds(),
    speed=1.0,
    rate_per_hour=0.0,
    population=1,
    line=False,
    preverified=True,
)
"""The demo's town writes nothing (this bench's residents do); the daemon runs at 1x."""
WORDS = tuple((language, text) for language, texts in OUTAGE_TEXTS.items() for text in texts)
"""The simulated town's five ways to report the power cut: three Spanish, one English, one Thai."""


@dataclass(frozen=True, slots=True)
class Report:
    """One resident's mention of the town about the power cut, as X recorded it."""

    post_id: str
    author_id: str
    at: datetime
    language: str


@dataclass(frozen=True, slots=True)
class Stored:
    """What the database says about the burst once it is over."""

    cases: int
    incidents: dict[int, int]
    """Incident id -> cases linked to it."""
    incident_of: dict[str, int | None]
    """Mention id -> the incident its case joined (None: no incident)."""
    announcements: dict[str, str]
    """Outbox key (`incident:<id>:...`) -> status."""
    acks: Counter[str]
    """Acknowledgement rows by status."""
    estimate: float


def run() -> str:
    config = load_config(CONFIG).config
    statuses: Counter[int] = Counter()
    routes: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="jun-bench-") as work:
        demo = DemoRun(config, SETTINGS, Path(work))
        demo.emulator.observe(lambda exchange: _count(statuses, routes, exchange))
        try:
            demo.start()
            reports = _burst(demo, _residents(demo))
            finished = _wait(demo, reports)
            demo.stop()
            ledger = demo.emulator.ledger.total_usd()
        finally:
            demo.close()
        stored = _stored(demo.database)
    figures = _Figures(reports, _town_posts(demo, config), stored, finished)
    return _render(figures, config.town_account().user_id, (statuses, routes), ledger)


# --- the town --------------------------------------------------------------------------------


def _residents(demo: DemoRun) -> list[Resident]:
    """200 people on X, enrolled and verified three days before (no code DMs)."""
    people = []
    for n in range(REPORTS):
        language, _ = WORDS[n % len(WORDS)]
        handle, name = f"vecina{n}", f"Vecina {n}"
        user_id = demo.emulator.sink.add_user(handle, name)
        people.append(Resident(user_id, handle, name, language, verified=True))
    preverify_residents(demo.engine, demo.config, tuple(people), demo.clock.now(), seed=1)
    return people


def _burst(demo: DemoRun, people: list[Resident]) -> list[Report]:
    """Each resident mentions the town once, one every 3 s, as a person in the X app would."""
    town = demo.config.town_account().handle
    districts = demo.config.town.districts
    start = demo.clock.now()
    reports = []
    for n, person in enumerate(people):
        _sleep_until(demo, start + BURST * n / REPORTS)
        text = WORDS[n % len(WORDS)][1]
        text = text.replace("{district}", districts[n % len(districts)])
        text = text.replace("{street}", STREETS[n % len(STREETS)])
        post_id = demo.emulator.sink.tweet(person.user_id, f"@{town} {text}")
        at = demo.emulator.state.post(post_id).created_at
        reports.append(Report(post_id, person.user_id, at, person.language))
        if n % 50 == 49:
            print(f"  {n + 1} reports posted", flush=True)
    return reports


def _sleep_until(demo: DemoRun, at: datetime) -> None:
    ahead = (at - demo.clock.now()).total_seconds() / SETTINGS.speed
    if ahead > 0:
        time.sleep(ahead)


def _wait(demo: DemoRun, reports: list[Report]) -> bool:
    """Until every report has a reply and the outbox has nothing due; False at `GIVE_UP`."""
    deadline = reports[0].at + GIVE_UP
    said = time.monotonic()
    while demo.clock.now() < deadline:
        answered = _answered(demo, reports)
        if answered == len(reports) and _drained(demo):
            return True
        if time.monotonic() - said >= 60:
            print(f"  {answered} of {len(reports)} answered", flush=True)
            said = time.monotonic()
        time.sleep(LOOK_EVERY)
    return False


def _answered(demo: DemoRun, reports: list[Report]) -> int:
    town_id = demo.config.accounts[demo.config.town.account].user_id
    replied = {p.in_reply_to_id for p in demo.emulator.state.posts_by(town_id)}
    return sum(r.post_id in replied for r in reports)


def _drained(demo: DemoRun) -> bool:
    try:
        return demo.drained()
    except DatabaseError:  # the daemon holds the write lock on a loaded machine: look again
        return False


def _count(statuses: Counter[int], routes: Counter[str], exchange: Exchange) -> None:
    statuses[exchange.status] += 1
    routes[f"{exchange.request.method} {exchange.route or exchange.request.path}"] += 1


def _town_posts(demo: DemoRun, config: Config) -> list[Post]:
    """Everything the town's accounts posted through the API, oldest first."""
    own = {account.user_id for account in config.accounts.values()}
    posts = [p for user in own for p in demo.emulator.state.posts_by(user) if p.via_api]
    return sorted(posts, key=lambda p: p.created_at)


# --- the database ----------------------------------------------------------------------------


def _stored(database: Path) -> Stored:
    engine = create_engine_from_url(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            return _read(session)
    finally:
        engine.dispose()


def _read(session: Session) -> Stored:
    cases = session.exec(
        select(CaseRow.incident_id, InboundMessageRow.platform_id).join(
            InboundMessageRow,
            col(CaseRow.message_id) == col(InboundMessageRow.id),
        )
    ).all()
    incidents = Counter(i for i, _ in cases if i is not None)
    keys = col(OutboxRow.idempotency_key)
    announced = session.exec(
        select(OutboxRow.idempotency_key, OutboxRow.status).where(keys.startswith("incident:"))
    ).all()
    acks = session.exec(select(OutboxRow.status).where(keys.endswith(":ack"))).all()
    cost = session.exec(select(sa.func.coalesce(sa.func.sum(ApiCallRow.cost_usd), 0))).one()
    known = set(session.exec(select(IncidentRow.id)).all())
    return Stored(
        cases=len(cases),
        incidents={i: incidents.get(i, 0) for i in known if i is not None},
        incident_of={platform_id: incident for incident, platform_id in cases},
        announcements={key: str(status) for key, status in announced},
        acks=Counter(str(status) for status in acks),
        estimate=float(cost),
    )


# --- the figures -----------------------------------------------------------------------------


class _Figures:
    """The run's figures, from the emulator's record and the database."""

    def __init__(
        self, reports: list[Report], posts: list[Post], stored: Stored, finished: bool
    ) -> None:
        self.reports = reports
        self.posts = posts
        self.stored = stored
        self.finished = finished
        ids = {r.post_id for r in reports}
        self.replies: dict[str, list[Post]] = {}
        for post in posts:
            if post.in_reply_to_id in ids:
                self.replies.setdefault(post.in_reply_to_id, []).append(post)

    def first_replies(self) -> list[float]:
        """Seconds from each answered report to its first reply."""
        return [
            (self.replies[r.post_id][0].created_at - r.at).total_seconds()
            for r in self.reports
            if r.post_id in self.replies
        ]

    def last_reply(self) -> float:
        """Seconds from the first report to the last reply to any report."""
        times = [p.created_at for replies in self.replies.values() for p in replies]
        return (max(times, default=self.reports[0].at) - self.reports[0].at).total_seconds()

    def short(self) -> int:
        """Replies naming the incident their report's case joined (`#<id>`)."""
        count = 0
        for report in self.reports:
            incident = self.stored.incident_of.get(report.post_id)
            if incident is not None:
                named = re.compile(rf"#{incident}\b")
                count += sum(
                    bool(named.search(p.text)) for p in self.replies.get(report.post_id, [])
                )
        return count

    def largest_incident(self) -> int:
        """Reports of this burst whose case joined the incident holding most of them."""
        held = Counter(self.stored.incident_of.get(r.post_id) for r in self.reports)
        return max((n for incident, n in held.items() if incident is not None), default=0)

    def announcements(self) -> list[Post]:
        """Posts of the town's accounts that reply to nobody and name an incident."""
        named = [re.compile(rf"#{i}\b") for i in self.stored.incidents]
        return [
            p
            for p in self.posts
            if p.in_reply_to_id is None and any(n.search(p.text) for n in named)
        ]

    def busiest(self, author_id: str) -> int:
        """The most posts `author_id` made in any 15-minute span, by X's record."""
        times = [p.created_at for p in self.posts if p.author_id == author_id]
        return max((bisect_left(times, t + WINDOW) - i for i, t in enumerate(times)), default=0)


def _render(
    fig: _Figures, town_id: str, exchanges: tuple[Counter[int], Counter[str]], ledger: float
) -> str:
    statuses, routes = exchanges
    first = fig.first_replies()
    replies = sum(len(v) for v in fig.replies.values())
    twice = sum(len(v) > 1 for v in fig.replies.values())
    announced = fig.announcements()
    unanswered = [r.post_id for r in fig.reports if r.post_id not in fig.replies]
    estimate = fig.stored.estimate
    lines = [
        f"{len(fig.reports)} verified residents (enrolled three days before) each mention the "
        f"town account once about one power cut, one every "
        f"{BURST.total_seconds() / REPORTS:.0f} s for {BURST.total_seconds() / 60:.0f} minutes "
        f"(the simulated town's words for it: {_languages(fig.reports)}), against the real "
        "daemon in-process at clock 1x, X only, SQLite. The bench waits until every report "
        f"has a reply, for at most {GIVE_UP.total_seconds() / 60:.0f} minutes from the first.",
        "",
        "| measure | figure | goal |",
        "|---|---:|---|",
        f"| cases opened | {fig.stored.cases} | {REPORTS} |",
        f"| incidents / reports in the largest | {len(fig.stored.incidents)} / "
        f"{fig.largest_incident()} | 1 / {REPORTS} |",
        f"| public posts about the incident | {len(announced)} | 1 |",
        f"| reports answered | {len(fig.replies)} of {len(fig.reports)} | all |",
        f"| replies to the reports / reports replied to twice | {replies} / {twice} | "
        f"{REPORTS} / 0 |",
        f"| of them, the short one naming the incident | {fig.short()} | most |",
        f"| report -> first reply p50 / p95 / max | {_s(percentile(first, 0.5))} / "
        f"{_s(percentile(first, 0.95))} / {_s(max(first, default=None))} | |",
        f"| reports answered within a minute | {sum(t <= 60 for t in first)} | |",
        f"| first report -> last reply | {_s(fig.last_reply())} "
        f"({fig.last_reply() / 60:.1f} min) | |",
        f"| most posts by the town account in any 15 minutes | {fig.busiest(town_id)} | "
        f"<= {POSTS_PER_WINDOW} |",
        f"| 429 answers | {statuses[429]} | 0 |",
        "",
        f"- Finished: {'yes' if fig.finished else 'NO, gave up'}"
        + (f"; unanswered: {', '.join(unanswered)}" if unanswered else "")
        + ".",
        f"- Incidents (id: cases): {_pairs(fig.stored.incidents)}; the incident's outbox "
        f"items: {_pairs(fig.stored.announcements)}; acknowledgements by status: "
        f"{_pairs(dict(fig.stored.acks))}.",
        f"- The incident's public post(s): {'; '.join(repr(p.text) for p in announced) or '-'}.",
        f"- Requests by endpoint: {_pairs(dict(routes.most_common()))}.",
        f"- Emulator answers by status: {dict(sorted(statuses.items()))}.",
        f"- Cost estimate ${estimate:.4f}, emulator ledger ${ledger:.4f}: "
        f"{'equal' if round(estimate, 6) == round(ledger, 6) else 'DIFFERENT'}.",
    ]
    return "\n".join(lines)


def _languages(reports: list[Report]) -> str:
    counted = Counter(r.language for r in reports)
    return ", ".join(f"{n} in {language}" for language, n in counted.most_common())


def _pairs(values: Mapping[str, object] | Mapping[int, object]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in values.items()) or "-"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"
