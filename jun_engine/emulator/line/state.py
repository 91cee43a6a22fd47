"""Everything the emulated LINE channel knows, and the one way messages are sent: count the
quota per recipient reached, deliver, record in the ledger."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.channel import Channel
from jun_engine.emulator.line.content import CONTENT_RETENTION, ContentStore
from jun_engine.emulator.line.friends import Friend, FriendBook
from jun_engine.emulator.line.ids import IdMint
from jun_engine.emulator.line.keys import REPLY_TOKEN_LIFETIME, ReplyTokens, RetryKeys
from jun_engine.emulator.line.ledger import Entry, Ledger
from jun_engine.emulator.line.narrowcast import Job
from jun_engine.emulator.line.quota import QuotaMeter
from jun_engine.emulator.line.richmenus import RichMenus
from jun_engine.emulator.line.segments import Audience, Segments

QUOTED_TYPES = ("text", "textV2", "sticker", "image", "video")
"""Message types LINE gives a quote token when sent by push or reply."""


@dataclass(slots=True)
class WebhookSettings:
    """Where webhooks go."""

    url: str | None = None
    active: bool = True
    timeout: float = 2.0
    """Real seconds to wait for the engine's answer before counting the delivery as failed."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What a send did: who got it, and the sentMessages of the response."""

    delivered: list[str]
    sent_messages: list[dict[str, Any]]


class LineState:
    """The channel, its friends, menus, audiences, narrowcasts, quota and ledger."""

    def __init__(
        self,
        clock: Clock,
        seed: int,
        *,
        plan: str = "free",
        reply_token_lifetime: timedelta = REPLY_TOKEN_LIFETIME,
        content_retention: timedelta = CONTENT_RETENTION,
    ) -> None:
        self.clock = clock
        self.mint = IdMint(seed)
        self.channel = Channel.minted(self.mint)
        self.friends = FriendBook()
        self.replies = ReplyTokens(reply_token_lifetime)
        self.retry_keys = RetryKeys()
        self.content = ContentStore(content_retention)
        self.rich_menus = RichMenus()
        self.audiences: dict[int, Audience] = {}
        self.jobs: dict[str, Job] = {}
        self.quota = QuotaMeter(plan)
        self.ledger = Ledger()
        self.webhook = WebhookSettings()
        self.public_url = "http://127.0.0.1"
        """Where the emulator serves (profile picture URLs point here); set when it starts."""
        self.random = random.Random(seed)  # noqa: S311 (narrowcast sampling, not security)
        self.lock = threading.RLock()
        """Held while a send counts quota and delivers, so two sends never overspend."""

    # --- friends -------------------------------------------------------------------------

    def add_friend(self, friend: Friend) -> Friend:
        """Register a LINE user (see Friend)."""
        return self.friends.add(friend)

    def segments(self) -> Segments:
        """An evaluator of recipient trees over the current friends and audiences."""
        past = {rid: set(job.delivered) for rid, job in self.jobs.items() if job.done}
        everyone = {f.user_id for f in self.friends.reachable()}
        return Segments(self.audiences, past, everyone)

    # --- sending -------------------------------------------------------------------------

    def send(
        self,
        endpoint: str,
        request_id: str,
        user_ids: list[str],
        messages: list[dict[str, Any]],
        *,
        charge: bool = True,
        strict: bool = True,
        retry_key: str | None = None,
        targeted: int | None = None,
    ) -> Sent:
        """Deliver `messages` to every reachable user of `user_ids`, counting one message per
        user reached against the quota (unless `charge` is False: replies are free); 429
        "monthly limit" and nothing sent when they do not fit (unless not `strict`: a
        narrowcast's quota was checked when it was accepted)."""
        now = self.clock.now()
        with self.lock:
            unique = list(dict.fromkeys(user_ids))
            reach = [u for u in unique if (f := self.friends.get(u)) is not None and f.reachable]
            cost = len(reach) if charge else 0
            self.quota.charge(cost, now, strict=strict)
            sent = [self._sent_message(m) for m in messages]
            stamp = now.isoformat().replace("+00:00", "Z")
            for user_id in reach:
                records = [
                    {"id": s["id"], "via": endpoint, "sentAt": stamp, "message": m}
                    for s, m in zip(sent, messages, strict=True)
                ]
                self.friends.deliver(user_id, records)
            self.ledger.record(
                Entry(
                    now,
                    endpoint,
                    request_id,
                    len(messages),
                    len(unique) if targeted is None else targeted,
                    len(reach),
                    cost,
                    retry_key,
                )
            )
        return Sent(reach, sent)

    def _sent_message(self, message: dict[str, Any]) -> dict[str, Any]:
        out = {"id": self.mint.message_id()}
        if message.get("type") in QUOTED_TYPES:
            out["quoteToken"] = self.mint.quote_token()
        return out

    # --- narrowcast ----------------------------------------------------------------------

    def settle(self) -> None:
        """Finish every narrowcast whose sending time has passed (delivering it)."""
        now = self.clock.now()
        with self.lock:
            due = [j for j in self.jobs.values() if not j.done and now >= j.completes_at]
            for job in due:
                if job.error_code is None:
                    sent = self.send(
                        "narrowcast",
                        job.request_id,
                        job.targets,
                        job.messages,
                        strict=False,
                        retry_key=job.retry_key,
                    )
                    job.delivered = set(sent.delivered)
                job.done = True
