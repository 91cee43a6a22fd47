"""What a report's photos and map pins do in the chain, whatever channel sent them.

- A case opens (`after_opening`): the resident's photos and pin sent in the last
  `ATTACH_WINDOW` and held by no case join it; if its category `needs` a photo or a location
  still missing, and the channel draws buttons, the resident is asked with quick replies
  (added under the acknowledgement still queued: one reply, where two would spend a push).
- A photo or pin arrives (`take_attachment`): it joins the resident's case opened in the last
  `ATTACH_WINDOW` (still open); without one it waits, loose, for the report it belongs to.
- A pin gives the case its district (`town.districts_geojson`); a pin outside every district is
  kept, the case stays without a district, and the resident is told (and may send another).
- A case whose pin is within `NEAR_METRES` of an open case of the same category is offered as
  "is this the same?" (yes/no buttons); `answer_same` groups a "yes" into the other case's
  incident and merges it there, instead of a second case at the department.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from jun_engine.attachments import repository as stored
from jun_engine.attachments.texts import label, say
from jun_engine.cases.actions import merge
from jun_engine.cases.incidents import LINKED
from jun_engine.cases.outgoing import case_key
from jun_engine.cases.repository import ENGINE, add_event, has_event
from jun_engine.cases.texts import localized
from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import Channel, InboundMessage, Place
from jun_engine.outbox.answer import answer
from jun_engine.outbox.api import add_to_pending
from jun_engine.pipeline.turn import Turn
from jun_engine.places.districts import Districts
from jun_engine.places.geometry import distance_m
from jun_engine.residents.texts import guess_language
from jun_engine.store.tables import CasePlaceRow, CaseRow, IncidentRow, ResidentRow

ATTACH_WINDOW = timedelta(minutes=30)
"""How long after a report its photos and pin still join it (and before it, wait for it)."""
NEAR_METRES = 250.0
"""FixMyStreet's distance: a report this close to an open one of its kind may be the same."""
SAME = "same"
"""The prefix of the "is this the same?" buttons' data: `same:yes|no:<case id>:<other id>`."""
ASKING_CHANNELS = frozenset({Channel.LINE})
"""Channels that draw buttons asking for a pin, a photo or a yes/no (LINE's quick replies)."""


def after_opening(
    message: InboundMessage, turn: Turn, case_id: int, districts: Districts | None
) -> None:
    """Give the new case the resident's loose photos and pin, ask for what its category still
    needs, and offer it as the same as a nearby open case."""
    session, now = turn.session, turn.now
    case = session.get(CaseRow, case_id)
    if case is None or case.author_id is None:
        return
    since = now - ATTACH_WINDOW
    photos = stored.loose_photos(session, message.channel, case.author_id, since)
    stored.attach_photos(session, case_id, photos)
    pin = stored.loose_place(session, message.channel, case.author_id, since, turn.message_id)
    placed = None
    if pin is not None:
        placed = _place(message, turn, case, pin[1], pin[0], districts, announce=False)
    # a case opened in this turn has no photos or pin but those just given to it
    opened_now = case.opened_at == now
    has_photos = bool(photos) or (not opened_now and stored.has_photos(session, case_id))
    has_place = placed is not None or (
        not opened_now and stored.place_of(session, case_id) is not None
    )
    _ask_for_missing(message, turn, case, has_photos=has_photos, has_place=has_place)
    if placed is not None:
        _offer_same(message, turn, case, placed)


def take_attachment(message: InboundMessage, turn: Turn, districts: Districts | None) -> None:
    """File the photos and pin `message` carries with the resident's recent case, or keep them
    loose for the report to come."""
    session, config, now = turn.session, turn.config, turn.now
    photos = stored.record_photos(session, message, turn.message_id, now)
    case = stored.recent_case(session, message.channel, message.author_id, now - ATTACH_WINDOW)
    if case is None or case.id is None:
        text = say(config, "kept_for_later", _language(session, message, turn))
        answer(session, config, message, text, key=f"attach:{turn.message_id}:kept")
        return
    if photos:
        stored.attach_photos(session, case.id, photos)
        add_event(session, case, "photo_added", actor=ENGINE, at=now, detail=str(len(photos)))
        text = say(config, "photo_added", case.language, reference=case.reference)
        answer(
            session, config, message, text, key=f"attach:{turn.message_id}:photo", case_id=case.id
        )
    if message.place is not None:
        placed = _place(message, turn, case, message.place, turn.message_id, districts)
        _offer_same(message, turn, case, placed)


def answer_same(message: InboundMessage, turn: Turn) -> bool:
    """Act on a resident's "is this the same?" button; False when the data is not such an
    answer for one of this resident's cases (then someone else may read it)."""
    parsed = _parse_same(message.action or "")
    if parsed is None:
        return False
    yes, case_id, other_id = parsed
    session, config, now = turn.session, turn.config, turn.now
    case, other = session.get(CaseRow, case_id), session.get(CaseRow, other_id)
    if (
        case is None
        or other is None
        or case.channel is not message.channel
        or case.author_id != message.author_id
    ):
        return False
    if case.status not in OPEN_STATUSES or has_event(session, case_id, "not_same", other.reference):
        return True
    if yes:
        _group(session, case, other, turn, message.author_id)
        merge(session, case, other, actor=message.author_id, config=config, now=now)
        return True
    add_event(session, case, "not_same", actor=message.author_id, at=now, ref=other.reference)
    text = say(config, "same_no", case.language, reference=case.reference)
    answer(session, config, message, text, key=case_key(case, f"not-same:{other.id}"))
    return True


