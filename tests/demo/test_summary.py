"""The summary's checks: each invariant holds or fails on its own figures, the figures that
could look contradictory reconcile (issue 18), and `--json` carries every key the issue names."""

from __future__ import annotations

from typing import Any

import pytest

from jun_engine.demo.report import summary_lines
from jun_engine.demo.summary import DemoSummary, judged, reconciliation

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
        "departments_missed": [], "messages_stored_total": 95, "engine_own_messages": 25,
        "other_messages_stored": 0, "acknowledgement_messages": 33, "staff_replies_no_case": 0,
        "staff_replies_not_recorded": 0, "daily_spend_cap_usd": 5.0,
        "api_cost_by_day": {"2026-03-02": 1.25, "2026-03-03": 0.25},
        "ack_latency_p50_real_s": 0.42, "ack_latency_p95_real_s": 1.04,
        "answer_latency_p50_real_s": 2.5, "answer_latency_p95_real_s": 6.25,
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
        ({"lost": 1, "messages_stored": 69, "messages_stored_total": 94}, "nothing lost"),
        ({"duplicates": 2, "messages_stored_total": 97}, "nothing stored twice"),
        ({"unprocessed": 1}, "every stored message processed"),
        ({"cases_opened": 0, "acknowledgements": 0, "cases_by_department": {}}, "cases opened"),
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


RECONCILED = [
    # issue 18: received vs stored (the code DMs, and the engine's own posts its accounts read)
    ("received + verification DMs = stored + lost", {"messages_received": 41}),
    ("rows = stored + the engine's own + others + duplicates", {"engine_own_messages": 24}),
    # issue 18: staff replies in the town vs recorded on cases
    ("staff replies = recorded + no case + not recorded", {"staff_replies": 11}),
    ("cases = cases by department", {"cases_by_department": {"water": 29}}),
    # issue 18: the cost against the cap is per UTC day; the days add up to the total
    ("cost = cost by UTC day", {"api_cost_by_day": {"2026-03-02": 1.5, "2026-03-03": 0.25}}),
]


@pytest.mark.parametrize(("identity", "overrides"), RECONCILED)
def test_figures_that_do_not_add_up_fail_the_reconciliation_check(
    identity: str, overrides: dict[str, Any]
) -> None:
    result = summary(**overrides)
    [failed] = result.failed
    assert failed.name == "figures reconcile"
    assert failed.detail.startswith(identity)
    assert reconciliation(result) == [failed.detail]


def test_the_json_summary_reconciles_every_pair_of_figures_the_issue_names() -> None:
    data = summary(
        staff_replies=14, staff_replies_no_case=3, staff_replies_not_recorded=1
    ).as_json()
    assert data["ok"] is True
    # received vs stored
    assert data["messages_received"] + data["verification_dms"] == (
        data["messages_stored"] + data["lost"]
    )
    assert data["messages_stored_total"] == (
        data["messages_stored"] + data["engine_own_messages"]
        + data["other_messages_stored"] + data["duplicates"]
    )  # fmt: skip
    # acknowledged vs cases: cases, not acknowledgement messages, are counted
    assert data["acknowledgements"] == data["cases_opened"]
    assert data["acknowledgement_messages"] >= data["acknowledgements"]
    # staff replies in the town vs recorded on cases
    assert data["staff_replies"] == (
        data["staff_replies_recorded"] + data["staff_replies_no_case"]
        + data["staff_replies_not_recorded"]
    )  # fmt: skip
    # the cost against the cap, per UTC day
    assert sum(data["api_cost_by_day"].values()) == pytest.approx(data["api_cost_usd"])
    assert data["daily_spend_cap_usd"] == 5.0
    # latencies in town seconds and real seconds (town / speed)
    for name in ("ack_latency_p50", "ack_latency_p95", "answer_latency_p50", "answer_latency_p95"):
        assert data[f"{name}_real_s"] == pytest.approx(data[f"{name}_s"] / data["speed"], abs=0.01)


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
    assert any(
        line.startswith("  latency       acknowledge p50 10.0 min (0.4 s real)") for line in lines
    )


def test_the_human_summary_explains_each_pair_of_figures() -> None:
    text = "\n".join(summary_lines(summary()))
    assert "40 from residents + 30 verification DMs = 70 stored + 0 lost" in text
    assert "95 rows: those, 25 of the engine's own posts and DMs" in text
    assert "30 acknowledged on X (33 acknowledgement replies and DMs" in text
    assert "10 replies in residents' threads = 10 recorded on cases + 0 to messages" in text
    assert "against the $5.00 daily cap: 2026-03-02 $1.25, 2026-03-03 $0.25" in text
