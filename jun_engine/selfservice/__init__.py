"""Self-service: appointments booked by DM, instant answers and help, without a department.

`handle(message, turn) -> bool` is the processing chain's step;
`appointments.send_reminders(session, config, now) -> int` is the daemon's periodic job;
`metrics.self_service_share(session, since=None) -> float` feeds the demo's summary.
"""

from jun_engine.selfservice.handler import handle

__all__ = ["handle"]
