"""How LINE addresses residents and departments (the `Addressing` port of `channels.ports`).

A LINE official account talks to each resident in a 1:1 chat that only they see, so every answer
is a private reply to the message it answers, from the account the message reached (a town has
one LINE account: it speaks for every department). The delivery replies with the message's reply
token while it is fresh (free) and pushes otherwise. LINE has no link to a chat message and no
way to tag an account: staff find the message on its case page, and a department is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.cases.texts import localized
from jun_engine.channels.ports import Answer
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage
from jun_engine.domain.statuses import OutboxKind


@dataclass(frozen=True, slots=True)
class LineAddressing:
    """LINE's addressing for the town's accounts in `config`."""

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
        """A private reply to `message` in the resident's chat, from the account it reached
        (the town's LINE account; `private`, `from_town` and `distinct` change nothing: every
        reply is private, the account is the town's, and nothing on LINE is public)."""
        return Answer(
            Channel.LINE,
            message.account_id,
            OutboxKind.REPLY,
            message.platform_id,
            text,
            private=True,
        )

    def permalink(self, message: InboundMessage) -> str:
        """No link exists to a message in a LINE chat: `line:message:<id>`, the message id the
        case page (`/cases/<REFERENCE>` on the web desk) and `jun-engine cases show` list."""
        return f"line:message:{message.platform_id}"

    def mention(self, handle: str) -> str:
        """The name of the department whose account has `handle` (LINE cannot tag an account),
        in the town's language; the handle itself for an account no department uses."""
        language = self.config.town.default_language
        for department in self.config.departments.values():
            account = self.config.accounts.get(department.account)
            if account is not None and account.handle == handle:
                return localized(department.name, language, self.config)
        return handle
