"""The verification stage: only verified residents are served; anyone else is told how, once.

For each stored message, in the processing stage's transaction:
1. a DM holding a code from an account that is not a verified resident: redeem it (bind the
   account and queue the confirmation DM; or count a wrong code and say so; or, locked out,
   say until when);
2. a verified resident: admitted, with their resident id (a new handle is noted);
3. not verified, but an intent in `verification.open_to_anyone` (an emergency, a police report):
   admitted as open;
4. otherwise the message waits (status waiting_verification) until the account verifies, and
   the account gets at most one 'how to verify' answer per `verification.instructions_interval`:
   a public reply to a mention, a DM to a DM, in the message's language, never quoting it.

Everything said is queued in the outbox in the same transaction, under keys that make it
idempotent: a crash before the commit leaves nothing queued and the message NEW; a crash after
it leaves both, and processing again queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome
from jun_engine.domain.routing import Urgency
from jun_engine.outbox.api import Priority, enqueue, tagged_reply
from jun_engine.residents import texts
from jun_engine.residents.codes import find_codes
from jun_engine.residents.repository import verified_row
from jun_engine.residents.verification import Redemption, RedemptionOutcome, note_handle, redeem
from jun_engine.routing.intent import IntentDetector
from jun_engine.routing.text import TextView
from jun_engine.routing.urgency import UrgencyDetector
from jun_engine.store.statuses import MessageStatus, OutboxKind
from jun_engine.store.tables import InboundMessageRow, OutboxRow, ResidentRow

HOW_TO_KEY = "verify-howto"


class Verifier:
    """The stage, with the intent and emergency lexicons compiled once; call it like `admit`."""

    def __init__(
        self, intents: IntentDetector | None = None, urgency: UrgencyDetector | None = None
    ) -> None:
        self._intents = intents or IntentDetector()
        self._urgency = urgency or UrgencyDetector()

    def __call__(
        self, session: Session, message: InboundMessageRow, config: Config, now: datetime
    ) -> Admission:
        """Decide about one stored message; see the module's docstring for the order."""
        resident = verified_row(session, message.author_id)
        if resident is not None:
            note_handle(session, resident, message.author_handle, now)
            return Admission(AdmissionOutcome.ADMITTED, resident_id=resident.id)
        codes = _codes_in(message, config)
        redemption = None
        if codes:
            redemption = redeem(
                session,
                config.verification,
                x_user_id=message.author_id,
                handle=message.author_handle,
                candidates=codes,
                now=now,
            )
            if redemption.outcome is RedemptionOutcome.VERIFIED:
                return _verified(session, message, config, redemption)
        open_intent = self.open_intent(message.text, message.hashtags, config)
        if redemption is not None:
            _answer_code(session, message, config, redemption)
            return _code_admission(redemption, open_intent)
        if open_intent is not None:
            return Admission(AdmissionOutcome.ADMITTED_OPEN, open_intent=open_intent)
        message.status = MessageStatus.WAITING_VERIFICATION
        session.add(message)
        _explain_once(session, message, config, now)
        return Admission(AdmissionOutcome.WAITING)

    def open_intent(self, text: str, hashtags: str, config: Config) -> str | None:
        """The `open_to_anyone` entry this text is (emergency first), or None."""
        wanted = set(config.verification.open_to_anyone)
        if not wanted:
            return None
        view = TextView.of(text, tuple(hashtags.split()))
        if "emergency" in wanted and self._urgency.detect(view)[0] is Urgency.EMERGENCY:
            return "emergency"
        intent = self._intents.detect(view).intent.value
        return intent if intent in wanted else None


def admit(session: Session, message: InboundMessageRow, config: Config, now: datetime) -> Admission:
    """The stage as a function (compiles the lexicons each call: a daemon keeps a `Verifier`)."""
    return Verifier()(session, message, config, now)


