"""X's `Delivery` (see `jun_engine.channels.ports`): posts, replies and DMs through one
`XGateway` per account, looked for in the account's own posts or DM events before a retry, and
billed as X bills them (writes per request, the look's reads per resource)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.ports import Limits, OutboxItem, Receipt
from jun_engine.channels.x.billing import Prices, Read, record_read, record_write
from jun_engine.channels.x.credentials import credentials_for
from jun_engine.channels.x.gateway import X_API_ORIGIN, XGateway
from jun_engine.channels.x.limits import X_LIMITS
from jun_engine.channels.x.lookup import PageSeen, find_landed
from jun_engine.channels.x.pricing import endpoint_of, write_kind
from jun_engine.channels.x.splitting import split
from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.store.session import session_scope

Gateways = dict[str, XGateway]
"""One gateway per sending account, keyed by its X user id."""
CREATED = 201
"""The status X answers a post or DM with; recorded for sends found by looking, too."""


def gateways_for(
    config: Config, environ: Mapping[str, str], base_url: str = X_API_ORIGIN
) -> Gateways:
    """One gateway per configured account, keyed by its X user id (raises `MissingSecret`)."""
    return {
        account.user_id: XGateway(credentials_for(config, key, environ), base_url=base_url)
        for key, account in config.accounts.items()
    }


class XDelivery:
    """Sends the outbox's X items from the accounts it has a gateway for (keyed by user id)."""

    channel = Channel.X

    def __init__(
        self,
        engine: Engine,
        gateways: Mapping[str, XGateway],
        config: Config,
        clock: Clock,
        limits: Limits = X_LIMITS,
    ) -> None:
        self.limits = limits
        self._engine = engine
        self._clock = clock
        self._gateways = dict(gateways)
        self._dm_accounts = {a.user_id for a in config.accounts.values() if a.dm_access}
        self._prices = Prices.of(config)
        self._apps = {
            a.user_id: a.consumer_key_env or config.x.app.consumer_key_env
            for a in config.accounts.values()
        }

    def accounts(self) -> frozenset[str]:
        """The user ids of the accounts it sends from."""
        return frozenset(self._gateways)

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        """Numbered thread posts of 280 weighted characters, or DMs of 10,000."""
        return split(kind, text)

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        """A DM from an account without DM access is never sent."""
        if item.kind is OutboxKind.DM and item.account_id not in self._dm_accounts:
            return "no_dm_access", "the sending account has no DM access in accounts.yaml"
        return None

    def send(self, item: OutboxItem) -> Receipt:
        """Post, reply or DM through the account's gateway."""
        gateway = self._gateways[item.account_id]
        if item.kind is OutboxKind.DM:
            assert item.target is not None
            dm = gateway.send_dm(item.target, item.text)
            return Receipt(dm.event_id, dm.rate_limit)
        post = gateway.create_post(item.text, in_reply_to=item.target)
        return Receipt(post.id, post.rate_limit)

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        """Look through the account's own posts or DM events, billing what the look reads."""
        gateway = self._gateways[item.account_id]
        return find_landed(gateway, item, since, self._bill_look(item.account_id))

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        """Record the write request; only one that landed costs."""
        record_write(
            session,
            account_id=item.account_id,
            endpoint=endpoint_of(item),
            method="POST",
            kind=write_kind(item),
            status_code=CREATED if error is None else error.status,
            prices=self._prices,
            at=at,
        )

    def close(self) -> None:
        """Close every gateway."""
        for gateway in self._gateways.values():
            gateway.close()

    def _bill_look(self, account_id: str) -> PageSeen:
        """Record a look's reads as X bills them: own posts are owned reads, DM events are not."""

        def seen(endpoint: str, ids: Sequence[str]) -> None:
            posts = endpoint == "user_tweets"
            read = Read(
                account_id=account_id,
                endpoint=endpoint,
                app=self._apps.get(account_id, ""),
                kind="post" if posts else "dm_event",
                resource_ids=ids,
                owned=posts,
            )
            with session_scope(self._engine) as session:
                record_read(session, read, self._prices, self._clock.now())

        return seen
