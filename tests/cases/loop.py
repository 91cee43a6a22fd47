"""A small in-process engine for end-to-end tests and the benchmark: the intake's stream
readers, the processing chain (`chain.py`), the real outbox sender and the timeline follower,
turned one pass at a time on the emulator's clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Engine

from jun_engine.cases.follow import follow_department_posts
from jun_engine.cases.sla import escalate_overdue
from jun_engine.channels.x.billing import Prices
from jun_engine.channels.x.delivery import XDelivery
from jun_engine.channels.x.gateway import XGateway
from jun_engine.channels.x.intake.streams import own_account_ids, streams_of
from jun_engine.channels.x.intake.sweep import StreamReader, fetcher
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.outbox.sender import OutboxSender
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from tests.stages import process_all


class Loop:
    """One engine pass = read every stream, process what came, send what is due, follow staff."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        router: Router,
        emulator: Emulator,
        gateways: Mapping[str, XGateway],
    ) -> None:
        self.engine = engine
        self.config = config
        self.router = router
        self.clock = emulator.clock
        self.gateways = gateways
        x = XDelivery(engine, gateways, config, self.clock)
        self.sender = OutboxSender(engine, {Channel.X: x}, self.clock)
        prices, own = Prices.of(config), own_account_ids(config)
        self.readers = [
            StreamReader(
                ref,
                fetcher(gateways[ref.account_id], ref),
                engine,
                self.clock,
                prices,
                own,
                backfill=True,
            )
            for ref in streams_of(config)
            if ref.stream in (PollStream.MENTIONS, PollStream.DMS)
        ]
        self._since: dict[str, str | None] = {}

    def turn(self, *, read_dms: bool = True) -> None:
        for reader in self.readers:
            if read_dms or reader.ref.stream is not PollStream.DMS:
                reader.sweep()
        now = self.clock.now()
        process_all(self.engine, self.config, self.router, now)
        self.sender.drain_once()
        self.follow(now)
        with session_scope(self.engine) as session:
            escalate_overdue(session, self.config, now)

    def follow(self, now: datetime) -> None:
        for dept in self.config.departments.values():
            account_id = self.config.accounts[dept.account].user_id
            page = self.gateways[account_id].user_posts(
                account_id, since_id=self._since.get(account_id)
            )
            if page.items:
                self._since[account_id] = page.newest_id
            with session_scope(self.engine) as session:
                follow_department_posts(session, page.items, self.config, now)
