"""The TownSink the emulator hands a town driver: people using the X app, writing to the state."""

from __future__ import annotations

from datetime import datetime

from jun_engine.emulator.faults import FaultDice
from jun_engine.emulator.records import DmEvent, Post
from jun_engine.emulator.state import State
from jun_engine.emulator.town_api import DmView, PostView


class StateSink:
    """Writes straight to the state: no auth, no rate limits, no reply restriction."""

    def __init__(self, state: State, dice: FaultDice) -> None:
        self._state = state
        self._dice = dice

    def now(self) -> datetime:
        """The emulator clock's current time."""
        return self._state.clock.now()

    def add_user(self, handle: str, name: str) -> str:
        """Create (or find) a user by handle; returns its id."""
        return self._state.add_user(handle, name).id

    def tweet(
        self,
        author_id: str,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        quote_id: str | None = None,
    ) -> str:
        """Post as a person in the app would (late-mention faults still apply)."""
        post = self._state.create_post(
            author_id,
            text,
            in_reply_to_id=in_reply_to_id,
            quote_id=quote_id,
            visible_after=self._dice.late_by(),
        )
        return post.id

    def dm(self, sender_id: str, recipient_id: str, text: str) -> str:
        """Send a DM as a person in the app would; returns the event id."""
        return self._state.create_dm(sender_id, recipient_id, text, via_api=False).id

    def posts_by(self, user_id: str, since: datetime) -> list[PostView]:
        """The user's posts at or after `since`, oldest first."""
        posts = [p for p in self._state.posts_by(user_id) if p.created_at >= since]
        return [post_view(p) for p in reversed(posts)]

    def dms_to(self, user_id: str, since: datetime) -> list[DmView]:
        """DMs the user received at or after `since`, oldest first."""
        return [dm_view(e) for e in self._state.dms_received_by(user_id) if e.created_at >= since]


def post_view(post: Post) -> PostView:
    """The town's view of a post."""
    return PostView(
        id=post.id,
        author_id=post.author_id,
        text=post.text,
        created_at=post.created_at,
        conversation_id=post.conversation_id,
        in_reply_to_id=post.in_reply_to_id,
        quote_id=post.quote_id,
    )


def dm_view(event: DmEvent) -> DmView:
    """The town's view of a DM event."""
    return DmView(
        id=event.id,
        sender_id=event.sender_id,
        recipient_id=event.recipient_id,
        text=event.text,
        created_at=event.created_at,
        conversation_id=event.conversation_id,
    )
