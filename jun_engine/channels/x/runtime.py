"""X as the daemon runs it (the `ChannelRuntime` port): a poller for each account's mentions and
DMs, a follower of each department's timeline, the baselines, the billing upkeep and `XDelivery`.

Every thread that talks to X gets a gateway of its own (an HTTP session is not thread-safe); the
runtime builds them from the accounts' credentials and closes them all at stop.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, datetime

from jun_engine.channels.ports import Wiring
from jun_engine.channels.x.billing import Prices, forget_billed_before
from jun_engine.channels.x.credentials import XCredentials, credentials_for
from jun_engine.channels.x.delivery import XDelivery
from jun_engine.channels.x.gateway import X_API_ORIGIN, XGateway
from jun_engine.channels.x.intake.baseline import record_baselines
from jun_engine.channels.x.intake.poller import Poller
from jun_engine.channels.x.intake.streams import StreamRef, streams_of, timelines_of
from jun_engine.channels.x.intake.sweep import StreamReader, fetcher
from jun_engine.channels.x.intake.timelines import TimelineReader
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.store.session import session_scope

READ_TIMEOUT = (5.0, 10.0)
"""Connect and read timeouts of every request the daemon makes to X."""


def x_runtime(config: Config, environ: Mapping[str, str], base_url: str = X_API_ORIGIN) -> XRuntime:
    """X for the daemon, its accounts' credentials read from `environ` (or `MissingSecret`)."""
    credentials = {key: credentials_for(config, key, environ) for key in config.accounts}
    return XRuntime(config, credentials, base_url)


class XRuntime:
    """The town's X accounts as the daemon runs them."""

    channel = Channel.X

    def __init__(
        self, config: Config, credentials: Mapping[str, XCredentials], base_url: str
    ) -> None:
        self._config = config
        self._credentials = dict(credentials)
        self._base_url = base_url
        self._open: list[XGateway] = []
        self._pruned: date | None = None

    def gateway(self, account_key: str) -> XGateway:
        """A gateway of its own for the account, closed with the runtime. Authors expanded: X
        names each author's @handle with the message (docs/operations.md)."""
        gateway = XGateway(
            self._credentials[account_key],
            base_url=self._base_url,
            timeout=READ_TIMEOUT,
            expand_authors=True,
        )
        self._open.append(gateway)
        return gateway

    def pollers(self, wiring: Wiring) -> list[Poller]:
        """A poller for each account's mentions and DMs, then a follower of each timeline."""
        return self._streams(wiring) + self._followers(wiring)

    def begin(self, wiring: Wiring, now: datetime) -> None:
        """Each new stream's starting point, durably, before any poller runs (see `baseline`)."""
        refs = self._configured(streams_of) + self._configured(timelines_of)
        record_baselines(wiring.engine, refs, now, backfill=wiring.backfill)

    def housekeep(self, wiring: Wiring, now: datetime) -> None:
        """Resources billed on earlier UTC days are billable again: their memory can go."""
        today = now.date()
        if self._pruned != today:
            with session_scope(wiring.engine) as session:
                forget_billed_before(session, today)
            self._pruned = today

    def gate(self) -> None:
        """Nothing: its budgets are paced by the delivery's own limits."""
        return

    def delivery(self, wiring: Wiring) -> XDelivery:
        """Sends from every account, each through a gateway of its own."""
        gateways = {c.user_id: self.gateway(key) for key, c in self._credentials.items()}
        return XDelivery(wiring.engine, gateways, self._config, wiring.clock)

    def close(self) -> None:
        """Close every gateway it built."""
        while self._open:
            self._open.pop().close()

    def _streams(self, wiring: Wiring) -> list[Poller]:
        prices = Prices.of(self._config)
        pollers = []
        for ref in self._configured(streams_of):
            reader = StreamReader(
                ref,
                fetcher(self.gateway(ref.account_key), ref),
                wiring.engine,
                wiring.clock,
                prices,
                frozenset({ref.account_id}),  # its own sent DMs; other accounts' are staff's
                backfill=wiring.backfill,
            )
            pollers.append(self._poller(reader, wiring, wakes=True))
        return pollers

    def _followers(self, wiring: Wiring) -> list[Poller]:
        prices = Prices.of(self._config)
        return [
            self._poller(
                TimelineReader(
                    ref,
                    self.gateway(ref.account_key),
                    wiring.engine,
                    wiring.clock,
                    prices,
                    self._config,
                ),
                wiring,
                wakes=False,
            )
            for ref in self._configured(timelines_of)
        ]

    def _poller(
        self, reader: StreamReader | TimelineReader, wiring: Wiring, *, wakes: bool
    ) -> Poller:
        return Poller(
            reader,
            wiring.engine,
            wiring.clock,
            daily_cap_usd=self._config.x.daily_spend_cap_usd,
            rng=random.Random(wiring.rng.random()),  # noqa: S311 (jitter)
            on_stored=wiring.wake if wakes else None,
            outage=wiring.outage,
        )

    def _configured(self, of: Callable[[Config], list[StreamRef]]) -> list[StreamRef]:
        return [ref for ref in of(self._config) if ref.account_key in self._credentials]
