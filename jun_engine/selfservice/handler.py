"""`handle`: self-service's step of the processing chain, run in the caller's transaction.

A pressed button (`InboundMessage.action`: a slot, "confirm", a day from the date picker, an
area of the home screen; `buttons`) is answered first; a button of another stage is left to it.
Otherwise, in order, the first that applies answers the message (True) without a department:
1. a DM dialogue in progress (the resident picks one of the offered slots, confirms, or stops);
2. help (`#ayuda`, `help`, `วิธีใช้`);
3. appointments: cancel, move, or book (offers of free slots, by DM only);
4. instant answers to questions: school menu today or tomorrow, rubbish days, the next council
   meeting, how to verify, a named department's opening hours.
Anything else (and anything from an unverified account admitted for an emergency) is left to
the later stages (False). Nothing here does network I/O: answers go through the outbox, with
buttons (`choices`) where a channel draws them and every option said in words for one that
does not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.selfservice import AnswerKind, Appointment, Slot
from jun_engine.pipeline.turn import Turn as ChainTurn
from jun_engine.scheduling.calendar import zone
from jun_engine.selfservice import answers, appointments, buttons, conversation, home
from jun_engine.selfservice.audience import answer_language, chat_account
from jun_engine.selfservice.buttons import Pressed
from jun_engine.selfservice.choice import pick
from jun_engine.selfservice.conversation import Conversation
from jun_engine.selfservice.dates import format_date, format_when
from jun_engine.selfservice.replies import Responder
from jun_engine.selfservice.slots import free_on, free_slots, local_day, slot_at, slot_by_id
from jun_engine.selfservice.texts import say
from jun_engine.selfservice.vocabulary import Reading, Topic, Vocabulary
from jun_engine.store.tables import ResidentRow, SelfServiceAnswerRow

BOOKING = "booking"
CHOOSE = "choose"
CONFIRM = "confirm"
MAX_UNCLEAR_ANSWER_WORDS = 3
"""Words (numbers aside) in an answer to the offers that earns "I did not understand"; a longer
message that is not a pick is a new request for the later stages."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One message being answered, and everything answering it needs."""

    session: Session
    message: InboundMessage
    resident: ResidentRow
    config: Config
    now: datetime
    vocabulary: Vocabulary
    reading: Reading
    language: str
    out: Responder

    @property
    def resident_id(self) -> int:
        return self.resident.id or 0


def handle(
    message: InboundMessage, chain_turn: ChainTurn, vocabulary: Vocabulary | None = None
) -> bool:
    """Answer the admitted message without a department if self-service can; True when it did
    (`vocabulary`: the town's, compiled once by the chain; else compiled for this message)."""
    admission, session = chain_turn.admission, chain_turn.session
    if admission is None or admission.outcome is not AdmissionOutcome.ADMITTED:
        return False
    resident = (
        None if admission.resident_id is None else session.get(ResidentRow, admission.resident_id)
    )
    if resident is None:
        return False
    turn = _turn(message, chain_turn, resident, vocabulary or Vocabulary(chain_turn.config))
    pressed = buttons.read(message.action, message.raw)
    if pressed is not None:
        kind = _press(turn, pressed)
    elif message.action is not None:
        return False  # another stage's button (a rating, "is this the same?")
    else:
        kind = _continue_dialogue(turn) or _new_request(turn)
    if kind is None:
        return False
    answered = SelfServiceAnswerRow(message_id=chain_turn.message_id, kind=kind.value, at=turn.now)
    session.merge(answered)
    session.flush()
    return True


def _turn(
    message: InboundMessage, chain_turn: ChainTurn, resident: ResidentRow, vocabulary: Vocabulary
) -> Turn:
    session, config, now = chain_turn.session, chain_turn.config, chain_turn.now
    reading = vocabulary.read(message.text)
    language = answer_language(config, reading.language, resident.language, message.account_id)
    out = Responder(session, message, chain_turn.message_id, config)
    return Turn(session, message, resident, config, now, vocabulary, reading, language, out)


# --- the dialogue in progress -------------------------------------------------------------------