def _parse_same(data: str) -> tuple[bool, int, int] | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != SAME or parts[1] not in ("yes", "no"):
        return None
    if not (parts[2].isdigit() and parts[3].isdigit()):
        return None
    return parts[1] == "yes", int(parts[2]), int(parts[3])


def _place(
    message: InboundMessage,
    turn: Turn,
    case: CaseRow,
    place: Place,
    message_id: int,
    districts: Districts | None,
    *,
    announce: bool = True,
) -> CasePlaceRow:
    session, config, now = turn.session, turn.config, turn.now
    assert case.id is not None
    district = districts.district_at(place.latitude, place.longitude) if districts else None
    row = stored.set_place(session, case.id, place, district, message_id, now)
    add_event(session, case, "placed", actor=ENGINE, at=now, detail=district)
    key = f"attach:{message_id}:place"
    if districts is not None and district is None:
        text = say(
            config, "place_outside", case.language, town=config.town.name, reference=case.reference
        )
        answer(session, config, message, text, key=key, case_id=case.id)
    elif announce:
        shown = district or config.town.name
        text = say(config, "place_added", case.language, reference=case.reference, district=shown)
        answer(session, config, message, text, key=key, case_id=case.id)
    return row


def _ask_for_missing(
    message: InboundMessage, turn: Turn, case: CaseRow, *, has_photos: bool, has_place: bool
) -> None:
    session, config = turn.session, turn.config
    if message.channel not in ASKING_CHANNELS or case.category is None or case.id is None:
        return
    category = config.departments[case.department].categories.get(case.category)
    needs = set(category.needs) if category is not None else set()
    if has_photos:
        needs.discard("photo")
    if has_place:
        needs.discard("location")
    if not needs:
        return
    language = case.language
    choices = []
    if "location" in needs:
        choices.append(Choice(label(config, "location", language), ask="location"))
    if "photo" in needs:
        choices.append(Choice(label(config, "camera", language), ask="camera"))
        choices.append(Choice(label(config, "photo", language), ask="photo"))
    key = {frozenset({"photo"}): "ask_photo", frozenset({"location"}): "ask_location"}.get(
        frozenset(needs), "ask_both"
    )
    text = say(config, key, language, reference=case.reference)
    if add_to_pending(session, case_key(case, "ack"), text, choices):
        return  # under the acknowledgement: one reply, no push spent on the question
    answer(
        session,
        config,
        message,
        text,
        key=case_key(case, "ask-attachments"),
        case_id=case.id,
        choices=choices,
    )


def _offer_same(message: InboundMessage, turn: Turn, case: CaseRow, placed: CasePlaceRow) -> None:
    session, config = turn.session, turn.config
    if message.channel not in ASKING_CHANNELS or case.category is None or case.id is None:
        return
    nearest: tuple[float, CaseRow] | None = None
    for other, where in stored.placed_open_cases(session, case.department, case.category, case.id):
        metres = distance_m(placed.latitude, placed.longitude, where.latitude, where.longitude)
        if metres <= NEAR_METRES and (nearest is None or metres < nearest[0]):
            nearest = (metres, other)
    if nearest is None:
        return
    metres, other = nearest
    language = case.language
    dept = config.departments[case.department]
    what = localized(dept.categories[case.category].name, language, config)
    text = say(
        config,
        "same_question",
        language,
        what=what,
        metres=round(metres),
        other=other.reference,
    )
    data = f"{case.id}:{other.id}"
    choices = [
        Choice(label(config, "yes", language), data=f"{SAME}:yes:{data}"),
        Choice(label(config, "no", language), data=f"{SAME}:no:{data}"),
    ]
    key = case_key(case, f"same?:{other.id}")
    answer(session, config, message, text, key=key, case_id=case.id, choices=choices)


def _group(session: Session, case: CaseRow, other: CaseRow, turn: Turn, actor: str) -> None:
    """Put both cases in one incident: the other's, or a new one named after it."""
    incident = session.get(IncidentRow, other.incident_id) if other.incident_id else None
    if incident is None or incident.closed_at is not None:
        incident = IncidentRow(
            department=other.department,
            key=f"near:{other.reference}",
            external_body=other.external_body,
            opened_at=other.opened_at,
        )
        session.add(incident)
        session.flush()
    for member in (other, case):
        if member.incident_id != incident.id:
            member.incident_id = incident.id
            session.add(member)
            detail = f"incident #{incident.id}"
            add_event(session, member, LINKED, actor=actor, at=turn.now, detail=detail)
    session.flush()


def _language(session: Session, message: InboundMessage, turn: Turn) -> str:
    resident_id = turn.admission.resident_id if turn.admission is not None else None
    resident = session.get(ResidentRow, resident_id) if resident_id is not None else None
    if resident is not None and resident.language:
        return resident.language
    return guess_language(message.text, turn.config)
