"""A routing decision: where a resident's message goes, what it asks for, and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """What the resident wants. The values are the `Intent` names accounts.yaml uses."""

    COMPLAINT = "complaint"
    """Something is broken or wrong and should be fixed (a complaint or a repair request)."""
    QUESTION = "question"
    APPOINTMENT = "appointment"
    POLICE_REPORT = "police_report"
    SUGGESTION = "suggestion"
    THANKS = "thanks"


class Urgency(StrEnum):
    """Emergencies (fire, accident, flood, gas, violence) take the fast lane."""

    NORMAL = "normal"
    EMERGENCY = "emergency"


class Layer(StrEnum):
    """Which layer of the router chose the department."""

    ACCOUNT = "account"
    """The resident wrote to (or mentioned) one department's own account."""
    HASHTAG = "hashtag"
    KEYWORD = "keyword"
    MODEL = "model"
    TRIAGE = "triage"
    """Nothing was sure enough: the triage desk decides."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: which layer saw what (a rule, a hashtag, a model feature)."""

    layer: Layer | str
    detail: str

    def __str__(self) -> str:
        return f"{self.layer}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a message goes and why. `confidence` is in [0, 1]: 1.0 for an explicit signal,
    the model's calibrated probability of being right otherwise."""

    department: str
    category: str | None
    intent: Intent
    urgency: Urgency
    confidence: float
    layer: Layer
    reasons: tuple[Reason, ...] = ()

    @property
    def automatic(self) -> bool:
        """True when the router decided on its own; False when the case goes to triage."""
        return self.layer is not Layer.TRIAGE

    @property
    def is_emergency(self) -> bool:
        """The fast lane."""
        return self.urgency is Urgency.EMERGENCY

    def matches_any(self, intents: Iterable[str]) -> bool:
        """Whether this decision is one of `intents` (accounts.yaml names; `emergency` is the
        urgency), e.g. for `verification.open_to_anyone`."""
        wanted = set(intents)
        return self.intent.value in wanted or (self.is_emergency and "emergency" in wanted)
