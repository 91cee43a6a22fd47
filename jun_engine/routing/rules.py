"""The explicit layer: department accounts, hashtags and keywords from accounts.yaml, compiled once.

`RuleSet.from_config` reads the configuration once; `RuleSet.match` is pure and cheap. An outside
body's keywords and hashtags (Endesa, "sin luz", #EndesaMeEstresa) count for the categories that
name that body, so a power cut reaches the department that tags the utility.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from jun_engine.config.schema import Category, Config, KeywordsByLanguage
from jun_engine.domain.messages import InboundMessage
from jun_engine.routing.intent import IntentDetector
from jun_engine.routing.phrases import PhraseIndex, Stemmers
from jun_engine.routing.text import TextView, fold
from jun_engine.routing.urgency import UrgencyDetector

HASHTAG_WEIGHT = 3
"""A configured hashtag is worth this many keyword words."""


@dataclass(frozen=True, slots=True)
class Target:
    """A department, and optionally one of its categories."""

    department: str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One rule that fired: what it points to, what matched, and how much it weighs."""

    target: Target
    source: str
    """'account', 'hashtag' or 'keyword'."""
    matched: str
    weight: int


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """What the explicit layer found in one message, strongest department first."""

    evidence: tuple[Evidence, ...]
    scores: tuple[tuple[str, int], ...]
    """(department, summed weight), highest first."""
    external_bodies: frozenset[str] = frozenset()

    @property
    def winner(self) -> str | None:
        """The department strictly ahead of every other, if there is one."""
        if not self.scores or (len(self.scores) > 1 and self.scores[1][1] == self.scores[0][1]):
            return None
        return self.scores[0][0]

    def category_of(self, department: str) -> str | None:
        """The category of `department` with the most evidence, if any."""
        weights: Counter[str] = Counter()
        for item in self.evidence:
            if item.target.department == department and item.target.category:
                weights[item.target.category] += item.weight
        ranked = weights.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]


def _category_targets(config: Config) -> Iterator[tuple[str, str, Category]]:
    for dept_key, dept in config.departments.items():
        for cat_key, category in dept.categories.items():
            yield dept_key, cat_key, category


