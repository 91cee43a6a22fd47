"""Incidents: many residents reporting the same thing within a window become one incident.

Pure grouping: given the recent routed reports, reports are linked when they share a hashtag
(#EndesaMeEstresa), name the same outside body (Endesa, "sin luz"), or say nearly the same thing
to the same department. Linked reports form groups; a group of at least `incident_min_reports`
inside `incident_window` is an incident: one thing to fix, linked to its cases, the department
alerted once, and the responsible outside body's account tagged. Persisting is the caller's job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from jun_engine.config.schema import Config
from jun_engine.domain.routing import Routing
from jun_engine.routing.rules import RuleSet
from jun_engine.routing.text import TextView

SIMILARITY = 0.6
"""Jaccard similarity of character 3-grams above which two reports say the same thing."""
MAX_PAIRWISE = 400
"""Near-duplicate comparison looks at no more than this many recent reports (the newest)."""


@dataclass(frozen=True, slots=True)
class Report:
    """One routed message, as incident grouping sees it."""

    key: str
    """The caller's id for it (a case id or message id)."""
    at: datetime
    text: str
    routing: Routing
    hashtags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Incident:
    """One thing many residents reported: who handles it, who to tag, which reports it holds."""

    department: str
    signals: tuple[str, ...]
    """What linked the reports: '#hashtag', 'body:endesa', 'similar text'."""
    report_keys: tuple[str, ...]
    first_at: datetime
    last_at: datetime
    external_body: str | None = None
    tag_handle: str | None = None
    """The outside body's X handle, to tag in the incident's public post."""


@dataclass(frozen=True)
class IncidentRules:
    """What grouping needs from the configuration, read once."""

    rules: RuleSet
    window: timedelta
    min_reports: int
    body_handles: Mapping[str, str]
    addressing_hashtags: frozenset[str]
    """Department-level hashtags (#JunObras): they say where, not what, so they link nothing."""

    @classmethod
    def from_config(cls, config: Config, rules: RuleSet) -> IncidentRules:
        return cls(
            rules=rules,
            window=config.routing.incident_window,
            min_reports=config.routing.incident_min_reports,
            body_handles={key: body.handle for key, body in config.external_bodies.items()},
            addressing_hashtags=frozenset(
                tag
                for tag, targets in rules.hashtags.items()
                if all(target.category is None for target in targets)
            ),
        )


def find_incidents(
    reports: Iterable[Report], now: datetime, rules: IncidentRules
) -> list[Incident]:
    """The incidents among the reports of the last `window` before `now`, largest first."""
    recent = sorted((r for r in reports if now - rules.window <= r.at <= now), key=lambda r: r.at)
    links = _Links(len(recent))
    signals: dict[int, set[str]] = {i: set() for i in range(len(recent))}
    for signal, members in _shared_signals(recent, rules).items():
        for member in members:
            signals[member].add(signal)
            links.join(members[0], member)
    for a, b in _similar_pairs(recent):
        links.join(a, b)
        signals[a].add("similar text")
        signals[b].add("similar text")
    incidents = [
        _incident([recent[i] for i in group], sorted({s for i in group for s in signals[i]}), rules)
        for group in links.groups()
        if len(group) >= rules.min_reports
    ]
    return sorted(incidents, key=lambda inc: (-len(inc.report_keys), inc.first_at))


def _shared_signals(recent: Sequence[Report], rules: IncidentRules) -> dict[str, list[int]]:
    shared: dict[str, list[int]] = {}
    for i, report in enumerate(recent):
        view = TextView.of(report.text, report.hashtags)
        found = {t for t in view.hashtags if t not in rules.addressing_hashtags}
        found.update(f"body:{body}" for body in rules.rules.match(view).external_bodies)
        for signal in found:
            shared.setdefault(signal, []).append(i)
    return {signal: members for signal, members in shared.items() if len(members) > 1}


def _similar_pairs(recent: Sequence[Report]) -> Iterable[tuple[int, int]]:
    start = max(0, len(recent) - MAX_PAIRWISE)
    shingles = {i: _shingles(recent[i].text) for i in range(start, len(recent))}
    for a, b in combinations(shingles, 2):
        if recent[a].routing.department != recent[b].routing.department:
            continue
        union = len(shingles[a] | shingles[b])
        if union and len(shingles[a] & shingles[b]) / union >= SIMILARITY:
            yield a, b


def _shingles(text: str) -> frozenset[str]:
    folded = TextView.of(text).folded
    return frozenset(folded[i : i + 3] for i in range(max(1, len(folded) - 2)))


def _incident(members: list[Report], signals: list[str], rules: IncidentRules) -> Incident:
    department = Counter(r.routing.department for r in members).most_common(1)[0][0]
    bodies = Counter(s.removeprefix("body:") for s in signals if s.startswith("body:"))
    body = bodies.most_common(1)[0][0] if bodies else None
    return Incident(
        department=department,
        signals=tuple(signals),
        report_keys=tuple(r.key for r in members),
        first_at=members[0].at,
        last_at=members[-1].at,
        external_body=body,
        tag_handle=rules.body_handles.get(body) if body else None,
    )


class _Links:
    """Union-find over report positions."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))

    def find(self, i: int) -> int:
        while self._parent[i] != i:
            self._parent[i] = self._parent[self._parent[i]]
            i = self._parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self._parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for i in range(len(self._parent)):
            found.setdefault(self.find(i), []).append(i)
        return list(found.values())
