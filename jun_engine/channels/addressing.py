"""How each channel addresses residents and departments, for `outbox.answer` and the case desk.

A channel with its own conventions adds its case to `addressing`; one that registers nothing is
answered in its conversation (`InConversation`). `private_replies` says on which channels a reply
is seen by the resident alone (LINE's 1:1 chat), so that the outbox takes private text as a reply
there and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.channels.ports import Addressing, Answer
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage
from jun_engine.domain.statuses import OutboxKind


def addressing(channel: Channel, config: Config) -> Addressing:
    """`channel`'s addressing, for the town's accounts in `config`."""
    if channel is Channel.X:
        # Loaded when first needed: importing channels/x brings tweepy, which a desk command
        # that only reads never uses.
        from jun_engine.channels.x.addressing import XAddressing

        return XAddressing(config)
    if channel is Channel.LINE:
        from jun_engine.channels.line.addressing import LineAddressing

        return LineAddressing(config)
    return InConversation(channel)


PRIVATE_REPLIES = frozenset({Channel.LINE})
"""Channels whose replies only the resident sees: a LINE reply goes into the 1:1 chat."""


def private_replies(channel: Channel) -> bool:
    """Whether a reply on `channel` is seen by the resident alone (a reply on X is public)."""
    return channel in PRIVATE_REPLIES


@dataclass(frozen=True, slots=True)
class InConversation:
    """The default: everything goes back from the account the message reached (the only one of
    the channel's accounts the core knows): a private answer is a message to the author, a public
    one a reply to the message, untagged; links and mentions are plain names."""

    channel: Channel

    def answer(
        self,
        message: InboundMessage,
        text: str,
        *,
        private: bool,
        from_town: bool = False,
        distinct: bool = False,
    ) -> Answer:
        """A message to the author, or a reply to their message, from the account it reached."""
        if private:
            return Answer(self.channel, message.account_id, OutboxKind.DM, message.author_id, text)
        return Answer(self.channel, message.account_id, OutboxKind.REPLY, message.platform_id, text)

    def permalink(self, message: InboundMessage) -> str:
        """`channel:platform id`: no link the core could build."""
        return f"{self.channel.value}:{message.platform_id}"

    def mention(self, handle: str) -> str:
        """`@handle`."""
        return f"@{handle}"