def _continue_dialogue(turn: Turn) -> AnswerKind | None:
    """The resident's answer to the slots offered in this same DM conversation, if it is one.

    A dialogue belongs to the conversation with one account: a DM to another of the town's
    accounts is a new message, never read as a pick. Within the conversation, only a short
    answer can be a pick or earn "I did not understand"; anything longer is a new request and
    goes on to the case desk while the offers stay open (emergencies never get here: the
    chain sends them straight to the case desk).
    """
    current = _dialogue_here(turn)
    if current is None:
        return None
    if turn.reading.language is None:
        turn = _with_language(turn, str(current.data.get("language", turn.language)))
    offers = [int(slot_id) for slot_id in current.data.get("offers", [])]
    topics = turn.reading.topics
    if current.step == CONFIRM and Topic.YES in topics and turn.reading.words <= 3:
        return _picked(turn, current, int(current.data["slot"]))
    times = [_local_start(turn, slot_id) for slot_id in offers]
    index = pick(turn.message.text, [t for t in times if t is not None])
    if index is not None and None not in times:
        return _picked(turn, current, offers[index])
    if Topic.STOP in topics and turn.reading.words <= 3 and Topic.APPOINTMENT not in topics:
        _end(turn)
        turn.out.private(say("dialogue_dropped", turn.language), "dropped", turn.language)
        return AnswerKind.DIALOGUE_DROPPED
    if _is_request(turn.reading):
        _end(turn)
        return None
    if turn.reading.words > MAX_UNCLEAR_ANSWER_WORDS:
        return None
    turn.out.private(say("not_understood", turn.language, count=len(offers)), "again")
    return AnswerKind.NOT_UNDERSTOOD


def _dialogue_here(turn: Turn) -> Conversation | None:
    """The booking dialogue open in this DM conversation (same resident, same account)."""
    if not turn.out.is_dm:
        return None
    current = conversation.load(
        turn.session, turn.message.channel, turn.message.author_id, turn.now
    )
    if current is None or current.kind != BOOKING:
        return None
    account = current.data.get("account", turn.message.account_id)
    return current if account == turn.message.account_id else None


def _with_language(turn: Turn, language: str) -> Turn:
    return Turn(
        turn.session, turn.message, turn.resident, turn.config, turn.now, turn.vocabulary,
        turn.reading, language, turn.out,
    )  # fmt: skip


def _local_start(turn: Turn, slot_id: int) -> datetime | None:
    slot = slot_by_id(turn.session, slot_id)
    return None if slot is None else slot.starts_at.astimezone(zone(turn.config))


def _picked(turn: Turn, current: Conversation, slot_id: int) -> AnswerKind:
    department = str(current.data["department"])
    if current.data.get("purpose") == "move":
        return _move_to(turn, current, int(current.data["appointment"]), slot_id)
    book = turn.config.appointments[department]
    held = appointments.upcoming(turn.session, turn.resident_id, turn.now)
    if len(held) >= book.max_future_bookings:
        _end(turn)
        return _limit_reached(turn, held)
    booked = appointments.book(
        turn.session, turn.config, slot_id=slot_id, resident_id=turn.resident_id,
        user_id=turn.message.author_id, account_id=turn.out.dm_from,
        channel=turn.message.channel, language=turn.language, now=turn.now,
        message_id=turn.out.message_id,
    )  # fmt: skip
    if booked is None:
        return _taken(turn, current, slot_id)
    _end(turn)
    text = say("booked", turn.language, **appointments.describe(turn.config, booked))
    turn.out.private(text, "booked", choices=buttons.held(booked, turn.language))
    return AnswerKind.BOOKED


def _move_to(turn: Turn, current: Conversation, appointment_id: int, slot_id: int) -> AnswerKind:
    held = {a.id: a for a in appointments.upcoming(turn.session, turn.resident_id, turn.now)}
    if appointment_id not in held:
        _end(turn)
        turn.out.private(say("no_appointment", turn.language), "none", turn.language)
        return AnswerKind.NO_APPOINTMENT
    moved = appointments.move(turn.session, appointment_id, slot_id)
    if moved is None:
        return _taken(turn, current, slot_id)
    _end(turn)
    text = say("moved", turn.language, **appointments.describe(turn.config, moved))
    turn.out.private(text, "moved", choices=buttons.held(moved, turn.language))
    return AnswerKind.MOVED


