"""Notices, emergency alerts and air-quality warnings on LINE, as `line_cast` rows queued in the
transaction that marks the notice done (`channels/line/casting` sends them, exactly once).

- A public notice reaches every friend of the account: a broadcast; with age groups that fit
  LINE's 5-year bands, LINE's demographic narrowcast (and the account's `area`, if set).
- A segmented notice (`dm`: topic, districts, age groups from the town's own opt-in data) is a
  multicast to the opted-in residents with a LINE identity that can be reached, in batches of at
  most 500 user ids: one row per batch, each with its own key and retry key, each user in one.
- An emergency alert is a broadcast at EMERGENCY priority: it goes before anything queued.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import AgeGroup, Config, LineAccount
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CastKind, CastStatus
from jun_engine.outbox.api import Priority
from jun_engine.scheduling.calendar import local_day
from jun_engine.scheduling.errors import InvalidNoticeError
from jun_engine.scheduling.segments import Segment, recipients
from jun_engine.store.tables import LineCastRow, ScheduledItemRow

MULTICAST_MAX = 500
"""User ids per multicast (LINE's limit)."""
UNDER_WAY = (CastStatus.PENDING, CastStatus.SENDING, CastStatus.ACCEPTED)
LINE_AGES = range(15, 75, 5)
"""The age bounds LINE's narrowcast knows: age_15 ... age_70."""


def on_line(row: ScheduledItemRow) -> bool:
    """Whether a notice or alert goes out on LINE."""
    return Channel.LINE.value in row.channels.split()


def on_x(row: ScheduledItemRow) -> bool:
    """Whether a notice or alert goes out on X."""
    return Channel.X.value in row.channels.split()


def line_account(config: Config, key: str | None) -> tuple[str, LineAccount]:
    """The LINE account a notice goes from: `key`, else the first in accounts.yaml."""
    if config.line is None:
        raise InvalidNoticeError("accounts.yaml has no `line` section: no LINE account to use")
    accounts = config.line.accounts
    chosen = key or next(iter(accounts))
    if chosen not in accounts:
        known = ", ".join(accounts)
        raise InvalidNoticeError(f"unknown LINE account {chosen!r} (known: {known})")
    return chosen, accounts[chosen]


def line_demographic(
    config: Config, age_groups: Sequence[str], area: str | None
) -> dict[str, object]:
    """LINE's demographic filter for `age_groups` (and `area`); InvalidNoticeError when a group
    does not fit LINE's 5-year bands (use a segmented notice instead)."""
    bands = [_band(key, config.notices.age_groups[key]) for key in age_groups]
    ages: dict[str, object] = bands[0] if len(bands) == 1 else {"type": "operator", "or": bands}
    if area is None:
        return ages
    return {"type": "operator", "and": [ages, {"type": "area", "oneOf": [area]}]}


def _band(key: str, group: AgeGroup) -> dict[str, object]:
    top = group.max_age + 1
    if group.min_age not in LINE_AGES or (top not in LINE_AGES and group.max_age < 70):
        raise InvalidNoticeError(
            f"age group {key!r} ({group.min_age}-{group.max_age}) does not fit LINE's 5-year "
            "bands (15, 20 ... 70): send it to opted-in residents with --dm --topic"
        )
    band: dict[str, object] = {"type": "age", "gte": f"age_{group.min_age}"}
    if top in LINE_AGES:
        band["lt"] = f"age_{top}"
    return band


def queue_line_notice(
    session: Session, config: Config, row: ScheduledItemRow, key: str, text: str, now: datetime
) -> int:
    """Queue a notice's LINE casts under `key` (one occurrence); returns the multicast
    recipients (0 for a broadcast or narrowcast, whose reach LINE reports)."""
    assert row.id is not None
    account_key, account = line_account(config, row.line_account)
    cast = _Cast(session, account.bot_user_id, text, row.priority, row.valid_until, row.id)
    if row.dm:
        segment = Segment(
            row.topic, tuple(row.districts.splitlines()), tuple(row.age_groups.split())
        )
        year = local_day(config, now).year
        people = recipients(session, config, segment, year, Channel.LINE)
        user_ids = [person.user_id for person in people]
        for batch, start in enumerate(range(0, len(user_ids), MULTICAST_MAX), start=1):
            chunk = user_ids[start : start + MULTICAST_MAX]
            cast.add(f"{key}:line:{account_key}:{batch}", CastKind.MULTICAST, recipients=chunk)
        return len(user_ids)
    if row.age_groups:
        audience = line_demographic(config, row.age_groups.split(), account.area)
        cast.add(f"{key}:line:{account_key}", CastKind.NARROWCAST, audience=audience)
    else:
        cast.add(f"{key}:line:{account_key}", CastKind.BROADCAST)
    return 0


def queue_line_alert(session: Session, config: Config, row: ScheduledItemRow) -> int:
    """Broadcast an emergency alert from every LINE account, ahead of everything; returns how
    many broadcasts were queued."""
    assert row.id is not None
    if config.line is None:
        return 0
    for key, account in config.line.accounts.items():
        cast = _Cast(session, account.bot_user_id, row.text, Priority.EMERGENCY, None, row.id)
        cast.add(f"alert:{row.id}:line:{key}", CastKind.BROADCAST)
    return len(config.line.accounts)


def queue_line_air(session: Session, config: Config, day: date, text: str) -> int:
    """Broadcast a day's air-quality (PM2.5) warning from every LINE account."""
    if config.line is None:
        return 0
    for key, account in config.line.accounts.items():
        cast = _Cast(session, account.bot_user_id, text, Priority.NOTICE, None, None)
        cast.add(f"air:{day.isoformat()}:line:{key}", CastKind.BROADCAST)
    return len(config.line.accounts)


class _Cast:
    """Adds `line_cast` rows sharing an account, text and priority; a key already queued is
    left as it is (a tick run twice queues nothing twice)."""

    def __init__(
        self,
        session: Session,
        account_id: str,
        text: str,
        priority: int,
        expires_at: datetime | None,
        notice_id: int | None,
    ) -> None:
        self._session = session
        self._common = {
            "account_id": account_id,
            "text": text,
            "priority": priority,
            "expires_at": expires_at,
            "notice_id": notice_id,
        }

    def add(
        self,
        key: str,
        how: CastKind,
        *,
        recipients: Sequence[str] = (),
        audience: dict[str, object] | None = None,
    ) -> None:
        known = self._session.exec(select(LineCastRow.id).where(LineCastRow.key == key)).first()
        if known is not None:
            return
        self._session.add(
            LineCastRow(
                key=key,
                how=how,
                recipients="\n".join(recipients),
                audience=json.dumps(audience, sort_keys=True) if audience else "",
                retry_key=str(uuid.uuid4()),
                **self._common,  # type: ignore[arg-type]
            )
        )
        self._session.flush()


@dataclass(frozen=True, slots=True)
class CastProgress:
    """How far a notice's LINE casts have gone: rows by state, and recipients LINE reached
    (multicasts' ids, narrowcasts' success counts, broadcasts' metered reach)."""

    casts: int
    sent: int
    waiting: int
    failed: int
    reached: int
    why: str | None = None
    """Why the first cast still waiting, or else the first that failed, did not go (the quota,
    LINE's refusal), if known."""

    def to_json(self) -> dict[str, int | str | None]:
        """As `notices status --json` prints it."""
        return {
            "casts": self.casts,
            "sent": self.sent,
            "waiting": self.waiting,
            "failed": self.failed,
            "reached": self.reached,
            "why": self.why,
        }


def cast_progress(session: Session, notice_id: int) -> CastProgress:
    """The LINE casts queued for a notice, by state."""
    rows = session.exec(
        select(LineCastRow).where(LineCastRow.notice_id == notice_id).order_by(col(LineCastRow.id))
    ).all()
    states = [row.status for row in rows]
    stuck = [row for row in rows if row.status in UNDER_WAY and row.last_error] + [
        row for row in rows if row.status is CastStatus.FAILED
    ]
    return CastProgress(
        casts=len(rows),
        sent=states.count(CastStatus.SENT),
        waiting=sum(state in UNDER_WAY for state in states),
        failed=states.count(CastStatus.FAILED),
        reached=sum(row.delivered or 0 for row in rows if row.status is CastStatus.SENT),
        why=stuck[0].last_error if stuck else None,
    )
