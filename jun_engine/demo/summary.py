"""The demo's summary: what the town sent and what the engine made of it, and the checks that
must hold (nothing lost or stored twice, one acknowledgement per case, no private text in public,
every department reached, and every pair of figures that could look contradictory reconciled by
the figures between them). `--json` prints `DemoSummary.as_json()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

COST_ROUNDING_USD = 0.001
"""How far figures may differ by rounding alone (costs are kept to four decimals); counts are
whole numbers, so for them it means equal."""


@dataclass(frozen=True, slots=True)
class Check:
    """One invariant of the run, whether it held, and the figures behind it."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """Every figure of a run. Latencies are in seconds of the town's (emulated) clock, each with
    its `_real_s` twin in real seconds (town seconds / speed)."""

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
    messages_stored_total: int = 0
    """Every row of the inbound table: `messages_stored` + `engine_own_messages` +
    `other_messages_stored` + `duplicates`."""
    engine_own_messages: int = 0
    """Posts and DMs of the town's own accounts that its other accounts read (an acknowledgement
    mentioning a department, a new-case DM to a department): stored and ignored, by design."""
    other_messages_stored: int = 0
    """Messages from anyone else (none in the simulated town)."""
    acknowledgement_messages: int = 0
    """Acknowledgement replies and DMs sent: a case in a private category gets both."""
    staff_replies_no_case: int = 0
    """Staff replies to a message that opened no case (an unverified resident, a self-service
    answer): nothing to record them on."""
    staff_replies_not_recorded: int = 0
    """Staff replies to a case's message that the engine had not recorded when it stopped."""
    daily_spend_cap_usd: float = 0.0
    api_cost_by_day: dict[str, float] = field(default_factory=dict)
    """The engine's cost estimate per UTC day, the day X bills by and the spend cap applies to."""
    ack_latency_p50_real_s: float | None = None
    ack_latency_p95_real_s: float | None = None
    answer_latency_p50_real_s: float | None = None
    answer_latency_p95_real_s: float | None = None
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per channel (`x`, `line`): messages received and stored, cases, acknowledgements,
    duplicates, lost, private leaks; for LINE also `quota_used` and `replies_free` (answers that
    went with a reply token, free)."""
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


def reconciliation(s: DemoSummary) -> list[str]:
    """The identities between the summary's figures that do not hold (none, in a sound run).

    Each says how a pair of figures that differ is made up: what the town sent against what the
    database holds, staff replies in the town against those on cases, the day-by-day cost
    against the total, cases by department against cases.
    """
    identities: dict[str, tuple[float, float]] = {
        "received + verification DMs = stored + lost": (
            s.messages_received + s.verification_dms,
            s.messages_stored + s.lost,
        ),
        "rows = stored + the engine's own + others + duplicates": (
            s.messages_stored_total,
            s.messages_stored + s.engine_own_messages + s.other_messages_stored + s.duplicates,
        ),
        "staff replies = recorded + no case + not recorded": (
            s.staff_replies,
            s.staff_replies_recorded + s.staff_replies_no_case + s.staff_replies_not_recorded,
        ),
        "cases = cases by department": (s.cases_opened, sum(s.cases_by_department.values())),
        "cost = cost by UTC day": (s.api_cost_usd, round(sum(s.api_cost_by_day.values()), 4)),
    }
    return [
        f"{name} ({a:g} vs {b:g})"
        for name, (a, b) in identities.items()
        if abs(a - b) > COST_ROUNDING_USD
    ]


def judged(summary: DemoSummary) -> DemoSummary:
    """The summary with its checks filled in."""
    s = summary
    broken = reconciliation(s)
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
        Check("figures reconcile", not broken, "; ".join(broken) or "every identity holds"),
        *_line_checks(s.channels.get("line")),
    )
    return replace(summary, checks=checks)


def _line_checks(line: dict[str, Any] | None) -> tuple[Check, ...]:
    """What must hold on LINE as on X (none when the run had no LINE side)."""
    if line is None:
        return ()
    return (
        Check(
            "nothing lost on LINE",
            line["lost"] == 0,
            f"{line['lost']} of {line['messages_received'] + line['verification_messages']} "
            "event(s) not stored",
        ),
        Check(
            "nothing stored twice on LINE",
            line["duplicates"] == 0,
            f"{line['duplicates']} duplicate row(s)",
        ),
        Check(
            "every LINE event processed",
            line["unprocessed"] == 0,
            f"{line['unprocessed']} still new at the end",
        ),
        Check(
            "every LINE case acknowledged once",
            line["acknowledgements"] == line["cases"] and line["duplicate_acknowledgements"] == 0,
            f"{line['acknowledgements']} of {line['cases']} case(s) acknowledged in the chat; "
            f"{line['duplicate_acknowledgements']} twice",
        ),
        Check(
            "no LINE text in public",
            line["private_leaks"] == 0,
            f"{line['private_leaks']} X post(s) quote a LINE chat",
        ),
    )