def _taken(turn: Turn, current: Conversation, slot_id: int) -> AnswerKind:
    """The picked slot went to someone else: say so politely and offer the next free ones."""
    department = str(current.data["department"])
    moving = current.data.get("purpose") == "move"
    exclude = [slot_id, *([_slot_of(turn, int(current.data["appointment"]))] if moving else [])]
    offers = free_slots(turn.session, turn.config, department, turn.now, exclude=exclude)
    sorry = say("taken", turn.language)
    if not offers:
        _end(turn)
        turn.out.private(sorry + _no_slots(turn, department), "taken")
        return AnswerKind.TAKEN
    _remember(turn, {**current.data, "offers": [s.id for s in offers]})
    choices = buttons.offers(turn.config, department, offers, turn.language)
    turn.out.private(sorry + _offers_text(turn, department, offers), "taken", choices=choices)
    return AnswerKind.TAKEN


def _slot_of(turn: Turn, appointment_id: int) -> int:
    held = appointments.upcoming(turn.session, turn.resident_id, turn.now)
    return next((a.slot_id for a in held if a.id == appointment_id), -1)


# --- buttons pressed ----------------------------------------------------------------------------


def _press(turn: Turn, pressed: Pressed) -> AnswerKind | None:
    """Answer a pressed button; in a booking dialogue, in the dialogue's language."""
    current = _dialogue_here(turn)
    if current is not None:
        turn = _with_language(turn, str(current.data.get("language", turn.language)))
    if pressed.verb == "menu":
        return _home(turn, pressed.args)
    if pressed.day is not None:
        return _day_picked(turn, current, pressed.day)
    if pressed.verb == "stop":
        _end(turn)
        turn.out.private(say("dialogue_dropped", turn.language), "dropped", turn.language)
        return AnswerKind.DIALOGUE_DROPPED
    if pressed.verb == "appointment" and len(pressed.args) == 2:
        action, reference = pressed.args
        return _cancel(turn, reference) if action == "cancel" else _move(turn, reference)
    department = pressed.args[0]
    if department not in turn.config.appointments or department not in turn.config.departments:
        return None
    start = buttons.parse_start(pressed.args[1]) if len(pressed.args) == 2 else None
    if pressed.verb == "book":
        if start is None:
            return _offer(turn, department)
        return _to_confirm(turn, current, department, start)
    if start is None:
        return None
    return _confirmed(turn, current, department, start)


def _ongoing(current: Conversation | None, department: str) -> dict[str, object]:
    """The booking dialogue's data when it is about `department`, else a new booking's."""
    if current is not None and current.data.get("department") == department:
        return dict(current.data)
    return {"purpose": "book", "department": department, "offers": []}


def _to_confirm(
    turn: Turn, current: Conversation | None, department: str, start: datetime
) -> AnswerKind:
    """A slot pressed: ask to confirm it (a tap is easily a slip)."""
    slot = _bookable(turn, department, start)
    data = _ongoing(current, department)
    if slot is None or slot.free <= 0:
        state = Conversation(BOOKING, CHOOSE, data)
        return _taken(turn, state, -1 if slot is None else slot.id)
    _remember(turn, {**data, "slot": slot.id}, CONFIRM)
    when = format_when(slot.starts_at.astimezone(zone(turn.config)), turn.language)
    text = say("confirm_slot", turn.language, department=_name(turn, department), when=when)
    choices = buttons.confirm(turn.config, department, slot, turn.language)
    turn.out.private(text, "confirm", turn.language, choices)
    return AnswerKind.CONFIRM_OFFER


def _confirmed(
    turn: Turn, current: Conversation | None, department: str, start: datetime
) -> AnswerKind:
    """The "confirm" button pressed: book the slot (or move the dialogue's appointment there)."""
    data = _ongoing(current, department)
    slot = _bookable(turn, department, start)
    state = Conversation(BOOKING, CONFIRM, data)
    if slot is None:
        return _taken(turn, state, -1)
    return _picked(turn, state, slot.id)


def _bookable(turn: Turn, department: str, start: datetime) -> Slot | None:
    """The slot a button names, if it may still be booked (notice, horizon), free or not."""
    book = turn.config.appointments[department]
    last = local_day(turn.config, turn.now) + timedelta(days=book.horizon_days)
    if start < turn.now + book.min_notice or local_day(turn.config, start) > last:
        return None
    return slot_at(turn.session, turn.config, department, start)


