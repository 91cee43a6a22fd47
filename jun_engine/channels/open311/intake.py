"""Taking in what Open311 clients post: a service request becomes a message on the `open311`
channel and, in the same transaction, a case through the core's own stages (`process_claimed`
and the chain's `CaseDesk`: the case, its SLA, its acknowledgement and the department's
notification); an update from a client is recorded on its case (`REOPEN` reopens it).

The client already chose the service, so routing is theirs (`Layer.ACCOUNT`, confidence 1), and
the reporter is admitted as an Open311 client's resident: the town trusts the clients it gives
keys to. What identifies a person (name, email, phone, device and account ids) is kept in the
message's raw payload, on the case, and is never served back; the author id is a hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from jun_engine.cases.actions import reopen
from jun_engine.cases.repository import add_event, case_of_message
from jun_engine.cases.texts import localized, say
from jun_engine.channels.open311 import params, services
from jun_engine.channels.open311.clients import Client
from jun_engine.channels.open311.params import Params
from jun_engine.channels.open311.problems import bad_request
from jun_engine.channels.open311.reading import public_case
from jun_engine.channels.open311.wire import Document
from jun_engine.config.schema import Config
from jun_engine.domain.cases import can_move
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome
from jun_engine.domain.routing import Intent, Layer, Reason, Routing
from jun_engine.domain.statuses import CaseStatus, MessageStatus
from jun_engine.pipeline.chain import CaseDesk, Chain
from jun_engine.pipeline.process import process_claimed
from jun_engine.pipeline.turn import Outcome, PassOn, Turn
from jun_engine.routing.text import TextView
from jun_engine.routing.urgency import UrgencyDetector
from jun_engine.store.repository import store_pushed
from jun_engine.store.tables import CaseRow, InboundMessageRow

ENDPOINT = "open311"
"""The account every Open311 message reaches: the town's endpoint (the client is in the payload)."""
PERSONAL = ("email", "first_name", "last_name", "phone", "device_id", "account_id")
"""What a POST may say about the person: kept on the case, never served."""
KEPT = ("lat", "long", "address_string", "address_id", "media_url", "service_code")
EXTENDED_STATUSES = frozenset(
    {
        "OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING",
        "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL",
        "REOPEN", "FOR_TRIAGE",
    }
)  # fmt: skip
"""mySociety's statuses for updates (FixMyStreet sends them upper case)."""


@dataclass(frozen=True, slots=True)
class ClientRouting:
    """The chain's first handler for a POSTed request: admitted, and routed where the client
    said (the service it chose)."""

    routing: Routing

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        return turn.admission is None

    def handle(self, message: InboundMessage, turn: Turn) -> PassOn:
        admission = Admission(AdmissionOutcome.ADMITTED_OPEN, open_intent="open311")
        return PassOn(message, replace(turn, admission=admission, routing=self.routing))


def submit(
    session: Session,
    config: Config,
    client: Client,
    sent: Params,
    now: datetime,
    urgency: UrgencyDetector,
) -> Document:
    """POST requests: check everything first (nothing is stored for a refused request), then
    store the message and open its case (an emergency, by the router's own lexicon, takes the
    fast lane); what the client is told."""
    found = services.service(config, params.required(sent, "service_code"))
    params.location(sent)  # checked here; the payload keeps the values as sent
    description = params.text(sent, "description")
    attributes = params.answers(sent, services.attributes(config, found))
    media = params.one(sent, "media_url")
    if media is not None and not media.startswith(("https://", "http://")):
        raise bad_request("media_url must be an http or https URL")
    personal = {name: params.text(sent, name, limit=params.MAX_FIELD) for name in PERSONAL}
    token = uuid.uuid4().hex
    raw: dict[str, object] = {name: params.one(sent, name) for name in KEPT}
    raw |= personal
    raw |= {"description": description, "attributes": attributes, "client": client.name}
    message = InboundMessage(
        channel=Channel.OPEN311,
        kind=MessageKind.MENTION,
        platform_id=token,
        account_id=ENDPOINT,
        author_id=_author(client, personal, token),
        text=description or services.name_of(config, found, config.town.default_language),
        created_at=now,
        mentioned_ids=(ENDPOINT,),
        raw=json.dumps(raw, ensure_ascii=False, sort_keys=True),
    )
    case = _open(session, config, message, _routing(found, urgency, message.text), now)
    dept = config.departments[case.department]
    notice = say(
        config,
        "ack_dm",
        config.town.default_language,
        reference=case.reference,
        department=localized(dept.name, config.town.default_language, config),
    )
    return {"token": token, "service_request_id": case.reference, "service_notice": notice}


