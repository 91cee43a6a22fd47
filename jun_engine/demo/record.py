"""What the emulator saw, as independent evidence: the engine's posts and DMs on X, what people
sent privately, and the ledger's count and price of the engine's requests."""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.config.schema import Config
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.records import DmEvent, Post


@dataclass(frozen=True, slots=True)
class XRecord:
    """The emulator's side of the story, read in-process once the engine has stopped."""

    engine_posts: tuple[Post, ...]
    """Posts the engine's accounts made through the API (staff typing in the app excluded)."""
    engine_dms: tuple[DmEvent, ...]
    """DMs the engine's accounts sent through the API."""
    people_dms: tuple[DmEvent, ...]
    """DMs people (residents, staff in the app) sent to the engine's accounts: private text."""
    ledger_requests: int
    ledger_usd: float

    @classmethod
    def of(cls, emulator: Emulator, config: Config) -> XRecord:
        """Read the emulator's state and ledger for the accounts of `config`."""
        state = emulator.state
        own = [account.user_id for account in config.accounts.values()]
        posts = [p for user in own for p in state.posts_by(user) if p.via_api]
        sent = [e for user in own for e in state.dms_sent_by(user) if e.via_api]
        received = {e.id: e for user in own for e in state.dms_received_by(user) if not e.via_api}
        lines = [line for lines in emulator.ledger.snapshot().values() for line in lines.values()]
        return cls(
            engine_posts=tuple(sorted(posts, key=lambda p: p.created_at)),
            engine_dms=tuple(sorted(sent, key=lambda e: e.created_at)),
            people_dms=tuple(received.values()),
            ledger_requests=sum(line.requests for line in lines),
            ledger_usd=emulator.ledger.total_usd(),
        )
