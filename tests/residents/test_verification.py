"""Verifying an X account with a code: binding the user id, single use, expiry, lockout,
handle changes, moving to a new account and revocation."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import AdmissionOutcome, Identity, ResidentEventKind
from jun_engine.domain.statuses import MessageStatus, OutboxKind, ResidentStatus
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.enrolment import issue_code
from jun_engine.residents.repository import history, load_resident, row_by_id
from jun_engine.residents.revocation import revoke
from tests.residents.conftest import Inbox
from tests.residents.scene import (
    INTRUDER,
    MARIA,
    NEW_ACCOUNT,
    STAFF,
    START,
    enrolled,
    outbox,
    process,
)

WRONG = "ZZZZ-2222"


def _account(session: Session, resident_id: int) -> Identity | None:
    """The resident's bound X account, if any."""
    return load_resident(session, row_by_id(session, resident_id)).identity_on(Channel.X)


def _handle(session: Session, resident_id: int) -> str | None:
    account = _account(session, resident_id)
    return account.handle if account else None


def test_the_code_binds_the_sender_user_id_and_a_confirmation_dm_is_queued(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # Given a resident enrolled at the town hall
    issued = enrolled(session, config)
    # When she DMs her code to the town account, in lower case and without the hyphen
    message = inbox(MARIA, f"hola! {issued.code.lower().replace('-', '')}", handle="maria_jun")
    admission = process(session, verifier, config, message, START + timedelta(minutes=5))
    # Then her X user id is bound and she is verified
    assert admission.outcome is AdmissionOutcome.VERIFIED
    assert not admission.proceeds
    resident = load_resident(session, row_by_id(session, issued.resident_id))
    assert resident.status is ResidentStatus.VERIFIED
    assert [(i.channel, i.user_id, i.handle) for i in resident.identities] == [
        (Channel.X, MARIA, "maria_jun")
    ]
    # And one private DM confirms it, from the account she wrote to, without the code
    (confirmation,) = outbox(session)
    assert confirmation.kind is OutboxKind.DM
    assert confirmation.private
    assert (confirmation.target, confirmation.account_id) == (MARIA, config.town_account().user_id)
    assert "verificada" in confirmation.text
    assert issued.code not in confirmation.text
    # And what she writes next is admitted as hers
    later = inbox(MARIA, "La farola de mi calle está apagada", handle="maria_jun")
    admitted = process(session, verifier, config, later, START + timedelta(minutes=6))
    assert admitted.outcome is AdmissionOutcome.ADMITTED
    assert admitted.resident_id == issued.resident_id


def test_a_code_is_single_use(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    # When someone else sends the same code
    again = process(session, verifier, config, inbox(INTRUDER, issued.code), START)
    # Then it is refused, and María stays bound
    assert again.outcome is AdmissionOutcome.CODE_REJECTED
    assert _account(session, issued.resident_id) == Identity(Channel.X, MARIA)
    refusal = outbox(session)[-1]
    assert (refusal.target, refusal.kind) == (INTRUDER, OutboxKind.DM)
    assert "no es válido" in refusal.text


def test_a_code_expires_after_code_ttl(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    ttl = config.verification.code_ttl
    # When the code arrives a second after its expiry, it is refused
    late = process(session, verifier, config, inbox(MARIA, issued.code), START + ttl)
    assert late.outcome is AdmissionOutcome.CODE_REJECTED
    assert row_by_id(session, issued.resident_id).status is ResidentStatus.PENDING
    # And a fresh code from the town hall works
    fresh = issue_code(session, config, issued.resident_id, now=START + ttl, actor=STAFF)
    ok = process(session, verifier, config, inbox(MARIA, fresh.code), START + ttl)
    assert ok.outcome is AdmissionOutcome.VERIFIED


def test_a_code_just_before_its_expiry_still_works(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    moment = START + config.verification.code_ttl - timedelta(seconds=1)
    assert process(session, verifier, config, inbox(MARIA, issued.code), moment).outcome is (
        AdmissionOutcome.VERIFIED
    )


def test_repeated_wrong_codes_lock_the_account_out_until_the_lockout_ends(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    rules = config.verification
    issued = enrolled(session, config)
    # When max_failed_attempts wrong codes arrive within the window
    outcomes = [
        process(session, verifier, config, inbox(INTRUDER, WRONG), START + timedelta(minutes=i))
        for i in range(rules.max_failed_attempts)
    ]
    assert {a.outcome for a in outcomes} == {AdmissionOutcome.CODE_REJECTED}
    last_failure = START + timedelta(minutes=rules.max_failed_attempts - 1)
    assert outcomes[-1].locked_until == last_failure + rules.lockout
    # Then even the right code is not checked while the lockout lasts (nor counted)
    during = last_failure + rules.lockout - timedelta(seconds=1)
    locked = process(session, verifier, config, inbox(INTRUDER, issued.code), during)
    assert locked.outcome is AdmissionOutcome.LOCKED_OUT
    assert row_by_id(session, issued.resident_id).status is ResidentStatus.PENDING
    # And the stranger was told the attempts left, within the bounds on answers to strangers,
    # then the lockout once (the code sent during the lockout got no answer)
    texts = [item.text for item in outbox(session)]
    bounds = config.verification.stranger_answers
    assert len(texts) == bounds.per_sender + 1
    assert "Intentos que quedan: 4" in texts[0]
    assert "Demasiados códigos" in texts[-1]
    # When the lockout is over, the right code verifies
    after = last_failure + rules.lockout
    done = process(session, verifier, config, inbox(INTRUDER, issued.code), after)
    assert done.outcome is AdmissionOutcome.VERIFIED


def test_a_lockout_is_per_account(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    for i in range(config.verification.max_failed_attempts):
        process(session, verifier, config, inbox(INTRUDER, WRONG), START + timedelta(seconds=i))
    mine = process(session, verifier, config, inbox(MARIA, issued.code), START + timedelta(1))
    assert mine.outcome is AdmissionOutcome.VERIFIED


def test_messages_waiting_for_verification_are_released_when_it_happens(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # Given two messages María sent before she verified
    issued = enrolled(session, config)
    early = [
        inbox(MARIA, "Hay un bache enorme en la calle Real"),
        inbox(MARIA, "¿Cuándo recogen los muebles viejos?", kind=MessageKind.MENTION),
    ]
    for message in early:
        assert process(session, verifier, config, message, START).outcome is (
            AdmissionOutcome.WAITING
        )
        assert message.status is MessageStatus.WAITING_VERIFICATION
    # When she verifies
    verified = process(session, verifier, config, inbox(MARIA, issued.code), START)
    # Then both are queued again for processing, and now admitted as hers
    assert verified.released == 2
    session.expire_all()
    assert [m.status for m in early] == [MessageStatus.NEW, MessageStatus.NEW]
    for message in early:
        assert process(session, verifier, config, message, START).outcome is (
            AdmissionOutcome.ADMITTED
        )


def test_a_handle_change_keeps_the_resident_verified(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code, handle="maria_jun"), START)
    # When María renames her account, her messages are still hers
    renamed = inbox(MARIA, "Gracias por arreglar la fuente", handle="maria_nunez")
    assert process(session, verifier, config, renamed, START).resident_id == issued.resident_id
    assert _handle(session, issued.resident_id) == "maria_nunez"
    changes = [e for e in history(session, issued.resident_id) if e.detail and "->" in e.detail]
    assert [(e.kind, e.detail) for e in changes] == [
        (ResidentEventKind.HANDLE_CHANGED, "@maria_jun -> @maria_nunez")
    ]
    # And whoever takes her old handle inherits nothing: the user id is what counts
    impostor = inbox(INTRUDER, "Soy María, atendedme", handle="maria_jun")
    assert process(session, verifier, config, impostor, START).outcome is AdmissionOutcome.WAITING


def test_moving_to_a_new_account_with_a_fresh_code(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    # Given a fresh code for María's new account: the old one is served until it is used
    fresh = issue_code(session, config, issued.resident_id, now=START, actor=STAFF)
    old = process(session, verifier, config, inbox(MARIA, "¿Abre hoy la piscina?"), START)
    assert old.outcome is AdmissionOutcome.ADMITTED
    # When she sends it from the new account
    moved = process(session, verifier, config, inbox(NEW_ACCOUNT, fresh.code), START)
    # Then the new account is hers and the old one is not any more
    assert moved.outcome is AdmissionOutcome.VERIFIED
    assert _account(session, issued.resident_id) == Identity(Channel.X, NEW_ACCOUNT)
    again = process(session, verifier, config, inbox(MARIA, "¿Y mañana?"), START)
    assert again.outcome is AdmissionOutcome.WAITING
    unbound = [
        e for e in history(session, issued.resident_id) if e.kind is ResidentEventKind.UNBOUND
    ]
    assert [(e.identity, e.detail) for e in unbound] == [
        (Identity(Channel.X, MARIA), "moved to another X account")
    ]


def test_revocation_stops_service_until_a_new_code_is_used(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    # When staff revoke María (her phone was stolen)
    revoked = revoke(session, issued.resident_id, now=START, actor=STAFF, reason="phone stolen")
    session.commit()
    assert revoked.status is ResidentStatus.REVOKED
    assert revoked.identities == ()
    assert _account(session, issued.resident_id) is None
    # Then her account is served as anyone's
    after = process(session, verifier, config, inbox(MARIA, "¿Hola?"), START)
    assert after.outcome is AdmissionOutcome.WAITING
    events = history(session, issued.resident_id)
    assert (events[-1].kind, events[-1].detail) == (ResidentEventKind.REVOKED, "phone stolen")
    # And with a new code from the town hall she verifies again
    fresh = issue_code(session, config, issued.resident_id, now=START, actor=STAFF)
    back = process(session, verifier, config, inbox(MARIA, fresh.code), START)
    assert back.outcome is AdmissionOutcome.VERIFIED


def test_revocation_withdraws_unused_codes(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    revoke(session, issued.resident_id, now=START, actor=STAFF)
    late = process(session, verifier, config, inbox(MARIA, issued.code), START)
    assert late.outcome is AdmissionOutcome.CODE_REJECTED
