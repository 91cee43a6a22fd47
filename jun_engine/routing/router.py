"""`classify`: the pure function that turns a message into a Routing, layer by layer.

1. The department's own account was addressed (written to, or @mentioned): that department.
2. Configured hashtags and keywords: the department with strictly the most evidence.
3. The trained model, when its calibrated confidence reaches the threshold.
4. Otherwise the triage desk, with the model's best guess in the reasons.
Intent and urgency are read from every message whatever layer decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.routing import Layer, Reason, Routing, Urgency
from jun_engine.routing.model import Prediction, RouterModel
from jun_engine.routing.rules import RuleMatch, RuleSet, addressed_ids
from jun_engine.routing.text import TextView


@dataclass(frozen=True, slots=True)
class Decision:
    """The department part of a Routing."""

    department: str
    category: str | None
    confidence: float
    layer: Layer
    reasons: tuple[Reason, ...]


def classify(
    message: InboundMessage, rules: RuleSet, model: RouterModel | None, threshold: float
) -> Routing:
    """Route one message (pure: no I/O, no state)."""
    return classify_text(
        message.text, rules, model, threshold, addressed_ids(message), message.hashtags
    )


def classify_text(
    text: str,
    rules: RuleSet,
    model: RouterModel | None,
    threshold: float,
    addressed: Iterable[str] = (),
    hashtags: tuple[str, ...] = (),
) -> Routing:
    """Route a text that reached (or mentioned) the accounts `addressed`."""
    view = TextView.of(text, hashtags)
    match = rules.match(view, addressed)
    decision = _explicit(match, rules) or _statistical(text, rules, model, threshold, match)
    intent = rules.intents.detect(view)
    urgency, alarms = rules.urgency.detect(view)
    extra = []
    if urgency is Urgency.EMERGENCY:
        extra.append(Reason("urgency", "emergency words: " + ", ".join(alarms)))
    extra.append(
        Reason(
            "intent",
            f"{intent.intent}" + (f" from {intent.matched!r}" if intent.matched else " (default)"),
        )
    )
    return Routing(
        department=decision.department,
        category=decision.category,
        intent=intent.intent,
        urgency=urgency,
        confidence=round(decision.confidence, 4),
        layer=decision.layer,
        reasons=decision.reasons + tuple(extra),
    )


def _explicit(match: RuleMatch, rules: RuleSet) -> Decision | None:
    addressed = rules.addressed_departments(match)
    if len(addressed) == 1:
        dept = addressed[0]
        return Decision(
            dept,
            match.category_of(dept),
            1.0,
            Layer.ACCOUNT,
            (Reason(Layer.ACCOUNT, f"written to {dept}'s own account"),),
        )
    winner = match.winner
    if winner is None:
        return None
    total = sum(score for _, score in match.scores)
    mine = [e for e in match.evidence if e.target.department == winner and e.source != "account"]
    layer = Layer.HASHTAG if any(e.source == "hashtag" for e in mine) else Layer.KEYWORD
    reasons = tuple(
        Reason(e.source, f"{e.matched!r} -> {_target(e.target.department, e.target.category)}")
        for e in mine
    )
    if len(match.scores) > 1:
        reasons += (
            Reason(layer, "outweighs " + ", ".join(f"{d} ({s})" for d, s in match.scores[1:])),
        )
    return Decision(
        winner, match.category_of(winner), dict(match.scores)[winner] / total, layer, reasons
    )


def _statistical(
    text: str, rules: RuleSet, model: RouterModel | None, threshold: float, match: RuleMatch
) -> Decision:
    reasons: list[Reason] = []
    if len(match.scores) > 1:
        tied = ", ".join(d for d, s in match.scores if s == match.scores[0][1])
        reasons.append(Reason(Layer.KEYWORD, f"keywords tie between {tied}"))
    prediction = model.predict(text) if model is not None else None
    if prediction is None:
        why = "no model" if model is None else "no word the model knows"
        reasons.append(Reason(Layer.TRIAGE, f"no rule matched and {why}"))
        return Decision(rules.triage, None, 0.0, Layer.TRIAGE, tuple(reasons))
    reasons.append(_model_reason(prediction))
    if prediction.confidence >= threshold:
        category = _category(prediction)
        return Decision(
            prediction.department, category, prediction.confidence, Layer.MODEL, tuple(reasons)
        )
    reasons.append(
        Reason(
            Layer.TRIAGE,
            f"confidence {prediction.confidence:.2f} is below the threshold {threshold:.2f}",
        )
    )
    return Decision(rules.triage, None, prediction.confidence, Layer.TRIAGE, tuple(reasons))


def _model_reason(p: Prediction) -> Reason:
    runner = f", runner-up {p.runner_up}" if p.runner_up else ""
    features = "; ".join(p.evidence) or "none"
    return Reason(
        Layer.MODEL,
        f"{_target(p.department, _category(p))} at {p.confidence:.2f}{runner}; "
        f"features: {features}",
    )


def _category(p: Prediction) -> str | None:
    head, _, tail = p.label.partition("/")
    return tail if head == p.department and tail else None


def _target(department: str, category: str | None) -> str:
    return f"{department}/{category}" if category else department


class ThresholdSource(StrEnum):
    """Where the threshold in force came from."""

    EXPLICIT = "explicit"
    """`routing.confidence_threshold` in accounts.yaml (or a caller's explicit choice)."""
    MODEL = "model"
    """The trained model file's `suggested_threshold`."""
    DAY_ONE = "day-one default"
    """No trained model file (or one that suggests nothing): the documented day-one default."""


@dataclass(frozen=True)
class Router:
    """The rules, the model and the threshold one town routes with, and where that came from."""

    rules: RuleSet
    model: RouterModel | None
    threshold: float
    threshold_source: ThresholdSource = ThresholdSource.EXPLICIT

    @property
    def suggested_threshold(self) -> float | None:
        """The model's own suggestion (None without a model, or when it suggests none)."""
        return self.model.info.suggested_threshold if self.model is not None else None

    @property
    def threshold_reason(self) -> str:
        """Why `threshold` is in force, in a few words for the CLI and the benchmarks."""
        match self.threshold_source:
            case ThresholdSource.EXPLICIT:
                return "set explicitly (routing.confidence_threshold in accounts.yaml)"
            case ThresholdSource.MODEL:
                return "the trained model's suggested threshold (95% precise on held-out folds)"
            case ThresholdSource.DAY_ONE:
                return "the day-one default (no trained model file suggests one)"

    def classify(self, message: InboundMessage) -> Routing:
        """Route one message."""
        return classify(message, self.rules, self.model, self.threshold)

    def classify_text(self, text: str, addressed: Iterable[str] = ()) -> Routing:
        """Route a bare text (the CLI's `explain`)."""
        return classify_text(text, self.rules, self.model, self.threshold, addressed)
