"""The summary for people: a few aligned lines, then the checks, each with its figures."""

from __future__ import annotations

from jun_engine.demo.summary import DemoSummary


def summary_lines(s: DemoSummary) -> list[str]:
    """The summary as plain lines (no markup)."""
    lines = [
        f"jun-engine demo: {s.duration_s:.0f} s real, {s.town_hours:g} h of town time "
        f"(speed {s.speed:g}, seed {s.seed}); the town fell quiet {s.quiet_s:g} s before the end"
        + (" (interrupted)" if s.interrupted else ""),
        f"  messages      {s.messages_received} received, {s.messages_stored} stored "
        f"(+{s.verification_dms} verification DMs), {s.duplicates} duplicate(s), {s.lost} lost, "
        f"{s.waiting_verification} waiting for verification",
        f"  residents     {s.residents_verified} of {s.residents_enrolled} enrolled verified",
        f"  cases         {s.cases_opened} opened, {s.acknowledgements} acknowledged on X, "
        f"routing matches the town's intent in {_share(s.routing_accuracy)}",
        f"  self-service  {s.self_service_answered} answered without a department "
        f"({_share(s.self_service_share)} of processed messages)",
        "  departments   " + ", ".join(f"{k} {v}" for k, v in s.cases_by_department.items()),
        f"  staff         {s.staff_replies} replies in the town, {s.staff_replies_recorded} "
        f"recorded on cases; {s.escalations} escalation(s)",
        f"  latency       acknowledge p50 {_seconds(s.ack_latency_p50_s)} p95 "
        f"{_seconds(s.ack_latency_p95_s)}; answer p50 {_seconds(s.answer_latency_p50_s)} p95 "
        f"{_seconds(s.answer_latency_p95_s)} (town time)",
        f"  sent          {s.posts_made} posts and {s.dms_made} DMs; {s.scheduled_posts} "
        f"scheduled post(s); {s.outbox_abandoned} given up"
        + (f" ({_reasons(s.abandoned_by_reason)})" if s.abandoned_by_reason else ""),
        f"  X API         {s.api_requests} requests, ${s.api_cost_usd:.4f} estimated "
        f"(emulator ledger: {s.api_requests_emulator} billed requests, "
        f"${s.api_cost_usd_emulator:.4f})",
        "checks:",
    ]
    lines += [f"  [{'ok' if c.ok else 'FAILED'}] {c.name}: {c.detail}" for c in s.checks]
    return lines


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 60:.1f} min" if value >= 120 else f"{value:.0f} s"


def _reasons(reasons: dict[str, int]) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
