"""LINE's `Delivery` (see `jun_engine.channels.ports`): answers by reply token while it is fresh
(free), otherwise by push with a retry key (one message of the month's quota); never twice.

- A REPLY item answers a stored message: its `LineReplyTokenRow`, if younger than `fresh_for`
  and unused, is marked used by the item (committed) BEFORE the reply is made. A reply refused
  with "Invalid reply token", or a token used or stale, becomes a push.
- A push (a DM item, or a reply's fallback) carries `X-Line-Retry-Key`: the outbox row's
  `retry_key`, a UUID written (committed) BEFORE the first attempt. A 409 means LINE already
  carried out a request with that key: it was sent.
- `confirm`, after a crash or a timeout: an item with a retry key is pushed again with the same
  key (409: it had landed; 200: it had not, and now has). An item whose reply is unknown (its
  token marked used by it, no retry key) is replied to again with the same token while the
  token is surely alive (a 200 says the first did not land; a 400 that it did, for a token
  younger than `fresh_for` can only be spent). Once the token may have expired a 400 says
  nothing, and a push could say the answer twice: the never-twice rule wins, and the item is
  given up as unconfirmed (`DeliveryUnknown`) for staff to see.
- A resident who blocked the account (`unreachable_since` on their LINE identity) is refused
  before any call; so is an answer to a message the engine never stored.
- `charge` writes one `line_send` row per item that landed: `via` reply (quota 0) or push
  (quota 1: LINE counts a push once per recipient, whatever its number of message objects),
  and counts a push on the month's quota meter (`quota.count_spend`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.line.client import TIMEOUT, LineClients, line_clients
from jun_engine.channels.line.errors import AlreadyAccepted, InvalidReplyToken, channel_error
from jun_engine.channels.line.limits import LINE_LIMITS
from jun_engine.channels.line.messages import text_messages
from jun_engine.channels.line.quota import count_spend
from jun_engine.channels.line.splitting import split
from jun_engine.channels.ports import DeliveryUnknown, Limits, OutboxItem, Receipt
from jun_engine.clock import Clock
from jun_engine.config.environment import line_credentials_for
from jun_engine.config.schema import Config
from jun_engine.domain.errors import ChannelError, InvalidRequest
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.store.repository import insert_statement
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    InboundMessageRow,
    LineReplyTokenRow,
    LineSendRow,
    OutboxRow,
    ResidentIdentityRow,
)

SENDS: sa.Table = LineSendRow.__table__  # type: ignore[attr-defined]
FRESH_FOR = timedelta(seconds=50)
"""How long after its event a reply token is used: LINE promises about a minute, no more."""
LANDED_KEPT = 1_000
"""Sends remembered for their charge at most (a charge always comes unless a commit failed)."""
T = TypeVar("T")


_TOKENS: sa.Table = LineReplyTokenRow.__table__  # type: ignore[attr-defined]
_TAKE_TOKEN = (
    sa.update(_TOKENS)
    .where(
        _TOKENS.c.account_id == sa.bindparam("account"),
        _TOKENS.c.platform_id == sa.bindparam("answered"),
        _TOKENS.c.used_at.is_(None),
        _TOKENS.c.received_at > sa.bindparam("fresh_since"),
    )
    .values(
        used_at=sa.bindparam("taken_at", type_=_TOKENS.c.used_at.type),
        used_by=sa.bindparam("taken_by", type_=_TOKENS.c.used_by.type),
    )
    .returning(_TOKENS.c.id, _TOKENS.c.token, _TOKENS.c.user_id, _TOKENS.c.received_at)
)
"""A fresh, unused token marked used by an item, in one statement (built once)."""


@dataclass(frozen=True, slots=True)
class Token:
    """A reply token as the delivery needs it."""

    id: int
    token: str
    user_id: str
    received_at: datetime


def clients_for(
    config: Config, environ: Mapping[str, str], base_url: str | None = None
) -> dict[str, LineClients]:
    """One set of clients per configured LINE account, keyed by its bot user id (the outbox's
    `account_id` on LINE); raises `MissingSecret` for an unset variable."""
    if config.line is None:
        return {}
    return {
        account.bot_user_id: line_clients(line_credentials_for(config, key, environ), base_url)
        for key, account in config.line.accounts.items()
    }


class LineDelivery:
    """Sends the outbox's LINE items from the accounts it has clients for (keyed by bot user
    id, the `account_id` of LINE's outbox rows)."""

    channel = Channel.LINE

    def __init__(
        self,
        engine: Engine,
        clients: Mapping[str, LineClients],
        clock: Clock,
        *,
        fresh_for: timedelta = FRESH_FOR,
        limits: Limits = LINE_LIMITS,
    ) -> None:
        self.limits = limits
        self._engine = engine
        self._clients = dict(clients)
        self._clock = clock
        self._fresh_for = fresh_for
        self._landed: dict[int, tuple[str, str]] = {}
        """How each item `send` delivered went, and to whom, until `charge` records it (a
        look-up saved: `charge` reads both from the database for any item not here)."""

    def accounts(self) -> frozenset[str]:
        """The bot user ids of the accounts it sends from."""
        return frozenset(self._clients)

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        """Requests of at most five text messages of 5,000 UTF-16 units."""
        return split(text)

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        """Nothing goes to a resident who blocked the account, or to no one. (Asked while the
        sender's claim holds its transaction: read outside any, never waiting for the lock.)"""
        with _reading(self._engine) as session:
            found = _recipient_and_block(session, item)
        if found is None:
            return "no_recipient", "the message it answers is not stored"
        if found[1]:
            return "unreachable", "the resident blocked the town's LINE account"
        return None

    def send(self, item: OutboxItem) -> Receipt:
        """Reply with a fresh token, else push with the item's retry key."""
        if item.kind is OutboxKind.REPLY:
            token = self._take_token(item)
            if token is not None:
                try:
                    receipt = self._reply(item, token)
                except InvalidReplyToken:
                    pass  # spent or expired: nothing was sent; push instead
                except ChannelError as error:
                    if _refused(error):  # LINE did nothing: the token is still good
                        self._give_back(token)
                    raise
                else:
                    self._note_landed(item, "reply", token.user_id)
                    return receipt
        return self._push(item, self._retry_key(item))

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        """Whether an uncertain attempt landed, asked the only ways LINE allows (see above)."""
        with Session(self._engine) as session:
            key = session.get(OutboxRow, item.id)
            retry_key = None if key is None else key.retry_key
            token = _token_used_by(session, item)
        if retry_key is not None:
            return self._push(item, retry_key).platform_id
        if token is None:
            return None  # no reply and no push was made
        if self._clock.now() - token.received_at >= self._fresh_for:
            raise DeliveryUnknown(
                item.id, "its reply may have landed and its token may have expired since"
            )
        try:
            return self._reply(item, token).platform_id
        except InvalidReplyToken:
            return f"reply:{token.id}"  # a live token refused: the first reply spent it

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        """Record a send that landed and the quota it spent (a failed one spends none)."""
        landed = self._landed.pop(item.id, None)
        if error is not None:
            return
        if landed is None:  # landed before a restart, or found by `confirm`: ask the database
            outbox = OutboxRow.__table__  # type: ignore[attr-defined]
            retry_key = session.execute(
                sa.select(outbox.c.retry_key).where(outbox.c.id == item.id)
            ).scalar()
            landed = ("reply" if retry_key is None else "push", _recipient(session, item) or "")
        via, user_id = landed
        quota = 1 if via == "push" else 0
        charged = session.execute(
            insert_statement(session, SENDS)
            .values(
                outbox_id=item.id,
                account_id=item.account_id,
                user_id=user_id,
                via=via,
                quota=quota,
                sent_at=at,
            )
            .on_conflict_do_nothing(index_elements=[SENDS.c.outbox_id])
            .returning(SENDS.c.id)
        ).first()
        if charged is not None:  # not charged already
            count_spend(session, item.account_id, quota, at)

    def close(self) -> None:
        """Close every account's connection pool."""
        for clients in self._clients.values():
            clients.close()

    # --- the two calls ------------------------------------------------------------------------

    def _reply(self, item: OutboxItem, token: Token) -> Receipt:
        request = ReplyMessageRequest(
            replyToken=token.token,
            messages=text_messages(item.text, item.choices),
            notificationDisabled=False,
        )
        api = self._clients[item.account_id].messaging
        sent = self._call(
            lambda: api.reply_message_with_http_info(request, _request_timeout=TIMEOUT)
        )
        return Receipt(_first_id(sent.data.sent_messages, f"reply:{token.id}"))

    def _push(self, item: OutboxItem, retry_key: str) -> Receipt:
        with Session(self._engine) as session:
            user_id = _recipient(session, item)
        if user_id is None:
            raise InvalidRequest("the message it answers is not stored")
        request = PushMessageRequest(
            to=user_id,
            messages=text_messages(item.text, item.choices),
            notificationDisabled=False,
            customAggregationUnits=None,
        )
        api = self._clients[item.account_id].messaging
        try:
            sent = self._call(
                lambda: api.push_message_with_http_info(
                    request, x_line_retry_key=retry_key, _request_timeout=TIMEOUT
                )
            )
        except AlreadyAccepted as accepted:
            self._note_landed(item, "push", user_id)
            return Receipt(accepted.request_id)
        self._note_landed(item, "push", user_id)
        return Receipt(_first_id(sent.data.sent_messages, retry_key))

    def _note_landed(self, item: OutboxItem, via: str, user_id: str) -> None:
        if len(self._landed) >= LANDED_KEPT:  # charges that never came (a failed commit)
            self._landed.clear()
        self._landed[item.id] = (via, user_id)

    def _call(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as exc:  # the SDK's and urllib3's, mapped in one place
            raise channel_error(exc, self._clock.now()) from exc

    # --- what is written before a call --------------------------------------------------------

    def _take_token(self, item: OutboxItem) -> Token | None:
        """Mark the answered message's token used by `item` (committed), if fresh and unused:
        one UPDATE, so two senders can never both take it."""
        now = self._clock.now()
        params = {
            "account": item.account_id,
            "answered": item.target,
            "fresh_since": now - self._fresh_for,
            "taken_at": now,
            "taken_by": item.id,
        }
        with session_scope(self._engine) as session:
            taken = session.execute(_TAKE_TOKEN, params).first()
            return None if taken is None else Token(*taken)

    def _give_back(self, token: Token) -> None:
        """Unmark a token whose reply LINE refused without sending anything."""
        with session_scope(self._engine) as session:
            session.execute(
                sa.update(LineReplyTokenRow)
                .where(LineReplyTokenRow.id == token.id)  # type: ignore[arg-type]
                .values(used_at=None, used_by=None)
            )

    def _retry_key(self, item: OutboxItem) -> str:
        """The item's retry key, made and committed before its first push."""
        with session_scope(self._engine) as session:
            row = session.get(OutboxRow, item.id)
            if row is None:
                raise InvalidRequest("its outbox row is gone")
            if row.retry_key is None:
                row.retry_key = str(uuid.uuid4())
                session.add(row)
            return row.retry_key


@contextmanager
def _reading(engine: Engine) -> Iterator[Session]:
    """A session whose reads each stand alone (autocommit): on SQLite it takes no lock."""
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        with Session(bind=autocommit) as session:
            yield session


def _refused(error: ChannelError) -> bool:
    """A 4xx: LINE answered that it did nothing (a rate limit, bad keys, a bad request)."""
    return error.status is not None and 400 <= error.status < 500


def _recipient(session: Session, item: OutboxItem) -> str | None:
    """The LINE user an item goes to: a DM's target, or the author of the message a reply
    answers (from its token, else the stored message)."""
    if item.kind is OutboxKind.DM:
        return item.target
    token = session.exec(
        select(LineReplyTokenRow.user_id).where(
            LineReplyTokenRow.account_id == item.account_id,
            LineReplyTokenRow.platform_id == item.target,
        )
    ).first()
    if token is not None:
        return token
    return session.exec(
        select(InboundMessageRow.author_id).where(
            InboundMessageRow.channel == Channel.LINE,
            InboundMessageRow.platform_id == item.target,
        )
    ).first()


def _recipient_and_block(session: Session, item: OutboxItem) -> tuple[str, bool] | None:
    """The LINE user an item goes to (as `_recipient`) and whether they blocked the account:
    one look-up for a reply whose token is stored (nearly every answer)."""
    if item.kind is not OutboxKind.DM:
        identities = ResidentIdentityRow.__table__  # type: ignore[attr-defined]
        blocked = sa.exists().where(
            identities.c.channel == Channel.LINE,
            identities.c.user_id == _TOKENS.c.user_id,
            identities.c.unreachable_since.is_not(None),
        )
        found = session.execute(
            sa.select(_TOKENS.c.user_id, blocked).where(
                _TOKENS.c.account_id == item.account_id, _TOKENS.c.platform_id == item.target
            )
        ).first()
        if found is not None:
            return str(found[0]), bool(found[1])
    user_id = _recipient(session, item)
    return None if user_id is None else (user_id, _unreachable(session, user_id))


def _unreachable(session: Session, user_id: str) -> bool:
    """Whether the resident with this LINE id blocked the account."""
    since = session.exec(
        select(ResidentIdentityRow.unreachable_since).where(
            ResidentIdentityRow.channel == Channel.LINE, ResidentIdentityRow.user_id == user_id
        )
    ).first()
    return since is not None


def _token_used_by(session: Session, item: OutboxItem) -> Token | None:
    row = session.exec(
        select(LineReplyTokenRow).where(LineReplyTokenRow.used_by == item.id)
    ).first()
    if row is None or row.id is None:
        return None
    return Token(row.id, row.token, row.user_id, row.received_at)


def _first_id(sent: object, fallback: str) -> str:
    """The id of the first message LINE says it sent (the receipt's platform id)."""
    if isinstance(sent, list) and sent:
        return str(getattr(sent[0], "id", fallback))
    return fallback
