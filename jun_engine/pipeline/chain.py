"""The chain one stored message goes through, inside its one transaction: an ordered list of
handlers, the first that settles the message wins.

    StaffCommands     a DM to the town account from one of the town's own accounts ──> command
    OwnAccounts       anything else from one of them ──────────────────────────────> ignored
    ImplicitMentions  a mention that does not @mention the account (a reply chain's) ──> ignored
    Verification      waiting / a code / locked out ──> settled (kept, released on verification);
                      admitted ──> passed on, with the admission (and codes masked)
    Attachments       a photo or a map pin ──> filed with the resident's recent case (or kept)
    SameReport        a "is this the same?" button pressed ──> grouped, or kept apart
    Classification    passes on with the routing
    StraightToDesk    an emergency or a police report ──> a case, whatever dialogue is open
    SelfService       a booking step, an instant answer, help ──> answered without a department
    Survey            a rating for a resolved case ──> stored on the case
    CaseDesk          a case at its department: acknowledgement and notification queued,
                      loose photos and pin attached, what its category needs asked for

Every handler writes in the caller's transaction and sends nothing itself: what it has to say
goes to the outbox, so the message and everything it caused commit together, exactly once.
Tests build shorter chains from these same handlers (verification alone, for instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from jun_engine.attachments.followups import (
    SAME,
    after_opening,
    answer_same,
    take_attachment,
)
from jun_engine.cases.accounts import ACCOUNTS_CHANNEL, own_accounts
from jun_engine.cases.opening import open_case
from jun_engine.cases.staff import handle_staff_dm
from jun_engine.cases.survey import handle_rating, is_rating
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.routing import Intent, Routing
from jun_engine.domain.statuses import MessageStatus
from jun_engine.pipeline.turn import Handler, Outcome, PassOn, Turn
from jun_engine.pipeline.verify import Verifier
from jun_engine.places.districts import Districts
from jun_engine.routing.router import Router
from jun_engine.selfservice import handle as self_service
from jun_engine.selfservice.vocabulary import Vocabulary


def goes_straight_to_the_desk(routing: Routing) -> bool:
    """An emergency or a report to the police is never read as a dialogue's answer, a rating or
    a question for self-service: it always becomes a case."""
    return routing.is_emergency or routing.intent is Intent.POLICE_REPORT


@dataclass(frozen=True, slots=True)
class StaffCommands:
    """A DM to the town account from one of the town's own accounts: a staff command."""

    own: frozenset[tuple[Channel, str]]
    town: tuple[Channel, str]

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return (
            (message.channel, message.author_id) in self.own
            and message.kind is MessageKind.DM
            and (message.channel, message.account_id) == self.town
        )

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        handle_staff_dm(message, turn)
        return Outcome(MessageStatus.PROCESSED, "staff command")


@dataclass(frozen=True, slots=True)
class OwnAccounts:
    """Anything else the town's own accounts write is not a resident's: ignored."""

    own: frozenset[tuple[Channel, str]]

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return (message.channel, message.author_id) in self.own

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        return Outcome(MessageStatus.IGNORED, "own account")


class ImplicitMentions:
    """A mention that reached the account only through a reply chain: not written to the town."""

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return message.is_implicit_mention

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        return Outcome(MessageStatus.IGNORED, "implicit mention")


@dataclass(frozen=True, slots=True)
class Verification:
    """Only verified residents are served (`pipeline.verify`): the rest stop here."""

    verifier: Verifier

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.admission is None

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome | PassOn:
        admission, stored = self.verifier(message, turn)
        if admission.proceeds:
            return PassOn(stored, replace(turn, admission=admission))
        waiting = admission.outcome is AdmissionOutcome.WAITING
        status = MessageStatus.WAITING_VERIFICATION if waiting else MessageStatus.PROCESSED
        return Outcome(status, "verification", admission)


@dataclass(frozen=True, slots=True)
class Classification:
    """The router's reading of an admitted message: department, category, urgency."""

    router: Router

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.admission is not None and turn.routing is None

    def handle(self, message: InboundMessage, turn: Turn) -> PassOn:
        return PassOn(message, replace(turn, routing=self.router.classify(message)))