def _day_picked(turn: Turn, current: Conversation | None, day: date) -> AnswerKind | None:
    """A day from the date picker: that day's free slots of the dialogue's department."""
    books = [key for key in turn.config.appointments if key in turn.config.departments]
    department = str(current.data["department"]) if current is not None else None
    department = department or (books[0] if len(books) == 1 else None)
    if department is None:
        return _help(turn)
    data = _ongoing(current, department)
    moving = data.get("purpose") == "move"
    held = appointments.upcoming(turn.session, turn.resident_id, turn.now)
    if not moving and len(held) >= turn.config.appointments[department].max_future_bookings:
        _end(turn)
        return _limit_reached(turn, held)
    today = local_day(turn.config, turn.now)
    last = today + timedelta(days=turn.config.appointments[department].horizon_days)
    room = buttons.MAX_CHOICES - 2
    found = (
        free_on(turn.session, turn.config, department, day, turn.now, room + 1)
        if today <= day <= last
        else []
    )
    if moving:
        found = [s for s in found if s.id != _slot_of(turn, int(str(data["appointment"])))]
    offers = found[:room]
    _remember(turn, {**data, "offers": [s.id for s in offers]})
    name, day_text = _name(turn, department), format_date(day, turn.language)
    if not offers:
        text = say(
            "day_full", turn.language, department=name, day=day_text,
            last=format_date(last, turn.language),
        )  # fmt: skip
        turn.out.private(text, "day_full", turn.language, buttons.another_day(turn.language))
        return AnswerKind.BOOKING_FULL
    options = _options(turn, offers)
    text = say("day_offers", turn.language, department=name, day=day_text, options=options)
    choices = buttons.offers(turn.config, department, offers, turn.language)
    turn.out.private(text, "day_offers", turn.language, choices)
    return AnswerKind.MOVE_OFFER if moving else AnswerKind.BOOKING_OFFER


def _home(turn: Turn, args: tuple[str, ...]) -> AnswerKind | None:
    """An area of the home screen (`menu:<action>`, LINE's rich menu)."""
    action = args[0]
    if action == "appointments":
        department = _booking_department(turn)
        return _help(turn) if department is None else _offer(turn, department)
    if action == "school_menu":
        return _school_menu(turn, tomorrow=args[1:] == ("tomorrow",))
    if action == "verify":
        turn.out.private(say("verified_already", turn.language), "verified", turn.language)
        return AnswerKind.VERIFIED
    if action == "my_cases":
        text = home.my_cases(turn.session, turn.config, turn.resident_id, turn.language)
        turn.out.private(text, "my_cases", turn.language)
        return AnswerKind.MY_CASES
    if action == "report":
        text = say("report_how", turn.language)
        turn.out.private(text, "report", turn.language, buttons.report(turn.language))
        return AnswerKind.REPORT_HOW
    if action == "air_quality":
        text = home.air_quality(turn.session, turn.config, turn.now, turn.language)
        turn.out.answer(text, "air_quality")
        return AnswerKind.AIR_QUALITY
    return None


def _help(turn: Turn) -> AnswerKind:
    """The guide; for a chat account (no public posts), the chat's own."""
    if chat_account(turn.config, turn.message.account_id) is not None:
        text = say("help_chat", turn.language, town=turn.config.town.name)
    else:
        text = answers.help_guide(turn.config, turn.language)
    turn.out.answer(text, "help")
    return AnswerKind.HELP


def _school_menu(turn: Turn, *, tomorrow: bool) -> AnswerKind | None:
    if not turn.config.schools:
        return None
    text = answers.menu(
        turn.session, turn.config, turn.now, tomorrow=tomorrow, language=turn.language
    )
    if text is None:
        return None
    choices = [] if tomorrow else [buttons.tomorrow_menu(turn.language)]
    turn.out.answer(text, AnswerKind.MENU.value, choices)
    return AnswerKind.MENU


# --- new requests -------------------------------------------------------------------------------


