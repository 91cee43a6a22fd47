"""The wave-3 processing chain, as the lead wires it into `pipeline/process.py`, for tests that
run stored messages through the case desk before that wiring exists: own accounts' DMs to the
town go to the staff commands; the rest through verification, a pending survey, the router and
case opening (self-service is not part of these tests)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.cases.opening import open_case
from jun_engine.cases.staff import handle_staff_dm
from jun_engine.cases.survey import handle_rating
from jun_engine.channels.x.intake.streams import own_account_ids
from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.pipeline.verify import admit
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import MessageStatus
from jun_engine.store.tables import InboundMessageRow


def process_message(
    session: Session, row: InboundMessageRow, config: Config, router: Router, now: datetime
) -> MessageStatus:
    """Run one stored message through the chain; the status it ends in (also set on the row)."""
    row.status = _status_after(session, row, config, router, now)
    row.processed_at = now
    session.add(row)
    return row.status


def process_all(engine: Engine, config: Config, router: Router, now: datetime) -> int:
    """Process every NEW message, oldest first, one transaction each; how many."""
    done = 0
    while True:
        with session_scope(engine) as session:
            statement = (
                select(InboundMessageRow)
                .where(InboundMessageRow.status == MessageStatus.NEW)
                .order_by(col(InboundMessageRow.id))
                .limit(1)
            )
            row = session.exec(statement).first()
            if row is None:
                return done
            process_message(session, row, config, router, now)
            done += 1


def _status_after(
    session: Session, row: InboundMessageRow, config: Config, router: Router, now: datetime
) -> MessageStatus:
    if row.author_id in own_account_ids(config):
        handle_staff_dm(session, row, config, now)
        return MessageStatus.PROCESSED
    if row.kind is MessageKind.MENTION and row.account_id not in row.mentioned_ids.split():
        return MessageStatus.IGNORED
    admission = admit(session, row, config, now)
    if not admission.proceeds:
        waiting = admission.outcome is AdmissionOutcome.WAITING
        return MessageStatus.WAITING_VERIFICATION if waiting else MessageStatus.PROCESSED
    if handle_rating(session, row, admission, config, now):
        return MessageStatus.PROCESSED
    open_case(session, row, admission, router.classify(as_message(row)), config, now)
    return MessageStatus.PROCESSED


def as_message(row: InboundMessageRow) -> InboundMessage:
    """The domain message of a stored row (what the router reads)."""
    return InboundMessage(
        channel=row.channel,
        kind=row.kind,
        platform_id=row.platform_id,
        account_id=row.account_id,
        author_id=row.author_id,
        text=row.text,
        created_at=row.created_at,
        author_handle=row.author_handle,
        conversation_id=row.conversation_id,
        in_reply_to_id=row.in_reply_to_id,
        mentioned_ids=tuple(row.mentioned_ids.split()),
        quoted_id=row.quoted_id,
        hashtags=tuple(row.hashtags.split()),
    )