def _keyword_entries(
    keywords: KeywordsByLanguage, payload: Target
) -> Iterator[tuple[str, str, Target]]:
    for language, phrases in keywords.items():
        for phrase in phrases:
            yield language, phrase, payload


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every explicit rule of one configuration, ready to match."""

    triage: str
    departments: tuple[str, ...]
    account_ids: Mapping[str, str]
    """Department account user id -> department (the triage desk's own account excluded)."""
    account_handles: Mapping[str, str]
    """Folded handle -> department, for text where only the @handle is known."""
    hashtags: Mapping[str, tuple[Target, ...]]
    keywords: PhraseIndex[Target]
    body_phrases: PhraseIndex[str]
    """Outside bodies' keywords -> body key."""
    body_hashtags: Mapping[str, str]
    categories_of_body: Mapping[str, tuple[Target, ...]] = field(default_factory=dict)
    intents: IntentDetector = field(default_factory=IntentDetector)
    urgency: UrgencyDetector = field(default_factory=UrgencyDetector)

    @classmethod
    def from_config(cls, config: Config) -> RuleSet:
        """Compile the rules of `config` (once, at start)."""
        triage = config.triage_department()
        ids: dict[str, str] = {}
        handles: dict[str, str] = {}
        for key, dept in config.departments.items():
            account = config.accounts[dept.account]
            if key != triage and dept.account != config.town.account:
                ids[account.user_id] = key
                handles[fold(account.handle)] = key
        by_body: dict[str, list[Target]] = {}
        for dept_key, cat_key, category in _category_targets(config):
            if category.external_body:
                by_body.setdefault(category.external_body, []).append(Target(dept_key, cat_key))
        stemmers = Stemmers()
        return cls(
            triage=triage,
            departments=tuple(config.departments),
            account_ids=MappingProxyType(ids),
            account_handles=MappingProxyType(handles),
            hashtags=MappingProxyType(_hashtag_targets(config, by_body)),
            keywords=PhraseIndex(_all_keywords(config), stemmers),
            body_phrases=PhraseIndex(
                (
                    (lang, phrase, key)
                    for key, body in config.external_bodies.items()
                    for lang, phrases in body.keywords.items()
                    for phrase in phrases
                ),
                stemmers,
            ),
            body_hashtags=MappingProxyType(
                {
                    fold(tag): key
                    for key, body in config.external_bodies.items()
                    for tag in body.hashtags
                }
            ),
            categories_of_body=MappingProxyType({k: tuple(v) for k, v in by_body.items()}),
            intents=IntentDetector(stemmers=stemmers),
            urgency=UrgencyDetector(stemmers=stemmers),
        )

    def match(self, view: TextView, addressed: Iterable[str] = ()) -> RuleMatch:
        """The evidence in one message. `addressed` are the user ids it reached or mentioned."""
        bodies = {p.payload for p in self.body_phrases.find(view)}
        bodies.update(self.body_hashtags[t] for t in view.hashtags if t in self.body_hashtags)
        evidence = [
            *self._account_evidence(view, addressed),
            *self._hashtag_evidence(view),
            *(
                Evidence(p.payload, "keyword", p.text, max(1, len(p.stems)))
                for p in self.keywords.find(view)
            ),
            *(
                Evidence(target, "keyword", body, 1)
                for body in sorted(bodies)
                for target in self.categories_of_body.get(body, ())
            ),
        ]
        scores: Counter[str] = Counter()
        for item in evidence:
            if item.source != "account":
                scores[item.target.department] += item.weight
        ranked = tuple(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
        return RuleMatch(tuple(evidence), ranked, frozenset(bodies))

    def _account_evidence(self, view: TextView, addressed: Iterable[str]) -> Iterator[Evidence]:
        seen = {self.account_ids[i] for i in addressed if i in self.account_ids}
        seen.update(self.account_handles[h] for h in view.handles if h in self.account_handles)
        for dept in sorted(seen):
            yield Evidence(Target(dept), "account", dept, 0)

    def _hashtag_evidence(self, view: TextView) -> Iterator[Evidence]:
        for tag in view.hashtags:
            for target in self.hashtags.get(tag, ()):
                yield Evidence(target, "hashtag", tag, HASHTAG_WEIGHT)

    def addressed_departments(self, match: RuleMatch) -> tuple[str, ...]:
        """The departments whose own account the message reached or mentioned."""
        return tuple(e.target.department for e in match.evidence if e.source == "account")


def addressed_ids(message: InboundMessage) -> tuple[str, ...]:
    """The user ids a message was sent to or mentions."""
    return (message.account_id, *message.mentioned_ids)


def _hashtag_targets(
    config: Config, by_body: Mapping[str, list[Target]]
) -> dict[str, tuple[Target, ...]]:
    targets: dict[str, list[Target]] = {}
    for key, dept in config.departments.items():
        for tag in dept.hashtags:
            targets.setdefault(fold(tag), []).append(Target(key))
    for dept_key, cat_key, category in _category_targets(config):
        for tag in category.hashtags:
            targets.setdefault(fold(tag), []).append(Target(dept_key, cat_key))
    for key, body in config.external_bodies.items():
        for tag in body.hashtags:
            for target in by_body.get(key, ()):
                if target not in targets.setdefault(fold(tag), []):
                    targets[fold(tag)].append(target)
    return {tag: tuple(dict.fromkeys(found)) for tag, found in targets.items()}


def _all_keywords(config: Config) -> Iterator[tuple[str, str, Target]]:
    for key, dept in config.departments.items():
        yield from _keyword_entries(dept.keywords, Target(key))
    for dept_key, cat_key, category in _category_targets(config):
        yield from _keyword_entries(category.keywords, Target(dept_key, cat_key))
