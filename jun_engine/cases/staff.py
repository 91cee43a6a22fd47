"""Staff commands by DM to the town account: parse, check who sent it, act, answer by DM.

Only accounts in accounts.yaml that staff a department (its account, lead or staff accounts),
the triage desk's and the escalation account may command; anyone else is refused and logged at
WARNING with the sender's id only (never the text), and gets no answer. A department's accounts
act on that department's cases; the triage desk and the escalation account on every case.
Every answer is in the town's default language, why a command failed included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from jun_engine.cases import accounts, actions
from jun_engine.cases.commands import CommandSyntaxError, StaffCommand, Verb, parse
from jun_engine.cases.errors import (
    CaseError,
    CaseNotFoundError,
    CaseRefusedError,
    UnknownDepartmentError,
)
from jun_engine.cases.privacy import PrivateTextInPublicError
from jun_engine.cases.repository import by_reference
from jun_engine.cases.texts import TEXTS, localized, say, word
from jun_engine.config.schema import Config
from jun_engine.domain.cases import format_reference
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.outbox.answer import answer
from jun_engine.outbox.api import Priority
from jun_engine.pipeline.turn import Turn
from jun_engine.store.tables import CaseRow

log = logging.getLogger(__name__)


class StaffResult(StrEnum):
    """What became of a staff DM."""

    DONE = "done"
    HELP = "help"
    REFUSED = "refused"
    """The sender may not command (not a department's account): logged, not answered."""
    NOT_YOURS = "not_yours"
    UNKNOWN_REFERENCE = "unknown_reference"
    INVALID = "invalid"
    """Not a command, or a command the case cannot take; the sender was told why."""
    IGNORED = "ignored"
    """Not a DM to the town account."""


@dataclass(frozen=True, slots=True)
class StaffOutcome:
    """The result of one staff DM, for the processing stage's log line."""

    result: StaffResult
    verb: Verb | None = None
    reference: str | None = None


def handle_staff_dm(message: InboundMessage, turn: Turn) -> StaffOutcome:
    """Act on one DM sent to the town account by one of the town's own accounts."""
    session, config, now = turn.session, turn.config, turn.now
    if message.kind is not MessageKind.DM or message.account_id != accounts.town_id(config):
        return StaffOutcome(StaffResult.IGNORED)
    scope = accounts.staff_departments(config, message.author_id)
    if scope is None:
        log.warning(
            "staff command refused: account %s does not staff any department", message.author_id
        )
        return StaffOutcome(StaffResult.REFUSED)
    reply = _Replier(session, message, config)
    try:
        command = parse(message.text)
    except CommandSyntaxError as error:
        key = f"problem_{error.key}"
        example = _example(config, now)
        problem = (
            _say(config, key, **error.values, example=example) if key in TEXTS else error.problem
        )
        reply("staff_invalid", problem=problem)
        return StaffOutcome(StaffResult.INVALID)
    return _run(session, command, scope, reply, message, config, now)


def _run(
    session: Session,
    command: StaffCommand,
    scope: frozenset[str],
    reply: _Replier,
    message: InboundMessage,
    config: Config,
    now: datetime,
) -> StaffOutcome:
    if command.verb is Verb.HELP:
        reply(
            "staff_help", departments=", ".join(config.departments), example=_example(config, now)
        )
        return StaffOutcome(StaffResult.HELP, Verb.HELP)
    assert command.reference is not None
    outcome = StaffOutcome(StaffResult.DONE, command.verb, command.reference)
    try:
        case = _case_in_scope(session, command.reference, scope)
        if case is None:
            owner = config.departments[by_reference(session, command.reference).department]
            department = localized(owner.name, config.town.default_language, config)
            reply("staff_not_yours", reference=command.reference, department=department)
            return StaffOutcome(StaffResult.NOT_YOURS, command.verb, command.reference)
        with session.begin_nested():
            _act(session, command, case, message.author_id, config, now)
    except CaseNotFoundError as error:
        reply("staff_unknown_reference", reference=error.reference, example=_example(config, now))
        return StaffOutcome(StaffResult.UNKNOWN_REFERENCE, command.verb, command.reference)
    except CaseError as error:
        reply("staff_refused", problem=_refusal(session, error, command.reference, config))
        return StaffOutcome(StaffResult.INVALID, command.verb, command.reference)
    reply(f"done_{command.verb.value}", reference=command.reference)
    return outcome


def _act(
    session: Session,
    command: StaffCommand,
    case: CaseRow,
    actor: str,
    config: Config,
    now: datetime,
) -> None:
    if command.verb is Verb.ANSWER:
        actions.answer(session, case, command.text, actor=actor, config=config, now=now)
    elif command.verb is Verb.RESOLVE:
        actions.resolve(session, case, actor=actor, config=config, now=now, text=command.text)
    elif command.verb is Verb.NOTE:
        actions.note(session, case, command.text, actor=actor, now=now)
    elif command.verb is Verb.REROUTE:
        assert command.department is not None
        actions.reroute(
            session, case, command.department, command.category, actor=actor, config=config, now=now
        )
    elif command.verb is Verb.MERGE:
        assert command.into is not None
        into = by_reference(session, command.into)
        actions.merge(session, case, into, actor=actor, config=config, now=now)


def _case_in_scope(session: Session, reference: str, scope: frozenset[str]) -> CaseRow | None:
    case = by_reference(session, reference)
    return case if case.department in scope else None


def _refusal(session: Session, error: CaseError, reference: str, config: Config) -> str:
    """Why the case desk refused, in the town's language (the error's own text is English)."""
    language = config.town.default_language
    if isinstance(error, UnknownDepartmentError):
        known = ", ".join(error.known) or "-"
        if error.department is None:
            return _say(config, "problem_unknown_department", name=error.name, known=known)
        department = localized(config.departments[error.department].name, language, config)
        return _say(
            config, "problem_unknown_category", department=department, name=error.name, known=known
        )
    if isinstance(error, PrivateTextInPublicError):
        return _say(config, "problem_private_in_public", reference=reference)
    key = error.key if isinstance(error, CaseRefusedError) else "refused"
    shown = error.reference if isinstance(error, CaseRefusedError) else reference
    status = by_reference(session, shown).status.value
    return _say(
        config,
        f"problem_{key}" if f"problem_{key}" in TEXTS else "problem_refused",
        reference=shown,
        status=word(config, "status", status, language),
    )


def _say(config: Config, key: str, **values: object) -> str:
    """A staff text by key, given more values than it may use (each problem takes its own)."""
    return say(config, key, config.town.default_language, **values)


def _example(config: Config, now: datetime) -> str:
    return format_reference(config.cases.reference_prefix, now.year, 123)


class _Replier:
    """Answers the staff member by DM from the town account, once per command message."""

    def __init__(self, session: Session, message: InboundMessage, config: Config) -> None:
        self._session = session
        self._message = message
        self._config = config

    def __call__(self, key: str, **values: object) -> None:
        text = say(self._config, key, self._config.town.default_language, **values)
        answer(
            self._session,
            self._config,
            self._message,
            text,
            key=f"staff:{self._message.platform_id}",
            from_town=True,
            priority=Priority.ACK,
        )
