"""Mention-to-acknowledgement latency of the real daemon against the emulator's simulated town.

Runs the demo's machinery (emulator + simulated town + the real `Daemon` in-process, SQLite) at
two clock speeds and reads each case's latency from the emulator's record: the time between the
resident's post and the town's acknowledgement, in the town's (emulated) seconds. The mentions
poll interval the rate limits allow (all accounts share the app's 450 requests / 15 min) is the
floor a polling engine cannot beat; the ratio to it says how much the rest of the pipeline adds.
At a high speed the daemon's real-time idle waits (half a second of real time between checks)
are many emulated seconds, so the slower run is the fairer figure.
"""

from __future__ import annotations

import io
import tempfile
import threading
from pathlib import Path

from jun_engine.channels.x.intake import budget, streams
from jun_engine.config import load_config
from jun_engine.demo.orchestrate import DemoRun, DemoSettings
from jun_engine.demo.play import play
from jun_engine.demo.views import ProgressLines
from jun_engine.domain.statuses import PollStream

TITLE = "Cases: mention-to-acknowledgement latency"
CONFIG = Path(__file__).resolve().parent.parent / "accounts.yaml"
RUNS = ((60.0, 60.0, 120.0), (240.0, 45.0, 60.0))
"""(speed, real seconds, requests an emulated hour) for each run."""


def run() -> str:
    config = load_config(CONFIG).config
    refs = [r for r in streams.streams_of(config) if r.stream is PollStream.MENTIONS]
    interval = budget.limit_interval(budget.READ_LIMITS[PollStream.MENTIONS])
    seconds = interval.total_seconds()
    rows = []
    for speed, duration, rate in RUNS:
        settings = DemoSettings(duration=duration, speed=speed, rate_per_hour=rate)
        with tempfile.TemporaryDirectory(prefix="jun-bench-") as work:
            demo = DemoRun(config, settings, Path(work))
            try:
                demo.start()
                summary = play(demo, ProgressLines(io.StringIO()), threading.Event())
            finally:
                demo.close()
        p50, p95 = summary.ack_latency_p50_s or 0.0, summary.ack_latency_p95_s or 0.0
        rows.append(
            f"| {speed:g}x | {summary.acknowledgements} | {p50:.0f} s | {p95:.0f} s | "
            f"{p50 / seconds:.1f} | {p95 / seconds:.1f} |"
        )
    return "\n".join(
        [
            f"Mentions poll interval the rate limits allow: {seconds:.1f} s "
            f"(each of the {len(refs)} accounts has its own 300 requests / 15 min with its user "
            "token; 80% headroom).",
            "",
            "| clock speed | cases acknowledged | p50 | p95 | p50 / interval | p95 / interval |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Latencies are in the town's (emulated) seconds, from the resident's post to the "
            "town's acknowledgement as the emulator recorded them. Acknowledgements by DM share "
            "the town account's 15 DMs / 15 min, so a burst of DM cases queues behind that limit.",
        ]
    )
