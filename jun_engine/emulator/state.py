"""Everything the emulated X knows: users, posts, mentions and DMs, behind one lock; no HTTP."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.entities import hashtags_in, mentions_in, urls_in
from jun_engine.emulator.ids import Snowflakes
from jun_engine.emulator.records import DmEvent, Entity, Post, User, conversation_id_for

MENTIONS_WINDOW = 800
"""Only the newest 800 mentions of a user are reachable through the API."""

DM_HISTORY = timedelta(days=30)
"""DM events older than this are no longer returned."""


class UnknownUserError(LookupError):
    """No user has this id."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"no user with id {user_id}")
        self.user_id = user_id


class NotTextError(ValueError):
    """A string that is not Unicode text (a lone surrogate): X could never have carried it."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the {what} holds a lone surrogate, which UTF-8 cannot carry")


def _require_text(what: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotTextError(what) from None


class UnknownPostError(LookupError):
    """No post has this id (or it was deleted)."""

    def __init__(self, post_id: str) -> None:
        super().__init__(f"no post with id {post_id}")
        self.post_id = post_id


@dataclasses.dataclass(frozen=True, slots=True)
class UserCounts:
    """How much one user has received and sent, ever (kept as counters: stats stay cheap)."""

    mentions_received: int
    """Posts that mentioned the user, deleted ones included."""
    dms_received: int
    posts_sent: int
    """Posts the user wrote and has not deleted."""
    dms_sent: int


class State:
    """Users, posts and DM events, with the indexes the endpoints read; thread-safe (one lock).

    Hold `state.lock` to make a check and a write atomic (the duplicate-content rule does).
    """

    def __init__(self, clock: Clock, snowflakes: Snowflakes | None = None) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self._ids = snowflakes or Snowflakes()
        self._users: dict[str, User] = {}
        self._by_handle: dict[str, str] = {}
        self._posts: dict[str, Post] = {}
        self._timeline: list[str] = []
        self._posts_by: dict[str, list[str]] = {}
        self._mentions_of: dict[str, list[str]] = {}
        self._dms: dict[str, DmEvent] = {}
        self._dms_of: dict[str, list[str]] = {}
        self._deleted_by: Counter[str] = Counter()
        self._dms_sent: Counter[str] = Counter()
        self._dms_received: Counter[str] = Counter()

    # --- users ---------------------------------------------------------------------------

    def add_user(
        self, handle: str, name: str, *, user_id: str | None = None, verified: bool = False
    ) -> User:
        """Create a user, or return the existing one with this handle (handles are unique)."""
        _require_text("handle", handle)
        _require_text("name", name)
        with self.lock:
            existing = self._by_handle.get(handle.lower())
            if existing is not None:
                return self._users[existing]
            now = self.clock.now()
            new_id = user_id or self._ids.next_id(now)
            if new_id in self._users:
                raise ValueError(f"user id {new_id} is already taken")
            user = User(id=new_id, username=handle, name=name, created_at=now, verified=verified)
            self._users[new_id] = user
            self._by_handle[handle.lower()] = new_id
            return user

    def user(self, user_id: str) -> User:
        """The user with this id; UnknownUserError if none."""
        with self.lock:
            found = self._users.get(user_id)
        if found is None:
            raise UnknownUserError(user_id)
        return found

    def find_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        with self.lock:
            return self._users.get(user_id)

    def user_by_handle(self, handle: str) -> User | None:
        """The user with this handle (case-insensitive), or None."""
        with self.lock:
            user_id = self._by_handle.get(handle.lower())
            return self._users.get(user_id) if user_id else None

    def users(self) -> list[User]:
        """Every user, in creation order."""
        with self.lock:
            return list(self._users.values())

    # --- posts ---------------------------------------------------------------------------

    def create_post(
        self,
        author_id: str,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        quote_id: str | None = None,
        via_api: bool = False,
        visible_after: timedelta = timedelta(0),
    ) -> Post:
        """Store a new post, index it for its author and everyone it mentions; returns it."""
        _require_text("post text", text)
        with self.lock:
            self.user(author_id)
            parent = self.post(in_reply_to_id) if in_reply_to_id else None
            if quote_id:
                self.post(quote_id)
            now = self.clock.now()
            post_id = self._ids.next_id(now)
            mentions = tuple(self._resolve(m) for m in mentions_in(text))
            implied = {parent.author_id} if parent else set()
            mentioned = ({m.user_id for m in mentions if m.user_id} | implied) - {author_id}
            post = Post(
                id=post_id,
                author_id=author_id,
                text=text,
                created_at=now,
                conversation_id=parent.conversation_id if parent else post_id,
                in_reply_to_id=parent.id if parent else None,
                in_reply_to_user_id=parent.author_id if parent else None,
                quote_id=quote_id,
                mentions=mentions,
                hashtags=hashtags_in(text),
                urls=urls_in(text),
                mentioned_ids=frozenset(mentioned),
                visible_at=now + visible_after,
                via_api=via_api,
            )
            self._posts[post_id] = post
            self._timeline.append(post_id)
            self._posts_by.setdefault(author_id, []).append(post_id)
            for user_id in mentioned:
                self._mentions_of.setdefault(user_id, []).append(post_id)
            return post

    def post(self, post_id: str) -> Post:
        """The post with this id; UnknownPostError if none or deleted."""
        with self.lock:
            found = self._posts.get(post_id)
        if found is None or found.deleted:
            raise UnknownPostError(post_id)
        return found

    def find_post(self, post_id: str) -> Post | None:
        """The post with this id, deleted or not, or None."""
        with self.lock:
            return self._posts.get(post_id)

    def delete_post(self, post_id: str) -> Post:
        """Mark a post deleted: it leaves every timeline; returns the deleted record."""
        with self.lock:
            deleted = dataclasses.replace(self.post(post_id), deleted=True)
            self._posts[post_id] = deleted
            self._deleted_by[deleted.author_id] += 1
            return deleted

    def mentions_of(self, user_id: str, now: datetime) -> list[Post]:
        """The reachable mentions of a user, newest first: visible, not deleted, the newest 800."""
        with self.lock:
            return list(
                _newest(self._posts, self._mentions_of.get(user_id, []), now, MENTIONS_WINDOW)
            )

    def posts_by(self, user_id: str) -> list[Post]:
        """A user's posts (not deleted), newest first."""
        with self.lock:
            ids = self._posts_by.get(user_id, [])
            return [p for p in (self._posts[i] for i in reversed(ids)) if not p.deleted]

    def timeline(self, since: datetime) -> list[Post]:
        """Every post (not deleted) created at or after `since`, newest first."""
        with self.lock:
            found: list[Post] = []
            for post_id in reversed(self._timeline):
                post = self._posts[post_id]
                if post.created_at < since:
                    break
                if not post.deleted:
                    found.append(post)
            return found

    def recent_texts_by(self, user_id: str, since: datetime) -> set[str]:
        """The texts of a user's posts (not deleted) created at or after `since`."""
        with self.lock:
            texts: set[str] = set()
            for post_id in reversed(self._posts_by.get(user_id, [])):
                post = self._posts[post_id]
                if post.created_at < since:
                    break
                if not post.deleted:
                    texts.add(post.text)
            return texts

    def _resolve(self, mention: Entity) -> Entity:
        user = self.user_by_handle(mention.value)
        return dataclasses.replace(mention, user_id=user.id) if user else mention

    # --- direct messages -----------------------------------------------------------------

    def create_dm(self, sender_id: str, recipient_id: str, text: str, *, via_api: bool) -> DmEvent:
        """Store a DM from sender to recipient in their 1:1 conversation; returns the event."""
        _require_text("DM text", text)
        with self.lock:
            self.user(sender_id)
            self.user(recipient_id)
            now = self.clock.now()
            event = DmEvent(
                id=self._ids.next_id(now),
                conversation_id=conversation_id_for(sender_id, recipient_id),
                sender_id=sender_id,
                recipient_id=recipient_id,
                text=text,
                created_at=now,
                via_api=via_api,
            )
            self._dms[event.id] = event
            self._dms_sent[sender_id] += 1
            self._dms_received[recipient_id] += 1
            self._dms_of.setdefault(sender_id, []).append(event.id)
            if recipient_id != sender_id:
                self._dms_of.setdefault(recipient_id, []).append(event.id)
            return event

    def dm_events_of(self, user_id: str, now: datetime) -> list[DmEvent]:
        """A user's DM events, sent and received, newest first, within 30 days of history."""
        oldest = now - DM_HISTORY
        with self.lock:
            found: list[DmEvent] = []
            for event_id in reversed(self._dms_of.get(user_id, [])):
                event = self._dms[event_id]
                if event.created_at < oldest:
                    break
                if event.created_at <= now:
                    found.append(event)
            return found

    def dms_sent_by(self, user_id: str) -> list[DmEvent]:
        """Every DM a user sent, oldest first."""
        with self.lock:
            return [
                e
                for e in (self._dms[i] for i in self._dms_of.get(user_id, []))
                if e.sender_id == user_id
            ]

    def dms_received_by(self, user_id: str) -> list[DmEvent]:
        """Every DM a user received, oldest first."""
        with self.lock:
            return [
                e
                for e in (self._dms[i] for i in self._dms_of.get(user_id, []))
                if e.recipient_id == user_id
            ]

    def counts(self, user_id: str) -> UserCounts:
        """What a user has received and sent, in constant time (for the stats endpoint)."""
        with self.lock:
            return UserCounts(
                mentions_received=len(self._mentions_of.get(user_id, ())),
                dms_received=self._dms_received[user_id],
                posts_sent=len(self._posts_by.get(user_id, ())) - self._deleted_by[user_id],
                dms_sent=self._dms_sent[user_id],
            )


def _newest(posts: dict[str, Post], ids: list[str], now: datetime, limit: int) -> Iterator[Post]:
    count = 0
    for post_id in reversed(ids):
        post = posts[post_id]
        if post.deleted or (post.visible_at is not None and post.visible_at > now):
            continue
        yield post
        count += 1
        if count >= limit:
            return
