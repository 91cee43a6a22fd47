"""One resident, any number of identities: an account on each channel, each found by its
channel and user id, each unbound by revocation and forgotten by erasure."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import AdmissionOutcome, Identity, ResidentEventKind
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.enrolment import issue_code
from jun_engine.residents.erasure import MARKER, erase
from jun_engine.residents.errors import ResidentNotFoundError
from jun_engine.residents.lockout import locked_until
from jun_engine.residents.repository import find_row, history, load_resident, row_by_id
from jun_engine.residents.revocation import revoke
from jun_engine.store.tables import InboundMessageRow, ResidentIdentityRow
from tests.residents.conftest import Inbox
from tests.residents.scene import INTRUDER, MARIA, STAFF, START, enrolled, process

LINE_USER = "U" + "4af4980629" * 3 + "12"
"""María's LINE user id (LINE's ids are U and 32 hex digits)."""


def on_both_channels(session: Session, config: Config, verifier: Verifier, inbox: Inbox) -> int:
    """María verifies her X account, then her LINE account with a fresh code; her id."""
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code, handle="maria_jun"), START)
    fresh = issue_code(session, config, issued.resident_id, now=START, actor=STAFF)
    line = inbox(LINE_USER, fresh.code, handle="María", channel=Channel.LINE)
    assert process(session, verifier, config, line, START).outcome is AdmissionOutcome.VERIFIED
    return issued.resident_id


def test_a_second_channel_adds_an_identity_and_keeps_the_first(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # Given María verified on X, when she verifies her LINE account too
    resident_id = on_both_channels(session, config, verifier, inbox)
    # Then both accounts are hers, and neither was unbound
    resident = load_resident(session, row_by_id(session, resident_id))
    assert resident.is_verified
    assert [(i.channel, i.user_id, i.handle) for i in resident.identities] == [
        (Channel.LINE, LINE_USER, "María"),
        (Channel.X, MARIA, "maria_jun"),
    ]
    assert resident.identity_on(Channel.X) == Identity(Channel.X, MARIA)
    kinds = [e.kind for e in history(session, resident_id)]
    assert ResidentEventKind.UNBOUND not in kinds
    # And what she writes from either is admitted as hers
    for author, channel in ((MARIA, Channel.X), (LINE_USER, Channel.LINE)):
        later = inbox(author, "La farola sigue apagada", channel=channel)
        admitted = process(session, verifier, config, later, START)
        assert (admitted.outcome, admitted.resident_id) == (AdmissionOutcome.ADMITTED, resident_id)
    # And the desk finds her by either account
    assert find_row(session, f"line:{LINE_USER}").id == resident_id
    assert find_row(session, f"x:{MARIA}").id == resident_id
    assert find_row(session, "@maria_jun").id == resident_id


def test_the_same_user_id_on_another_channel_is_another_account(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    # When a LINE account that happens to have María's X user id writes
    other = inbox(MARIA, "Soy María", channel=Channel.LINE)
    # Then it is not María: it waits like any stranger
    assert process(session, verifier, config, other, START).outcome is AdmissionOutcome.WAITING
    # And the lockout of an account on one channel leaves the other channel's alone
    for n in range(config.verification.max_failed_attempts):
        process(session, verifier, config, inbox(INTRUDER, f"ZZZZ-{2222 + n}"), START)
    rules = config.verification
    assert locked_until(session, Identity(Channel.X, INTRUDER), rules, START) is not None
    assert locked_until(session, Identity(Channel.LINE, INTRUDER), rules, START) is None
    # And an X reference must be an X user id
    for reference in ("x:maria", f"line:{MARIA}", "telegram:1"):
        with pytest.raises(ResidentNotFoundError):
            find_row(session, reference)


def test_revocation_unbinds_every_account(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    resident_id = on_both_channels(session, config, verifier, inbox)
    # When staff revoke her
    revoked = revoke(session, resident_id, now=START, actor=STAFF, reason="phone stolen")
    session.commit()
    # Then no account is hers any more, and her history says which ones were unbound
    assert (revoked.status, revoked.identities) == (ResidentStatus.REVOKED, ())
    unbound = [e for e in history(session, resident_id) if e.kind is ResidentEventKind.UNBOUND]
    assert {(e.identity, e.actor, e.detail) for e in unbound} == {
        (Identity(Channel.X, MARIA), STAFF, "revoked"),
        (Identity(Channel.LINE, LINE_USER), STAFF, "revoked"),
    }
    # And both are served as anyone's
    for author, channel in ((MARIA, Channel.X), (LINE_USER, Channel.LINE)):
        after = process(session, verifier, config, inbox(author, "¿Hola?", channel=channel), START)
        assert after.outcome is AdmissionOutcome.WAITING


def test_erasure_forgets_every_account(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    resident_id = on_both_channels(session, config, verifier, inbox)
    line = inbox(LINE_USER, "Vivo en Calle Olvido 7", channel=Channel.LINE)
    process(session, verifier, config, line, START)
    # When she is erased
    erase(session, resident_id, now=START, actor=STAFF)
    session.commit()
    # Then no identity of hers is left, not in the register and not in her history
    assert session.exec(select(ResidentIdentityRow)).all() == []
    assert {e.identity for e in history(session, resident_id)} == {None}
    # And what she wrote on LINE is erased like what she wrote on X
    texts = set(session.exec(select(InboundMessageRow.text)).all())
    assert texts == {MARKER}
