"""The official account's friends: LINE users with the profile LINE knows (for narrowcast's
demographic filters) and whether they follow or have blocked the account."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Gender = Literal["male", "female"]
AppType = Literal["ios", "android"]


@dataclass(slots=True)
class Friend:
    """One LINE user and what LINE knows about them."""

    user_id: str
    display_name: str
    language: str = "ja"
    age: int | None = None
    gender: Gender | None = None
    area: str | None = None
    """LINE's area code (jp_40 is Fukuoka, th_01 Bangkok)."""
    app_type: AppType = "android"
    district: str | None = None
    """Finer than LINE knows: the town's own district, for the simulated town only."""
    status_message: str | None = None
    following: bool = False
    blocked: bool = False
    """True after an unfollow: LINE calls this blocking; nothing reaches them."""
    followed_at: datetime | None = None
    ever_blocked: bool = False
    received: list[dict[str, object]] = field(default_factory=list)
    """Every message object delivered to them, oldest first."""

    @property
    def reachable(self) -> bool:
        """True when messages reach them: a friend who has not blocked the account."""
        return self.following and not self.blocked


class FriendBook:
    """Every LINE user the emulator knows, by user id; thread-safe."""

    def __init__(self) -> None:
        self._friends: dict[str, Friend] = {}
        self.lock = threading.RLock()

    def add(self, friend: Friend) -> Friend:
        """Register a user (their id must be new)."""
        with self.lock:
            if friend.user_id in self._friends:
                raise ValueError(f"user {friend.user_id} already exists")
            self._friends[friend.user_id] = friend
            return friend

    def get(self, user_id: str) -> Friend | None:
        """The user with this id, or None."""
        with self.lock:
            return self._friends.get(user_id)

    def all(self) -> list[Friend]:
        """Every user, in the order they were added."""
        with self.lock:
            return list(self._friends.values())

    def reachable(self) -> list[Friend]:
        """Every friend messages reach."""
        with self.lock:
            return [f for f in self._friends.values() if f.reachable]

    def follow(self, user_id: str, now: datetime) -> bool:
        """Mark a user as following; returns True when they had blocked the account before."""
        with self.lock:
            friend = self._friends[user_id]
            unblocked = friend.blocked
            friend.following, friend.blocked = True, False
            friend.followed_at = now
            return unblocked

    def unfollow(self, user_id: str) -> None:
        """Mark a user as having blocked the account."""
        with self.lock:
            friend = self._friends[user_id]
            friend.blocked, friend.ever_blocked = True, True

    def deliver(self, user_id: str, messages: list[dict[str, object]]) -> bool:
        """Put messages in a user's chat; False (nothing delivered) when they are unreachable."""
        with self.lock:
            friend = self._friends.get(user_id)
            if friend is None or not friend.reachable:
                return False
            friend.received.extend(messages)
            return True
