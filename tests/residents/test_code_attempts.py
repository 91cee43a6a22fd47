"""One attempt per code tried: a DM full of guesses is as many guesses, and the lockout stops
them before the right one gets its chance."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.codes import generate_code, normalise
from jun_engine.residents.repository import row_by_id
from jun_engine.store.tables import VerificationAttemptRow
from tests.residents.conftest import Inbox
from tests.residents.scene import INTRUDER, START, enrolled, process


def guesses(right: str, wrong: int, length: int) -> str:
    """A DM with `wrong` wrong codes, one a line, and the right one last."""
    codes: list[str] = []
    while len(codes) < wrong:
        code = generate_code(length)
        if code != normalise(right) and code not in codes:
            codes.append(code)
    return "\n".join([*codes, right])


def attempts(session: Session, account: str) -> list[bool]:
    statement = (
        select(VerificationAttemptRow.success)
        .where(
            VerificationAttemptRow.channel == Channel.X, VerificationAttemptRow.user_id == account
        )
        .order_by(col(VerificationAttemptRow.id))
    )
    return list(session.exec(statement).all())


def test_nineteen_wrong_codes_and_the_right_one_lock_out_before_the_right_one_is_tried(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    rules = config.verification
    issued = enrolled(session, config)
    # When one DM holds 19 wrong codes and the right one last
    text = guesses(issued.code, 19, rules.code_length)
    admission = process(session, verifier, config, inbox(INTRUDER, text), START)
    # Then it does not verify: each code tried was one attempt, up to the lockout
    assert admission.outcome is not AdmissionOutcome.VERIFIED
    assert admission.locked_until == START + rules.lockout
    assert attempts(session, INTRUDER) == [False] * rules.max_failed_attempts
    assert row_by_id(session, issued.resident_id).status is ResidentStatus.PENDING
    # And the code is still the resident's to use once the lockout has passed
    after = START + rules.lockout
    later = process(session, verifier, config, inbox(INTRUDER, issued.code), after)
    assert later.outcome is AdmissionOutcome.VERIFIED


def test_every_code_in_a_dm_counts_one_attempt(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # Given a town that allows 25 wrong codes an hour
    generous = config.model_copy(
        update={"verification": config.verification.model_copy(update={"max_failed_attempts": 25})}
    )
    issued = enrolled(session, generous)
    # When one DM holds 19 wrong codes and the right one
    text = guesses(issued.code, 19, generous.verification.code_length)
    admission = process(session, verifier, generous, inbox(INTRUDER, text), START)
    # Then it verifies, and 20 attempts were counted: 19 failures, then the success
    assert admission.outcome is AdmissionOutcome.VERIFIED
    assert attempts(session, INTRUDER) == [False] * 19 + [True]


def test_wrong_codes_in_one_dm_use_up_the_allowance_of_later_ones(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    rules = config.verification
    issued = enrolled(session, config)
    # Given a DM with all but one of the allowed wrong codes
    text = guesses(issued.code, rules.max_failed_attempts - 1, rules.code_length)
    first = text.rsplit("\n", 1)[0]
    process(session, verifier, config, inbox(INTRUDER, first), START)
    # When one more wrong code arrives, the account is locked out
    (wrong,) = guesses(issued.code, 1, rules.code_length).split("\n")[:1]
    moment = START + timedelta(minutes=1)
    locked = process(session, verifier, config, inbox(INTRUDER, wrong), moment)
    assert locked.locked_until == moment + rules.lockout


def test_a_code_with_a_request_verifies_and_the_request_is_served(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    text = f"Mi código es {issued.code}. ¡Hay un incendio en la nave de la calle Real!"
    admission = process(session, verifier, config, inbox(INTRUDER, text), START)
    assert admission.outcome is AdmissionOutcome.ADMITTED
    assert admission.resident_id == issued.resident_id
    assert row_by_id(session, issued.resident_id).status is ResidentStatus.VERIFIED
