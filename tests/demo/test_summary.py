"""The summary's checks: each invariant holds or fails on its own figures, and `--json` carries
every key the issue names."""

from __future__ import annotations

from typing import Any

import pytest

from jun_engine.demo.report import summary_lines
from jun_engine.demo.summary import DemoSummary, judged

REQUIRED_KEYS = {
    "messages_received", "messages_stored", "duplicates", "lost", "cases_opened",
    "acknowledgements", "duplicate_acknowledgements", "private_leaks", "staff_replies",
    "scheduled_posts", "api_requests", "api_cost_usd", "ack_latency_p50_s", "ack_latency_p95_s",
    "self_service_share",
}  # fmt: skip


def summary(**overrides: Any) -> DemoSummary:
    """A run where everything went right, with `overrides` applied, judged."""
    values: dict[str, Any] = {
        "seed": 1, "speed": 1440.0, "duration_s": 20.0, "quiet_s": 5.0, "town_hours": 8.0,
        "interrupted": False, "messages_received": 40, "verification_dms": 30,
        "messages_stored": 70, "duplicates": 0, "lost": 0, "unprocessed": 0,
        "waiting_verification": 6, "residents_verified": 30, "residents_enrolled": 30,
        "cases_opened": 30, "acknowledgements": 30, "acknowledgements_missing": 0,
        "duplicate_acknowledgements": 0, "private_leaks": 0, "staff_replies": 10,
        "staff_replies_recorded": 10, "escalations": 2, "scheduled_posts": 3, "posts_made": 20,
        "dms_made": 60, "outbox_abandoned": 0, "api_requests": 500,
        "api_requests_emulator": 500, "api_cost_usd": 1.5, "api_cost_usd_emulator": 1.5,
        "ack_latency_p50_s": 600.0, "ack_latency_p95_s": 1500.0, "answer_latency_p50_s": 3600.0,
        "answer_latency_p95_s": 9000.0, "routing_accuracy": 0.95, "self_service_answered": 4,
        "self_service_share": 0.1, "cases_by_department": {"water": 30},
        "received_by_department": {"water": 40}, "departments_reached": ["water"],
        "departments_missed": [],
    }  # fmt: skip
    values.update(overrides)
    return judged(DemoSummary(**values))


def test_a_clean_run_passes_every_check() -> None:
    result = summary()
    assert result.ok
    assert result.failed == []


@pytest.mark.parametrize(
    ("overrides", "failing"),
    [
        ({"lost": 1}, "nothing lost"),
        ({"duplicates": 2}, "nothing stored twice"),
        ({"unprocessed": 1}, "every stored message processed"),
        ({"cases_opened": 0, "acknowledgements": 0}, "cases opened"),
        ({"acknowledgements": 29}, "every case acknowledged on X"),
        ({"acknowledgements_missing": 1}, "every case acknowledged on X"),
        ({"duplicate_acknowledgements": 1}, "no duplicate acknowledgement"),
        ({"private_leaks": 1}, "no private text in public"),
        ({"departments_missed": ["police"]}, "every department reached"),
    ],
)
def test_each_broken_invariant_fails_its_own_check(overrides: dict[str, Any], failing: str) -> None:
    result = summary(**overrides)
    assert not result.ok
    assert [check.name for check in result.failed] == [failing]


def test_the_json_summary_has_every_key_the_issue_names() -> None:
    data = summary().as_json()
    assert set(data) >= REQUIRED_KEYS
    assert data["ok"] is True
    assert {check["name"] for check in data["checks"]} >= {
        "nothing lost",
        "no private text in public",
    }


def test_the_human_summary_says_which_check_failed() -> None:
    lines = summary_lines(summary(private_leaks=3))
    assert "  [FAILED] no private text in public: 3 post(s)" in lines
    assert any(line.startswith("  latency       acknowledge p50 10.0 min") for line in lines)