def _is_request(reading: Reading) -> bool:
    topics = reading.topics
    return (
        Topic.HELP in topics
        or Topic.APPOINTMENT in topics
        or (
            reading.question
            and bool(topics & {Topic.MENU, Topic.RUBBISH, Topic.COUNCIL, Topic.VERIFY, Topic.HOURS})
        )
    )


def _new_request(turn: Turn) -> AnswerKind | None:
    topics = turn.reading.topics
    if Topic.HELP in topics:
        return _help(turn)
    if Topic.APPOINTMENT in topics:
        kind = _appointment_request(turn)
        if kind is not None:
            return kind
    if turn.reading.question and Topic.ALLERGY not in topics:
        return _instant_answer(turn)
    return None


def _appointment_request(turn: Turn) -> AnswerKind | None:
    topics = turn.reading.topics
    if Topic.CANCEL in topics:
        return _cancel(turn)
    if Topic.MOVE in topics:
        return _move(turn)
    department = _booking_department(turn)
    return None if department is None else _offer(turn, department)


def _booking_department(turn: Turn) -> str | None:
    """The bookable department the request is for: the one written to, the one with the most
    evidence in the text, or the only one when the text names no department at all."""
    books = [key for key in turn.config.appointments if key in turn.config.departments]
    for key in books:
        account = turn.config.accounts[turn.config.departments[key].account]
        if account.user_id == turn.message.account_id:
            return key
    scores = turn.vocabulary.departments(turn.reading.view)
    if not scores:
        return books[0] if len(books) == 1 else None
    best = max(books, key=lambda key: scores.get(key, 0), default=None)
    if best is None or scores.get(best, 0) < max(scores.values()):
        return None
    return best if scores.get(best, 0) > 0 else None


def _offer(turn: Turn, department: str) -> AnswerKind:
    book = turn.config.appointments[department]
    held = appointments.upcoming(turn.session, turn.resident_id, turn.now)
    if len(held) >= book.max_future_bookings:
        return _limit_reached(turn, held)
    offers = free_slots(turn.session, turn.config, department, turn.now)
    if not offers:
        turn.out.private(_no_slots(turn, department), "full", turn.language)
        return AnswerKind.BOOKING_FULL
    _remember(turn, {"purpose": "book", "department": department, "offers": [s.id for s in offers]})
    choices = buttons.offers(turn.config, department, offers, turn.language)
    turn.out.private(_offers_text(turn, department, offers), "offers", turn.language, choices)
    return AnswerKind.BOOKING_OFFER


def _cancel(turn: Turn, reference: str | None = None) -> AnswerKind:
    target = _which(turn, reference)
    if not isinstance(target, Appointment):
        return target
    cancelled = appointments.cancel(turn.session, target.id, turn.now)
    _end(turn)
    described = appointments.describe(turn.config, _in_language(cancelled, turn.language))
    turn.out.private(say("cancelled", turn.language, **described), "cancelled", turn.language)
    return AnswerKind.CANCELLED


def _move(turn: Turn, reference: str | None = None) -> AnswerKind:
    target = _which(turn, reference)
    if not isinstance(target, Appointment):
        return target
    offers = free_slots(
        turn.session, turn.config, target.department, turn.now, exclude=[target.slot_id]
    )
    if not offers:
        turn.out.private(_no_slots(turn, target.department), "full", turn.language)
        return AnswerKind.BOOKING_FULL
    data = {"purpose": "move", "department": target.department, "appointment": target.id}
    _remember(turn, {**data, "offers": [s.id for s in offers]})
    described = appointments.describe(turn.config, _in_language(target, turn.language))
    text = say("move_offers", turn.language, options=_options(turn, offers), **described)
    choices = buttons.offers(turn.config, target.department, offers, turn.language)
    turn.out.private(text, "move_offers", turn.language, choices)
    return AnswerKind.MOVE_OFFER


def _which(turn: Turn, reference: str | None = None) -> Appointment | AnswerKind:
    """The appointment a cancel or move is about (the one a button names, `reference`), or the
    answer already given (none, several)."""
    held = appointments.upcoming(turn.session, turn.resident_id, turn.now)
    references = turn.reading.references if reference is None else (reference,)
    named = [a for a in held if a.reference in references]
    if len(named) == 1 or (len(held) == 1 and reference is None):
        return named[0] if named else held[0]
    if not held or reference is not None:
        turn.out.private(say("no_appointment", turn.language), "none", turn.language)
        return AnswerKind.NO_APPOINTMENT
    text = say("which_appointment", turn.language, items=_items(turn, held))
    turn.out.private(text, "which", turn.language)
    return AnswerKind.WHICH_APPOINTMENT


