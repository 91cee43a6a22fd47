"""How X addresses residents and departments: tagged public replies, DMs from an account that may
send them, status links and @handles (the `Addressing` port of `channels.ports`)."""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.cases.accounts import dm_sender, town_id
from jun_engine.channels.ports import Answer
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage
from jun_engine.domain.statuses import OutboxKind


def tagged_reply(text: str, replied_to_id: str) -> str:
    """A public reply's text made distinct with a short reference to the post it answers.

    X refuses a second post with the same text from one account (duplicate content), and a
    reply has no @handle in its text on API v2: the same helpful answer ("we have sent you a DM",
    the opening hours) to two residents would be refused the second time. Texts that already carry
    something unique (a case reference) need no tag.
    """
    return f"{text} (ref. {replied_to_id[-5:]})"


@dataclass(frozen=True, slots=True)
class XAddressing:
    """X's addressing for the town's accounts in `config`."""

    config: Config

    def answer(
        self,
        message: InboundMessage,
        text: str,
        *,
        private: bool,
        from_town: bool = False,
        distinct: bool = False,
    ) -> Answer:
        """A DM to the author (from the account they wrote to if it may send DMs, else the
        town's), or a public reply to their post from the account they mentioned, tagged unless
        the text is `distinct` already (X refuses the same text twice)."""
        if private:
            sender = (
                town_id(self.config) if from_town else dm_sender(self.config, message.account_id)
            )
            return Answer(Channel.X, sender, OutboxKind.DM, message.author_id, text)
        sender = town_id(self.config) if from_town else message.account_id
        reply = text if distinct else tagged_reply(text, message.platform_id)
        return Answer(Channel.X, sender, OutboxKind.REPLY, message.platform_id, reply)

    def permalink(self, message: InboundMessage) -> str:
        """The post's status link."""
        return f"https://x.com/i/web/status/{message.platform_id}"

    def mention(self, handle: str) -> str:
        """`@handle`: X tags the account."""
        return f"@{handle}"
