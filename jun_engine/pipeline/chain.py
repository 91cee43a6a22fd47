"""The chain one stored message goes through, inside its one transaction, to the status it ends in.

    from one of the town's own accounts ── a DM to the town account ──> staff command
                                        └─ anything else ────────────> ignored
    a mention that does not @mention the account (implicit, from a reply chain) ──> ignored
    verification ── waiting / a code / locked out ──> stops here (kept, released on verification)
    an emergency or a police report ──────────────────> straight to routing, whatever else is open
    self-service ── a booking step, an instant answer, help ──> answered without a department
    survey ── a rating for a resolved case ──> stored on the case
    routing ──> a case at its department: acknowledgement and notification queued in the outbox

Every stage writes in the caller's transaction and sends nothing itself: what it has to say goes
to the outbox, so the message and everything it caused commit together, exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from jun_engine.cases.opening import open_case
from jun_engine.cases.staff import handle_staff_dm
from jun_engine.cases.survey import handle_rating
from jun_engine.channels.x.intake.streams import own_account_ids
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.routing import Intent, Routing
from jun_engine.pipeline.verify import Verifier
from jun_engine.routing.router import Router
from jun_engine.selfservice import handle as self_service
from jun_engine.store.repository import message_from_row
from jun_engine.store.statuses import MessageStatus
from jun_engine.store.tables import InboundMessageRow


def goes_straight_to_the_desk(routing: Routing) -> bool:
    """An emergency or a report to the police is never read as a dialogue's answer, a rating or
    a question for self-service: it always becomes a case."""
    return routing.is_emergency or routing.intent is Intent.POLICE_REPORT


@dataclass(frozen=True)
class Chain:
    """The stages, built once for the daemon's life (lexicons and the model compiled once)."""

    config: Config
    router: Router
    verifier: Verifier
    own_ids: frozenset[str]
    town_id: str

    @classmethod
    def build(cls, config: Config, router: Router) -> Chain:
        """The chain for this town, with `router` (from `jun_engine.routing.setup.build_router`)."""
        return cls(
            config, router, Verifier(), own_account_ids(config), config.town_account().user_id
        )

    def __call__(self, session: Session, row: InboundMessageRow, now: datetime) -> MessageStatus:
        """Run `row` through the stages; the status it ends in."""
        if row.author_id in self.own_ids:
            return self._from_staff(session, row, now)
        if row.kind is MessageKind.MENTION and row.account_id not in row.mentioned_ids.split():
            return MessageStatus.IGNORED
        admission = self.verifier(session, row, self.config, now)
        if not admission.proceeds:
            waiting = admission.outcome is AdmissionOutcome.WAITING
            return MessageStatus.WAITING_VERIFICATION if waiting else MessageStatus.PROCESSED
        routing = self.router.classify(message_from_row(row))
        if not goes_straight_to_the_desk(routing):
            if self_service(session, row, admission, self.config, now):
                return MessageStatus.PROCESSED
            if handle_rating(session, row, admission, self.config, now):
                return MessageStatus.PROCESSED
        open_case(session, row, admission, routing, self.config, now)
        return MessageStatus.PROCESSED

    def _from_staff(self, session: Session, row: InboundMessageRow, now: datetime) -> MessageStatus:
        if row.kind is MessageKind.DM and row.account_id == self.town_id:
            handle_staff_dm(session, row, self.config, now)
            return MessageStatus.PROCESSED
        return MessageStatus.IGNORED
