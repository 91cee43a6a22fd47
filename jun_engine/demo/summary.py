"""The demo's summary: what the town sent and what the engine made of it, and the checks that
must hold (nothing lost or stored twice, one acknowledgement per case, no private text in public,
every department reached). `--json` prints `DemoSummary.as_json()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    """One invariant of the run, whether it held, and the figures behind it."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """Every figure of a run. Times are seconds of the town's (emulated) clock."""

    seed: int
    speed: float
    duration_s: float
    quiet_s: float
    town_hours: float
    interrupted: bool
    messages_received: int
    verification_dms: int
    messages_stored: int
    duplicates: int
    lost: int
    unprocessed: int
    waiting_verification: int
    residents_verified: int
    residents_enrolled: int
    cases_opened: int
    acknowledgements: int
    acknowledgements_missing: int
    duplicate_acknowledgements: int
    private_leaks: int
    staff_replies: int
    staff_replies_recorded: int
    escalations: int
    scheduled_posts: int
    posts_made: int
    dms_made: int
    outbox_abandoned: int
    api_requests: int
    api_requests_emulator: int
    api_cost_usd: float
    api_cost_usd_emulator: float
    ack_latency_p50_s: float | None
    ack_latency_p95_s: float | None
    answer_latency_p50_s: float | None
    answer_latency_p95_s: float | None
    routing_accuracy: float | None
    self_service_answered: int
    self_service_share: float
    cases_by_department: dict[str, int]
    received_by_department: dict[str, int]
    departments_reached: list[str]
    departments_missed: list[str]
    abandoned_by_reason: dict[str, int] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every check held."""
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        """The checks that did not hold."""
        return [check for check in self.checks if not check.ok]

    def as_json(self) -> dict[str, Any]:
        """Every figure, the checks, and `ok`, as one JSON-ready object."""
        data = asdict(self)
        data["checks"] = [asdict(check) for check in self.checks]
        data["ok"] = self.ok
        return data


def judged(summary: DemoSummary) -> DemoSummary:
    """The summary with its checks filled in."""
    s = summary
    checks = (
        Check("nothing lost", s.lost == 0, f"{s.lost} of {s.messages_received} not stored"),
        Check("nothing stored twice", s.duplicates == 0, f"{s.duplicates} duplicate row(s)"),
        Check(
            "every stored message processed",
            s.unprocessed == 0,
            f"{s.unprocessed} still new at the end",
        ),
        Check("cases opened", s.cases_opened > 0, f"{s.cases_opened} case(s)"),
        Check(
            "every case acknowledged on X",
            s.acknowledgements == s.cases_opened and s.acknowledgements_missing == 0,
            f"{s.acknowledgements} of {s.cases_opened} case(s); "
            f"{s.acknowledgements_missing} sent acknowledgement(s) not found on X",
        ),
        Check(
            "no duplicate acknowledgement",
            s.duplicate_acknowledgements == 0,
            f"{s.duplicate_acknowledgements} seen twice on X",
        ),
        Check("no private text in public", s.private_leaks == 0, f"{s.private_leaks} post(s)"),
        Check(
            "every department reached",
            not s.departments_missed,
            f"{len(s.departments_reached)} reached; missed by a verified resident's message: "
            + (", ".join(s.departments_missed) or "none"),
        ),
    )
    return replace(summary, checks=checks)
