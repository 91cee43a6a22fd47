"""Sending self-service's answers where the resident wrote (`outbox.answer`): a reply to a
mention, a DM to a DM, and anything personal (an appointment) only ever by DM, with a public
"we sent you a DM" at most.

Buttons (`choices`) go with the private answer, never with a public pointer; the text itself
still says every option in words, for a channel that draws no buttons (X).

Idempotency keys derive from the stored message's id, so a message processed twice is answered
once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import InboundMessage
from jun_engine.outbox.answer import addressed, answer
from jun_engine.selfservice.texts import say


@dataclass(frozen=True, slots=True)
class Responder:
    """Answers one inbound message."""

    session: Session
    message: InboundMessage
    message_id: int
    config: Config

    @property
    def is_dm(self) -> bool:
        return self.message.is_private

    @property
    def dm_from(self) -> str:
        """The town's account that talks to this resident by DM, on the message's channel (as
        that channel addresses a private answer: on X, `cases.accounts.dm_sender`)."""
        return addressed(self.config, self.message, "-", privately=True).account_id

    def answer(self, text: str, name: str = "answer", choices: Sequence[Choice] = ()) -> None:
        """Answer where the message came from: a public reply to a mention, a DM to a DM.
        Only for text without personal data."""
        if self.is_dm:
            self.private(text, name, choices=choices)
            return
        key = self._key(name)
        answer(self.session, self.config, self.message, text, key=key, choices=choices)

    def private(
        self,
        text: str,
        name: str = "dm",
        language: str | None = None,
        choices: Sequence[Choice] = (),
    ) -> None:
        """Send `text` by DM; a mention also gets a public "we sent you a DM" in `language`."""
        key = self._key(name)
        answer(
            self.session, self.config, self.message, text, key=key, privately=True,
            choices=choices,
        )  # fmt: skip
        if not self.is_dm:
            notice = say("sent_dm", language or self.config.town.default_language)
            self.answer(notice, "sent_dm")

    def _key(self, name: str) -> str:
        return f"selfservice:{self.message_id}:{name}"
