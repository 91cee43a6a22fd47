"""Emergency alerts: posted at once from the town account ahead of everything queued, and
optionally DM'd to the residents of some districts who accept notices; broadcast on every LINE
account too, ahead of every queued LINE cast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind, ScheduledKind, ScheduledStatus
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.scheduling.calendar import zone
from jun_engine.scheduling.errors import InvalidNoticeError
from jun_engine.scheduling.line_casts import queue_line_alert
from jun_engine.scheduling.notice_queue import queue_dms
from jun_engine.scheduling.notices import MAX_TEXT
from jun_engine.store.tables import ScheduledItemRow


@dataclass(frozen=True, slots=True)
class AlertQueued:
    """An alert in the outbox: its id, its post's key and how many DMs went with it."""

    alert_id: int
    post_key: str
    dms: int


def alert_key(alert_id: int) -> str:
    """The outbox key of an alert's public post."""
    return f"alert:{alert_id}"


def alert_text(config: Config, text: str, now: datetime) -> str:
    """The post: marked urgent and stamped with the local time (two alerts never look alike)."""
    local = now.astimezone(zone(config))
    return f"⚠️ AVISO URGENTE · {config.town.name} · {local:%d/%m %H:%M}\n{text}"


def raise_alert(
    session: Session,
    config: Config,
    text: str,
    now: datetime,
    *,
    dm: bool = False,
    districts: Sequence[str] = (),
) -> AlertQueued:
    """Queue the alert, EMERGENCY first, with its DMs; it is marked done in the same transaction."""
    _check(config, text, dm, districts)
    full_text = alert_text(config, text.strip(), now)
    row = ScheduledItemRow(
        kind=ScheduledKind.ALERT,
        account_key=config.town.account,
        text=full_text,
        run_at=now,
        status=ScheduledStatus.DONE,
        created_at=now,
        last_run_at=now,
        dm=dm,
        districts="\n".join(districts),
        priority=Priority.EMERGENCY,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    key = alert_key(row.id)
    enqueue(
        session,
        key=key,
        account_id=config.town_account().user_id,
        kind=OutboxKind.POST,
        text=full_text,
        priority=Priority.EMERGENCY,
    )
    dms = queue_dms(session, config, row, now) if dm else 0
    if config.line is not None:
        row.channels = "x line"
        queue_line_alert(session, config, row)
    session.add(row)
    return AlertQueued(row.id, key, dms)


def _check(config: Config, text: str, dm: bool, districts: Sequence[str]) -> None:
    if not text.strip():
        raise InvalidNoticeError("the alert's text is empty")
    if len(text) > MAX_TEXT:
        raise InvalidNoticeError(f"the alert has {len(text)} characters; at most {MAX_TEXT}")
    if districts and not dm:
        raise InvalidNoticeError("--district needs --dm (the public post reaches everyone)")
    unknown = [district for district in districts if district not in config.town.districts]
    if unknown:
        known = ", ".join(config.town.districts)
        raise InvalidNoticeError(f"unknown district {unknown[0]!r} (known: {known})")
    if dm and not config.town_account().dm_access:
        raise InvalidNoticeError(f"the town account {config.town.account!r} has no dm_access")
