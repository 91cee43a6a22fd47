"""Who a narrowcast reaches: `recipient` trees (audiences, redeliveries, and/or/not) and
demographic `filter` trees matched against what LINE knows of each friend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jun_engine.emulator.line.errors import bad_request
from jun_engine.emulator.line.friends import Friend

SMALL_AUDIENCE = 50
"""LINE refuses (errorCode 4) a narrowcast that includes an audience of fewer recipients."""


@dataclass(slots=True)
class Audience:
    """An uploaded audience: user ids the channel chose."""

    audience_group_id: int
    description: str
    user_ids: list[str]
    created: datetime


@dataclass(slots=True)
class Selection:
    """The users a recipient tree names, and whether it used an audience under 50."""

    user_ids: set[str]
    small_audience: bool = False
    audiences: list[int] = field(default_factory=list)


class Segments:
    """Evaluates recipient and filter trees against the friends, audiences and past sends."""

    def __init__(
        self,
        audiences: dict[int, Audience],
        past: dict[str, set[str]],
        everyone: set[str],
    ) -> None:
        self._audiences = audiences
        self._past = past
        """Narrowcast request id -> the users it reached (for `redelivery`)."""
        self._everyone = everyone

    def recipients(self, tree: dict[str, Any] | None, where: str = "recipient") -> Selection:
        """The users a recipient tree selects (everyone when there is none)."""
        if tree is None:
            return Selection(set(self._everyone))
        kind = tree.get("type")
        if kind == "audience":
            return self._audience(tree, where)
        if kind == "redelivery":
            request_id = tree.get("requestId")
            if request_id not in self._past:
                raise bad_request("The request ID is not found", f"{where}.requestId")
            return Selection(set(self._past[str(request_id)]))
        return self._operator(tree, where)

    def _audience(self, tree: dict[str, Any], where: str) -> Selection:
        group = self._audiences.get(tree.get("audienceGroupId", -1))
        if group is None:
            raise bad_request("The audience is not found", f"{where}.audienceGroupId")
        users = set(group.user_ids)
        small = len(users) < SMALL_AUDIENCE
        return Selection(users, small, [group.audience_group_id])

    def _operator(self, tree: dict[str, Any], where: str) -> Selection:
        if "and" in tree:
            parts = [self.recipients(p, f"{where}.and[{i}]") for i, p in enumerate(tree["and"])]
            users = set.intersection(*(p.user_ids for p in parts)) if parts else set()
        elif "or" in tree:
            parts = [self.recipients(p, f"{where}.or[{i}]") for i, p in enumerate(tree["or"])]
            users = set().union(*(p.user_ids for p in parts))
        elif "not" in tree:
            parts = [self.recipients(tree["not"], f"{where}.not")]
            users = self._everyone - parts[0].user_ids
        else:
            raise bad_request("An operator needs and, or or not", where)
        return Selection(
            users,
            any(p.small_audience for p in parts),
            [a for p in parts for a in p.audiences],
        )


def matches(friend: Friend, demographic: dict[str, Any], now: datetime) -> bool:
    """True when a friend fits a demographic filter tree."""
    kind = demographic.get("type")
    if kind == "operator":
        if "and" in demographic:
            return all(matches(friend, d, now) for d in demographic["and"])
        if "or" in demographic:
            return any(matches(friend, d, now) for d in demographic["or"])
        if "not" in demographic:
            return not matches(friend, demographic["not"], now)
        return True
    if kind == "age":
        return _in_range(friend.age, demographic, "age_")
    if kind == "subscriptionPeriod":
        days = None
        if friend.followed_at is not None:
            days = (now - friend.followed_at) // timedelta(days=1)
        return _in_range(days, demographic, "day_")
    values = demographic.get("oneOf", [])
    attribute = {"gender": friend.gender, "area": friend.area, "appType": friend.app_type}
    return attribute.get(str(kind)) in values


def _in_range(value: int | None, bounds: dict[str, Any], prefix: str) -> bool:
    if value is None:
        return False  # LINE leaves out users whose attribute it does not know
    low, high = bounds.get("gte"), bounds.get("lt")
    if low is not None and value < int(str(low).removeprefix(prefix)):
        return False
    return high is None or value < int(str(high).removeprefix(prefix))
