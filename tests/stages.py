"""The production stages and processing entry point, called the way tests hold their data: a
stored row and its session (each turns the row into the domain message and its turn, as
`pipeline.process.process_claimed` does, then calls the production code unchanged)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.cases import opening, staff, survey
from jun_engine.config.schema import Config
from jun_engine.domain.residents import Admission
from jun_engine.domain.routing import Routing
from jun_engine.emulator.clock import Clock
from jun_engine.pipeline.chain import Chain, ImplicitMentions, SelfService, Verification
from jun_engine.pipeline.process import process_all as process_all_new
from jun_engine.pipeline.turn import Turn
from jun_engine.pipeline.verify import Verifier
from jun_engine.routing.router import Router
from jun_engine.store.repository import message_from_row
from jun_engine.store.tables import InboundMessageRow


def turn_of(
    session: Session,
    row: InboundMessageRow,
    config: Config,
    now: datetime,
    admission: Admission | None = None,
    routing: Routing | None = None,
) -> Turn:
    """The turn the chain gives `row`'s message (after verification and classification, when
    `admission` and `routing` are given)."""
    assert row.id is not None
    return Turn(session, config, now, row.id, admission, routing)


def open_case(
    session: Session,
    row: InboundMessageRow,
    admission: Admission,
    routing: Routing,
    config: Config,
    now: datetime,
) -> int:
    """`cases.opening.open_case` on a stored row."""
    turn = turn_of(session, row, config, now, admission, routing)
    return opening.open_case(message_from_row(row), turn)


def handle_staff_dm(
    session: Session, row: InboundMessageRow, config: Config, now: datetime
) -> staff.StaffOutcome:
    """`cases.staff.handle_staff_dm` on a stored row."""
    return staff.handle_staff_dm(message_from_row(row), turn_of(session, row, config, now))


def handle_rating(
    session: Session, row: InboundMessageRow, admission: Admission, config: Config, now: datetime
) -> bool:
    """`cases.survey.handle_rating` on a stored row."""
    turn = turn_of(session, row, config, now, admission)
    return survey.handle_rating(message_from_row(row), turn)


def verification_chain(verifier: Verifier | None = None) -> Chain:
    """The daemon's chain up to verification: implicit mentions ignored, then verification."""
    return Chain((ImplicitMentions(), Verification(verifier or Verifier())))


def case_desk_chain(config: Config, router: Router) -> Chain:
    """The daemon's chain without self-service: every admitted request becomes a case."""
    handlers = Chain.build(config, router).handlers
    return Chain(tuple(h for h in handlers if not isinstance(h, SelfService)))


def process_all(engine: Engine, config: Config, router: Router, now: datetime) -> int:
    """Every NEW message through `case_desk_chain`, in sent order, at `now`; how many."""
    return process_all_new(engine, Clock.stepped(now), config, case_desk_chain(config, router))
