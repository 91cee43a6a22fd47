"""How the case desk names who did what for people: the town's accounts and residents by
@handle, never by a bare numeric X id.

Case history stores an X account's user id as the actor of what it did (a staff command by DM,
a staff reply seen on a department's timeline, a resident's rating): ids are stable and erasure
finds them. Only what people read turns them into handles.
"""

from __future__ import annotations

from sqlmodel import Session

from jun_engine.cases import accounts
from jun_engine.cases.texts import say
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage
from jun_engine.domain.residents import Identity
from jun_engine.residents.repository import handle_of
from jun_engine.store.tables import InboundMessageRow

CHANNEL_NAMES = {Channel.X: "X", Channel.LINE: "LINE", Channel.OPEN311: "Open311"}
"""Each channel as people name it."""


def author_of(
    session: Session, message: InboundMessage | InboundMessageRow, config: Config, language: str
) -> str:
    """Who wrote `message`: `@handle` (the one X gave with it, else the last one seen for the
    account), else a sentence saying the handle is not known yet, in `language`; on a channel
    without handles (LINE, Open311), which channel's account it is."""
    author = Identity(message.channel, message.author_id)
    handle = message.author_handle or handle_of(session, author)
    if handle:
        return f"@{handle}"
    if message.channel is not Channel.X:
        return say(config, "channel_author", language, channel=CHANNEL_NAMES[message.channel])
    return say(config, "unknown_author", language)


def actor_name(session: Session, config: Config, actor: str) -> str:
    """A case event's actor for people: `engine` and `staff:<login>` as they are; an X user id
    as the @handle of the town's account or of the person it belongs to; an id whose handle
    was never seen as `x:<id>`, the form `residents show` takes."""
    if not actor.isdigit():
        return actor
    if accounts.account_key_of(config, actor) is not None:
        return accounts.account_name(config, actor)
    handle = handle_of(session, Identity(Channel.X, actor))
    return f"@{handle}" if handle else f"x:{actor}"