@dataclass(frozen=True, slots=True)
class Attachments:
    """A photo or a map pin an admitted resident sent (`attachments.followups`): filed with
    their recent case, or kept for the report to come; the district found from `districts`."""

    districts: Districts | None = None

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return (
            turn.admission is not None
            and message.action is None
            and (bool(message.attachments) or message.place is not None)
        )

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        take_attachment(message, turn, self.districts)
        return Outcome(MessageStatus.PROCESSED, "attachments", turn.admission)


class SameReport:
    """The resident's answer to "is this the same?" (`attachments.followups.answer_same`)."""

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.admission is not None and (message.action or "").startswith(f"{SAME}:")

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome | PassOn:
        if answer_same(message, turn):
            return Outcome(MessageStatus.PROCESSED, "same report", turn.admission)
        return PassOn(message, turn)


@dataclass(frozen=True, slots=True)
class SelfService:
    """Answered without a department (`selfservice`), when it can; with the town's
    `vocabulary` compiled once (None: compiled for each message, as a test's short chain may)."""

    vocabulary: Vocabulary | None = None

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        admission = turn.admission
        return admission is not None and admission.outcome is AdmissionOutcome.ADMITTED

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome | PassOn:
        if self_service(message, turn, self.vocabulary):
            return Outcome(MessageStatus.PROCESSED, "self-service", turn.admission)
        return PassOn(message, turn)


class Survey:
    """A DM that is only a rating, or a pressed rating button, for a resolved case awaiting one
    (`cases.survey`)."""

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return message.kind is MessageKind.DM and is_rating(message)

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome | PassOn:
        if handle_rating(message, turn):
            return Outcome(MessageStatus.PROCESSED, "survey", turn.admission)
        return PassOn(message, turn)


@dataclass(frozen=True, slots=True)
class CaseDesk:
    """Everything else admitted and routed: a case at its department, with the resident's
    photos and pin (`attachments.followups.after_opening`)."""

    districts: Districts | None = None

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.admission is not None and turn.routing is not None

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        case_id = open_case(message, turn)
        after_opening(message, turn, case_id, self.districts)
        return Outcome(MessageStatus.PROCESSED, "case desk", turn.admission)


@dataclass(frozen=True, slots=True)
class StraightToDesk:
    """The safety rule: an emergency or a police report is a case, whatever dialogue is open."""

    desk: CaseDesk = CaseDesk()

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.routing is not None and goes_straight_to_the_desk(turn.routing)

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome:
        return self.desk.handle(message, turn)


@dataclass(frozen=True, slots=True)
class Chain:
    """The handlers in order, built once for the daemon's life (lexicons and model compiled)."""

    handlers: Sequence[Handler]

    @classmethod
    def build(cls, config: Config, router: Router, *, districts: Districts | None = None) -> Chain:
        """The daemon's chain for this town, with `router` (`routing.setup.build_router`) and
        its `districts` (`places.districts.town_districts`), if it draws any."""
        own = own_accounts(config)
        desk = CaseDesk(districts)
        return cls(
            (
                StaffCommands(own, (ACCOUNTS_CHANNEL, config.town_account().user_id)),
                OwnAccounts(own),
                ImplicitMentions(),
                Verification(Verifier()),
                Attachments(districts),
                SameReport(),
                Classification(router),
                StraightToDesk(desk),
                SelfService(Vocabulary(config)),
                Survey(),
                desk,
            )
        )

    def __call__(self, message: InboundMessage, turn: Turn) -> Outcome:
        """Run `message` through the handlers; what became of it. A message no handler settles
        (in a shorter chain) is processed with what was learned."""
        for handler in self.handlers:
            if not handler.check(message, turn):
                continue
            done = handler.handle(message, turn)
            if isinstance(done, Outcome):
                return done
            message, turn = done.message, done.turn
        return Outcome(MessageStatus.PROCESSED, "passed through", turn.admission)
