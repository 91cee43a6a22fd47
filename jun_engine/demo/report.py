"""The summary for people: a few aligned lines, then the checks, each with its figures."""

from __future__ import annotations

from typing import Any

from jun_engine.demo.summary import DemoSummary


def summary_lines(s: DemoSummary) -> list[str]:
    """The summary as plain lines (no markup). Each figure that could look contradictory next
    to another says what lies between them."""
    lines = [
        f"jun-engine demo: {s.duration_s:.0f} s real, {s.town_hours:g} h of town time "
        f"(speed {s.speed:g}, seed {s.seed}); the town fell quiet {s.quiet_s:g} s before the end"
        + (" (interrupted)" if s.interrupted else ""),
        f"  messages      {s.messages_received} from residents + {s.verification_dms} "
        f"verification DMs = {s.messages_stored} stored + {s.lost} lost; {s.duplicates} "
        f"duplicate(s); {s.waiting_verification} wait for verification",
        f"                the database holds {s.messages_stored_total} rows: those, "
        f"{s.engine_own_messages} of the engine's own posts and DMs that its other accounts "
        f"read (ignored, as designed) and {s.other_messages_stored} other(s)",
        f"  residents     {s.residents_verified} of {s.residents_enrolled} enrolled verified",
        f"  cases         {s.cases_opened} opened, {s.acknowledgements} acknowledged on X "
        f"({s.acknowledgement_messages} acknowledgement replies and DMs: a private category "
        f"gets both); routing matches the town's intent in {_share(s.routing_accuracy)}",
        f"  self-service  {s.self_service_answered} answered without a department "
        f"({_share(s.self_service_share)} of processed messages)",
        "  departments   " + ", ".join(f"{k} {v}" for k, v in s.cases_by_department.items()),
        f"  staff         {s.staff_replies} replies in residents' threads = "
        f"{s.staff_replies_recorded} recorded on cases + {s.staff_replies_no_case} to messages "
        f"with no case (unverified residents, self-service) + {s.staff_replies_not_recorded} "
        f"not recorded; {s.escalations} escalation(s)",
        f"  latency       acknowledge p50 {_both(s.ack_latency_p50_s, s.ack_latency_p50_real_s)} "
        f"p95 {_both(s.ack_latency_p95_s, s.ack_latency_p95_real_s)}; answer p50 "
        f"{_both(s.answer_latency_p50_s, s.answer_latency_p50_real_s)} p95 "
        f"{_both(s.answer_latency_p95_s, s.answer_latency_p95_real_s)} (town time; real)",
        f"  sent          {s.posts_made} posts and {s.dms_made} DMs; {s.scheduled_posts} "
        f"scheduled post(s); {s.outbox_abandoned} given up"
        + (f" ({_reasons(s.abandoned_by_reason)})" if s.abandoned_by_reason else ""),
        f"  X API         {s.api_requests} requests, ${s.api_cost_usd:.2f} estimated "
        f"(emulator ledger: {s.api_requests_emulator} billed requests, "
        f"${s.api_cost_usd_emulator:.2f})",
        f"                per UTC day, against the ${s.daily_spend_cap_usd:.2f} daily cap: "
        + (_days(s.api_cost_by_day) or "nothing spent"),
        *_line(s.channels.get("line")),
        "checks:",
    ]
    lines += [f"  [{'ok' if c.ok else 'FAILED'}] {c.name}: {c.detail}" for c in s.checks]
    return lines


def _line(line: dict[str, Any] | None) -> list[str]:
    """The LINE side's lines, when the run had one."""
    if line is None:
        return []
    return [
        f"  LINE          {line['messages_received']} events from residents + "
        f"{line['verification_messages']} codes in the chat = {line['messages_stored']} stored + "
        f"{line['lost']} lost; {line['duplicates']} duplicate(s); {line['cases']} cases, "
        f"{line['acknowledgements']} acknowledged in the chat",
        f"                {line['replies_free']} answer(s) by reply token (free), "
        f"{line['pushes']} push(es); {line['quota_used']} message(s) of the month's quota",
    ]


def _both(town: float | None, real: float | None) -> str:
    if town is None:
        return "n/a"
    return f"{_seconds(town)} ({_seconds(real)} real)"


def _days(by_day: dict[str, float]) -> str:
    return ", ".join(f"{day} ${usd:.2f}" for day, usd in by_day.items())


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def _reasons(reasons: dict[str, int]) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
