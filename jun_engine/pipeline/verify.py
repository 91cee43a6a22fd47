"""The verification stage: only verified residents are served; anyone else is told how, sparingly.

For each stored message, in the processing stage's transaction:
1. a DM holding code-shaped tokens, from anyone: the tokens are masked in the stored text and
   raw payload at once (codes are never kept in clear), and each code is tried in turn, one
   attempt each, until one verifies or the lockout stops the rest (`residents.verification`);
   a code that verifies binds the account and queues the confirmation, and the message goes on
   as the resident's request if it said more than its codes (an emergency is never lost);
2. a verified resident: admitted, with their resident id (a new handle is noted); a DM of theirs
   that was nothing but wrong codes is answered as such instead;
3. not verified, but an intent in `verification.open_to_anyone` (an emergency, a police report
   or tip): admitted as open;
4. otherwise the message waits (status waiting_verification) until the account verifies, and
   the account gets at most one answer per `verification.instructions_interval`: how to verify,
   or, for a police report where those need verification, how to reach the police.
A live code seen in a public mention is used up and masked: whoever read it cannot use it.

Every answer goes to the resident where they wrote (`outbox.answer`). Answers to strangers (not
verified residents) are bounded by `verification.stranger_answers`
(`residents.strangers`): per sender and overall, queued below every resident's answer, and
expiring. Everything said is queued in the outbox in the same transaction, under keys that make
it idempotent: a crash before the commit leaves nothing queued and the message NEW; a crash
after it leaves both, and processing again queues nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome, Identity
from jun_engine.domain.routing import Intent, Urgency
from jun_engine.outbox.answer import addressed
from jun_engine.outbox.answer import answer as answer_resident
from jun_engine.outbox.api import Priority
from jun_engine.pipeline.turn import Turn
from jun_engine.residents import texts
from jun_engine.residents.codes import find_codes, is_only_codes, mask_codes
from jun_engine.residents.repository import verified_row
from jun_engine.residents.strangers import AnswerKind, answer
from jun_engine.residents.verification import (
    Redemption,
    RedemptionOutcome,
    note_handle,
    redeem,
    withdraw_exposed,
)
from jun_engine.routing.intent import IntentDetector
from jun_engine.routing.text import TextView
from jun_engine.routing.urgency import UrgencyDetector
from jun_engine.store.repository import rewrite_message
from jun_engine.store.tables import OutboxRow, ResidentRow

HOW_TO_KEY = "verify-howto"
POLICE_KEY = "verify-police"


class Verifier:
    """The stage, with the intent and emergency lexicons compiled once."""

    def __init__(
        self, intents: IntentDetector | None = None, urgency: UrgencyDetector | None = None
    ) -> None:
        self._intents = intents or IntentDetector()
        self._urgency = urgency or UrgencyDetector()

    def __call__(self, message: InboundMessage, turn: Turn) -> tuple[Admission, InboundMessage]:
        """Decide about one stored message (see the module's docstring for the order); the
        admission, and the message as it is now stored (codes masked)."""
        session, config, now = turn.session, turn.config, turn.now
        codes = _codes_in(message, config)
        if codes:
            message = _mask(session, message, turn.message_id, config.verification.code_length)
        elif message.kind is MessageKind.MENTION:
            message = _withdraw_public_codes(session, message, turn, config, now)
        return self._admit(session, message, turn.message_id, config, now, codes), message

    def _admit(
        self,
        session: Session,
        message: InboundMessage,
        message_id: int,
        config: Config,
        now: datetime,
        codes: list[str],
    ) -> Admission:
        resident = verified_row(session, _author(message))
        if resident is not None:
            note_handle(session, _author(message), now)
            if codes:
                return _codes_from_resident(
                    session, message, message_id, config, now, resident, codes
                )
            return Admission(AdmissionOutcome.ADMITTED, resident_id=resident.id)
        redemption = None
        if codes:
            redemption = _redeem(session, message, config, now, codes)
            if redemption.outcome is RedemptionOutcome.VERIFIED:
                return _verified(session, message, config, redemption)
        open_intent = self.open_intent(message.text, message.hashtags, config)
        if redemption is not None:
            _answer_code(session, message, message_id, config, redemption, now, stranger=True)
            return _code_admission(redemption, open_intent)
        if open_intent is not None:
            return Admission(AdmissionOutcome.ADMITTED_OPEN, open_intent=open_intent)
        if self._intent(message.text, message.hashtags) is Intent.POLICE_REPORT:
            _answer_once(session, message, message_id, config, now, AnswerKind.POLICE_CONTACT)
        else:
            _answer_once(session, message, message_id, config, now, AnswerKind.HOW_TO_VERIFY)
        return Admission(AdmissionOutcome.WAITING)

    def open_intent(self, text: str, hashtags: Sequence[str], config: Config) -> str | None:
        """The `open_to_anyone` entry this text is (emergency first), or None."""
        wanted = set(config.verification.open_to_anyone)
        if not wanted:
            return None
        view = TextView.of(text, tuple(hashtags))
        if "emergency" in wanted and self._urgency.detect(view)[0] is Urgency.EMERGENCY:
            return "emergency"
        intent = self._intents.detect(view).intent.value
        return intent if intent in wanted else None

    def _intent(self, text: str, hashtags: Sequence[str]) -> Intent:
        return self._intents.detect(TextView.of(text, tuple(hashtags))).intent


def _author(message: InboundMessage) -> Identity:
    """The account that wrote the message, with the handle it wrote under."""
    return Identity(message.channel, message.author_id, message.author_handle)


def _codes_in(message: InboundMessage, config: Config) -> list[str]:
    if message.kind is not MessageKind.DM:
        return []
    return find_codes(message.text, config.verification.code_length)


def _mask(
    session: Session,
    message: InboundMessage,
    message_id: int,
    length: int,
    only: list[str] | None = None,
) -> InboundMessage:
    """Mask the codes in the stored message: its text, and every string of its raw payload."""
    text = mask_codes(message.text, length, only)
    raw = _masked_raw(message.raw, length, only)
    rewrite_message(session, message_id, text=text, raw=raw)
    return replace(message, text=text, raw=raw)


def _masked_raw(raw: str, length: int, only: list[str] | None) -> str:
    try:
        payload = json.loads(raw)
    except ValueError:
        return mask_codes(raw, length, only)
    return json.dumps(_masked_strings(payload, length, only), ensure_ascii=False)


def _masked_strings(value: object, length: int, only: list[str] | None) -> object:
    if isinstance(value, str):
        return mask_codes(value, length, only)
    if isinstance(value, list):
        return [_masked_strings(item, length, only) for item in value]
    if isinstance(value, dict):
        return {key: _masked_strings(item, length, only) for key, item in value.items()}
    return value


def _withdraw_public_codes(
    session: Session, message: InboundMessage, turn: Turn, config: Config, now: datetime
) -> InboundMessage:
    """A live code in a public post is used up (anyone may have read it) and masked."""
    length = config.verification.code_length
    candidates = find_codes(message.text, length)
    exposed = withdraw_exposed(session, candidates, now) if candidates else []
    if exposed:
        return _mask(session, message, turn.message_id, length, exposed)
    return message


def _redeem(
    session: Session, message: InboundMessage, config: Config, now: datetime, codes: list[str]
) -> Redemption:
    return redeem(
        session,
        config.verification,
        account=_author(message),
        candidates=codes,
        now=now,
    )


def _codes_from_resident(
    session: Session,
    message: InboundMessage,
    message_id: int,
    config: Config,
    now: datetime,
    resident: ResidentRow,
    codes: list[str],
) -> Admission:
    """A verified resident's DM with codes: a live one is used (their own: nothing changes;
    another resident's: the account moves to them); wrong ones count as attempts, and a DM
    that was nothing but codes is answered as a code, not taken as a request."""
    redemption = _redeem(session, message, config, now, codes)
    if redemption.outcome is RedemptionOutcome.VERIFIED:
        return _verified(session, message, config, redemption)
    if not is_only_codes(message.text):
        return Admission(AdmissionOutcome.ADMITTED, resident_id=resident.id)
    _answer_code(session, message, message_id, config, redemption, now, stranger=False)
    admission = _code_admission(redemption, None)
    return Admission(
        admission.outcome, resident_id=resident.id, locked_until=admission.locked_until
    )


def _verified(
    session: Session, message: InboundMessage, config: Config, redemption: Redemption
) -> Admission:
    resident = session.get(ResidentRow, redemption.resident_id)
    language = resident.language if resident else config.town.default_language
    answer_resident(
        session,
        config,
        message,
        texts.confirmed(config, language, redemption.released),
        key=f"verify-confirm:{message.platform_id}",
        privately=True,
    )
    if not is_only_codes(message.text):  # "my code is X; and the streetlight is out": served
        return Admission(
            AdmissionOutcome.ADMITTED,
            resident_id=redemption.resident_id,
            released=redemption.released,
        )
    return Admission(
        AdmissionOutcome.VERIFIED, resident_id=redemption.resident_id, released=redemption.released
    )


def _answer_code(
    session: Session,
    message: InboundMessage,
    message_id: int,
    config: Config,
    redemption: Redemption,
    now: datetime,
    *,
    stranger: bool,
) -> None:
    """Say why a code did not verify: once per wrong code, once per lockout; to a stranger only
    within the bounds of `verification.stranger_answers`."""
    language = texts.guess_language(message.text, config)
    if redemption.outcome is RedemptionOutcome.LOCKED_OUT and redemption.locked_until:
        until = redemption.locked_until
        key = f"verify-locked:{message.author_id}:{int(until.timestamp())}"
        text, kind = texts.locked_out(config, language, until), AnswerKind.LOCKED_OUT
    elif redemption.locked_until is not None:
        key = f"verify-wrong:{message.platform_id}"
        text = texts.locked_out(config, language, redemption.locked_until)
        kind = AnswerKind.LOCKED_OUT
    else:
        key = f"verify-wrong:{message.platform_id}"
        text = texts.code_rejected(config, language, redemption.attempts_left)
        kind = AnswerKind.CODE_REJECTED
    if not stranger:
        answer_resident(
            session, config, message, text, key=key, privately=True, priority=Priority.ACK
        )
        return
    _answer_stranger(session, message, message_id, config, now, kind, key, text)


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


def _answer_once(
    session: Session,
    message: InboundMessage,
    message_id: int,
    config: Config,
    now: datetime,
    kind: AnswerKind,
) -> None:
    """Queue the answer (how to verify, or how to reach the police) unless this account had one
    of the kind within `instructions_interval`, and within the bounds on stranger answers.

    The outbox row is the record: its key names the account and the interval bucket, and it is
    written in the message's transaction, so a crash can neither lose it nor send it twice.
    Skipping when the previous bucket has one too keeps any two answers an interval apart.
    """
    prefix = POLICE_KEY if kind is AnswerKind.POLICE_CONTACT else HOW_TO_KEY
    interval = max(config.verification.instructions_interval.total_seconds(), 1.0)
    bucket = int(now.timestamp() // interval)
    keys = [f"{prefix}:{message.author_id}:{b}" for b in (bucket - 1, bucket)]
    if session.exec(select(OutboxRow.id).where(col(OutboxRow.idempotency_key).in_(keys))).first():
        return
    if message.is_implicit_mention:  # X refuses replies to posts that did not @mention it
        return
    language = texts.guess_language(message.text, config)
    if kind is AnswerKind.POLICE_CONTACT:
        text = texts.police_contact(config, language)
    else:
        text = texts.how_to_verify(config, language)
    _answer_stranger(session, message, message_id, config, now, kind, keys[-1], text)


def _answer_stranger(
    session: Session,
    message: InboundMessage,
    message_id: int,
    config: Config,
    now: datetime,
    kind: AnswerKind,
    key: str,
    text: str,
) -> None:
    """Answer a stranger where they wrote, within `verification.stranger_answers`."""
    to = addressed(config, message, text)
    answer(
        session,
        config.verification.stranger_answers,
        kind=kind,
        key=key,
        account_id=to.account_id,
        outbox_kind=to.kind,
        text=to.text,
        target=to.target,
        account=_author(message),
        now=now,
        message_id=message_id,
    )