def _open(
    session: Session,
    config: Config,
    message: InboundMessage,
    routing: Routing,
    now: datetime,
) -> CaseRow:
    message_id = store_pushed(session, message, now)
    assert message_id is not None, "a fresh token is never stored twice"
    row = session.get(InboundMessageRow, message_id)
    assert row is not None
    chain = Chain((ClientRouting(routing), CaseDesk()))
    outcome: Outcome = process_claimed(session, row, config, now, chain)
    case = case_of_message(session, message_id)
    assert case is not None, f"the case desk did not open a case ({outcome.by})"
    return case


def _routing(found: services.Service, urgency: UrgencyDetector, text: str) -> Routing:
    """Where the client said, as sure as an account's own (`Layer.ACCOUNT`), urgent if the
    text holds emergency words."""
    level, alarms = urgency.detect(TextView.of(text))
    reasons = [Reason("open311", f"service {found.code}")]
    if alarms:
        reasons.append(Reason("urgency", "emergency words: " + ", ".join(alarms)))
    return Routing(
        department=found.department,
        category=found.category,
        intent=Intent.COMPLAINT,
        urgency=level,
        confidence=1.0,
        layer=Layer.ACCOUNT,
        reasons=tuple(reasons),
    )


def _author(client: Client, personal: dict[str, str | None], token: str) -> str:
    """Who wrote it, as the engine tells people apart: the client's id and a hash of the
    person's account id (or email, or phone), never the contact itself."""
    who = personal["account_id"] or personal["email"] or personal["phone"] or token
    return f"{client.id}:" + hashlib.sha256(who.encode("utf-8")).hexdigest()[:40]


def update(
    session: Session, config: Config, client: Client, sent: Params, now: datetime
) -> Document:
    """POST servicerequestupdates: a client's update recorded on its case (once per
    update_id); `REOPEN` reopens a resolved or closed case."""
    case = public_case(session, config, params.required(sent, "service_request_id"))
    update_id = params.required(sent, "update_id")
    status = params.required(sent, "status").upper()
    if status not in EXTENDED_STATUSES:
        raise bad_request(f"status must be one of {', '.join(sorted(EXTENDED_STATUSES))}")
    at = params.moment(sent, "updated_datetime")
    if at is None:
        raise bad_request("updated_datetime is required")
    description = params.text(sent, "description") or ""
    personal = {name: params.text(sent, name, limit=params.MAX_FIELD) for name in PERSONAL}
    opening = session.get(InboundMessageRow, case.message_id) if case.message_id else None
    message = InboundMessage(
        channel=Channel.OPEN311,
        kind=MessageKind.MENTION,
        platform_id=f"update:{client.id}:{hashlib.sha256(update_id.encode()).hexdigest()[:40]}",
        account_id=ENDPOINT,
        author_id=_author(client, personal, update_id),
        text=description,
        created_at=at,
        in_reply_to_id=opening.platform_id if opening else None,
        mentioned_ids=(ENDPOINT,),
        raw=json.dumps(
            {"update_id": update_id, "status": status, "client": client.name} | personal,
            ensure_ascii=False,
            sort_keys=True,
        ),
    )
    stored = store_pushed(session, message, now)
    if stored is None:  # posted before: the same answer, nothing recorded twice
        return {"update_id": str(_stored_id(session, message))}
    _record(session, case, client, message, status, stored, now)
    return {"update_id": str(stored)}


def _record(
    session: Session,
    case: CaseRow,
    client: Client,
    message: InboundMessage,
    status: str,
    stored: int,
    now: datetime,
) -> None:
    row = session.get(InboundMessageRow, stored)
    assert row is not None
    row.status = MessageStatus.PROCESSED
    row.processed_at = now
    session.add(row)
    actor = f"open311:{client.name}"
    add_event(
        session,
        case,
        "open311_update",
        actor=actor,
        at=now,
        detail=f"{status}: {message.text}".strip(),
        ref=message.platform_id,
    )
    if status == "REOPEN" and can_move(case.status, CaseStatus.REOPENED):
        reopen(session, case, actor=actor, now=now)


def _stored_id(session: Session, message: InboundMessage) -> int | None:
    return session.exec(
        select(InboundMessageRow.id).where(
            InboundMessageRow.channel == message.channel,
            InboundMessageRow.kind == message.kind,
            InboundMessageRow.platform_id == message.platform_id,
        )
    ).first()