def _codes_in(message: InboundMessageRow, config: Config) -> list[str]:
    if message.kind is not MessageKind.DM:
        return []
    return find_codes(message.text, config.verification.code_length)


def _verified(
    session: Session, message: InboundMessageRow, config: Config, redemption: Redemption
) -> Admission:
    resident = session.get(ResidentRow, redemption.resident_id)
    language = resident.language if resident else config.town.default_language
    enqueue(
        session,
        key=f"verify-confirm:{message.platform_id}",
        account_id=message.account_id,
        kind=OutboxKind.DM,
        text=texts.confirmed(config, language),
        target=message.author_id,
        priority=Priority.ACK,
        private=True,
    )
    return Admission(
        AdmissionOutcome.VERIFIED, resident_id=redemption.resident_id, released=redemption.released
    )


def _answer_code(
    session: Session, message: InboundMessageRow, config: Config, redemption: Redemption
) -> None:
    """Say why a code did not verify: once per wrong code, once per lockout."""
    language = texts.guess_language(message.text, config)
    if redemption.outcome is RedemptionOutcome.LOCKED_OUT and redemption.locked_until:
        until = redemption.locked_until
        key = f"verify-locked:{message.author_id}:{int(until.timestamp())}"
        text = texts.locked_out(config, language, until)
    elif redemption.locked_until is not None:
        key = f"verify-wrong:{message.platform_id}"
        text = texts.locked_out(config, language, redemption.locked_until)
    else:
        key = f"verify-wrong:{message.platform_id}"
        text = texts.code_rejected(config, language, redemption.attempts_left)
    enqueue(
        session,
        key=key,
        account_id=message.account_id,
        kind=OutboxKind.DM,
        text=text,
        target=message.author_id,
        priority=Priority.ACK,
        private=True,
    )


def _code_admission(redemption: Redemption, open_intent: str | None) -> Admission:
    if open_intent is not None:
        return Admission(
            AdmissionOutcome.ADMITTED_OPEN,
            open_intent=open_intent,
            locked_until=redemption.locked_until,
        )
    outcome = (
        AdmissionOutcome.LOCKED_OUT
        if redemption.outcome is RedemptionOutcome.LOCKED_OUT
        else AdmissionOutcome.CODE_REJECTED
    )
    return Admission(outcome, locked_until=redemption.locked_until)


def _explain_once(
    session: Session, message: InboundMessageRow, config: Config, now: datetime
) -> None:
    """Queue the 'how to verify' answer unless this account had one within the interval.

    The outbox row is the record: its key names the account and the interval bucket, and it is
    written in the message's transaction, so a crash can neither lose it nor send it twice.
    Skipping when the previous bucket has one too keeps any two answers an interval apart.
    """
    interval = max(config.verification.instructions_interval.total_seconds(), 1.0)
    bucket = int(now.timestamp() // interval)
    keys = [f"{HOW_TO_KEY}:{message.author_id}:{b}" for b in (bucket - 1, bucket)]
    if session.exec(select(OutboxRow.id).where(col(OutboxRow.idempotency_key).in_(keys))).first():
        return
    kind, target = _answer_route(message)
    if target is None:
        return
    text = texts.how_to_verify(config, texts.guess_language(message.text, config))
    enqueue(
        session,
        key=keys[-1],
        account_id=message.account_id,
        kind=kind,
        text=text if kind is OutboxKind.DM else tagged_reply(text, target),
        target=target,
        priority=Priority.ACK,
        private=kind is OutboxKind.DM,
    )


def _answer_route(message: InboundMessageRow) -> tuple[OutboxKind, str | None]:
    """A DM answers a DM; a public reply answers a mention that @mentioned the account (X
    refuses replies to posts that did not)."""
    if message.kind is MessageKind.DM:
        return OutboxKind.DM, message.author_id
    if message.account_id in message.mentioned_ids.split():
        return OutboxKind.REPLY, message.platform_id
    return OutboxKind.REPLY, None
