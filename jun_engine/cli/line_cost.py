"""What a notice or an alert costs on LINE, worked out before it is queued: how it goes, whom it
reaches, the quota messages it spends and the month's quota so far (`notices add`, `alert`).

A notice whose cost can never fit in one month's quota (`quota.never_fits`) is refused when it is
added, rather than held by the quota gate forever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from jun_engine.channels.line.casting import broadcast_reach
from jun_engine.channels.line.month import cap_of, month_of
from jun_engine.channels.line.quota import Tier, never_fits, tier_of
from jun_engine.config.schema import Config, LineAccount
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CastKind
from jun_engine.scheduling.calendar import local_day
from jun_engine.scheduling.errors import InvalidNoticeError
from jun_engine.scheduling.line_casts import line_account, on_line
from jun_engine.scheduling.segments import Segment, recipients
from jun_engine.store.tables import LineQuotaRow, ScheduledItemRow


@dataclass(frozen=True, slots=True)
class LineCost:
    """One LINE account's part of a notice or alert."""

    account: str
    """Its key under `line.accounts`."""
    how: CastKind
    reach: int | None
    """Recipients (a multicast's), or friends a broadcast is expected to reach (the account's
    last broadcast's reach); None: not known (a first broadcast; a narrowcast, which LINE
    limits to the quota left)."""
    used: int
    cap: int | None

    def text(self) -> str:
        """`a LINE broadcast from town_line to about 1,203 friend(s) (1,203 quota messages;
        this month 40 of 200 used)`."""
        whom = {
            CastKind.BROADCAST: "every friend",
            CastKind.NARROWCAST: "its friends in the age band",
            CastKind.MULTICAST: "opted-in residents",
        }[self.how]
        if self.reach is not None:
            unit = "friend(s)" if self.how is CastKind.BROADCAST else "resident(s)"
            whom = f"{'about ' if self.how is CastKind.BROADCAST else ''}{self.reach:,} {unit}"
        cost = "cost unknown" if self.reach is None else f"{self.reach:,} quota message(s)"
        cap = "no cap" if self.cap is None else f"{self.used:,} of {self.cap:,} used"
        return f"a LINE {self.how.value} from {self.account} to {whom} ({cost}; this month {cap})"

    def to_json(self) -> dict[str, object]:
        """As `--json` prints it."""
        return {
            "account": self.account,
            "how": self.how.value,
            "reach": self.reach,
            "quota_cost": self.reach,
            "quota_used": self.used,
            "quota_cap": self.cap,
        }


def notice_cost(session: Session, config: Config, notice_id: int, now: datetime) -> LineCost | None:
    """What the notice `notice_id` costs on LINE (None: it does not go out on LINE)."""
    row = session.get(ScheduledItemRow, notice_id)
    if row is None or not on_line(row):
        return None
    key, account = line_account(config, row.line_account)
    if row.dm:
        segment = Segment(
            row.topic, tuple(row.districts.splitlines()), tuple(row.age_groups.split())
        )
        year = local_day(config, now).year
        reach = len(recipients(session, config, segment, year, Channel.LINE))
        return _cost(session, key, account, CastKind.MULTICAST, reach, now)
    if row.age_groups:
        return _cost(session, key, account, CastKind.NARROWCAST, None, now)
    return _broadcast(session, key, account, now)


def alert_costs(session: Session, config: Config, now: datetime) -> list[LineCost]:
    """What an alert costs on each LINE account: a broadcast (never held: an emergency)."""
    if config.line is None:
        return []
    return [_broadcast(session, key, a, now) for key, a in config.line.accounts.items()]


def refuse_if_never_fits(
    session: Session, config: Config, cost: LineCost, priority: int, now: datetime
) -> None:
    """InvalidNoticeError when `cost` can never go out within one month's quota."""
    if cost.reach is None or config.line is None:
        return
    account = config.line.accounts[cost.account]
    tier = tier_of(priority, None)
    why = never_fits(session, account, tier, cost.reach, now)
    if why is None:
        return
    advice = (
        "narrow it (--district, --age-group), send it on X, or raise the account's plan or "
        "monthly_quota_cap"
        if tier is Tier.NOTICE
        else "raise the account's plan or monthly_quota_cap"
    )
    raise InvalidNoticeError(f"on LINE account {cost.account!r}, {why}; {advice}")


def _broadcast(session: Session, key: str, account: LineAccount, now: datetime) -> LineCost:
    reach = broadcast_reach(session, account.bot_user_id) or None
    return _cost(session, key, account, CastKind.BROADCAST, reach, now)


def _cost(
    session: Session,
    key: str,
    account: LineAccount,
    how: CastKind,
    reach: int | None,
    now: datetime,
) -> LineCost:
    row = session.get(LineQuotaRow, (account.bot_user_id, month_of(now)))
    used = row.spent if row is not None else 0
    return LineCost(key, how, reach, used, cap_of(account, row))