def _limit_reached(turn: Turn, held: list[Appointment]) -> AnswerKind:
    text = say("limit_reached", turn.language, count=len(held), items=_items(turn, held))
    choices = buttons.held(held[0], turn.language) if len(held) == 1 else []
    turn.out.private(text, "limit", turn.language, choices)
    return AnswerKind.BOOKING_LIMIT


def _instant_answer(turn: Turn) -> AnswerKind | None:
    topics, config, lang = turn.reading.topics, turn.config, turn.language
    if Topic.MENU in topics and config.schools:
        return _school_menu(turn, tomorrow=Topic.TOMORROW in topics and Topic.TODAY not in topics)
    if Topic.RUBBISH in topics:
        return _say(
            turn, answers.rubbish(config, _district(turn), turn.now, lang), AnswerKind.RUBBISH
        )
    if Topic.COUNCIL in topics:
        return _say(turn, answers.council(config, turn.now, lang), AnswerKind.COUNCIL)
    if Topic.VERIFY in topics:  # self-service serves verified residents only
        return _say(turn, say("verified_already", lang), AnswerKind.VERIFIED)
    named = turn.vocabulary.named_departments(turn.reading.view) or _addressed(turn)
    if Topic.HOURS in topics and len(named) == 1:
        text = answers.opening_hours(config, named.pop(), turn.now, lang)
        return _say(turn, text, AnswerKind.HOURS)
    return None


def _addressed(turn: Turn) -> set[str]:
    """The department whose own account the message was written to (not the town's)."""
    town = turn.config.town_account().user_id
    return {
        key
        for key, dept in turn.config.departments.items()
        if turn.config.accounts[dept.account].user_id == turn.message.account_id != town
    }


def _district(turn: Turn) -> str | None:
    """The district named in the text; in a DM, else the resident's own (never said in public)."""
    named = turn.vocabulary.district(turn.reading.view)
    if named is not None or not turn.out.is_dm:
        return named
    return turn.resident.district


def _say(turn: Turn, text: str | None, kind: AnswerKind) -> AnswerKind | None:
    if text is None:
        return None
    turn.out.answer(text, kind.value)
    return kind


# --- texts and state ------------------------------------------------------------------------------


def _offers_text(turn: Turn, department: str, offers: list[Slot]) -> str:
    options = _options(turn, offers)
    return say("offers", turn.language, department=_name(turn, department), options=options)


def _name(turn: Turn, department: str) -> str:
    names = turn.config.departments[department].name
    return names.get(turn.language) or next(iter(names.values()))


def _options(turn: Turn, offers: list[Slot]) -> str:
    local = zone(turn.config)
    return "\n".join(
        f"{number}. {format_when(slot.starts_at.astimezone(local), turn.language)}"
        for number, slot in enumerate(offers, start=1)
    )


def _no_slots(turn: Turn, department: str) -> str:
    names = turn.config.departments[department].name
    name = names.get(turn.language) or next(iter(names.values()))
    days = turn.config.appointments[department].horizon_days
    return say("no_slots", turn.language, department=name, days=days)


def _items(turn: Turn, held: list[Appointment]) -> str:
    local = zone(turn.config)
    return "; ".join(
        f"{a.reference} ({format_when(a.starts_at.astimezone(local), turn.language)})" for a in held
    )


def _in_language(appointment: Appointment, language: str) -> Appointment:
    return replace(appointment, language=language)


def _remember(turn: Turn, data: dict[str, object], step: str = CHOOSE) -> None:
    ttl = turn.config.appointments[str(data["department"])].conversation_ttl
    state = Conversation(
        BOOKING,
        step,
        {**data, "language": turn.language, "account": turn.message.account_id},
    )
    conversation.save(
        turn.session, turn.message.channel, turn.message.author_id, state, turn.now, ttl
    )


def _end(turn: Turn) -> None:
    conversation.clear(turn.session, turn.message.channel, turn.message.author_id)
