"""Self-service's buttons: the data each sends back, read again when it is pressed, and the
choices offered with each answer (`domain.choices.Choice`; LINE draws them, X lists the options
in the text instead).

The data strings are the contract with the channel (a pressed button comes back as
`InboundMessage.action`, a picked date in the postback's `params` in the raw event):
- `menu:<action>`: an area of the home screen (LINE's rich menu), `RichMenuAction`
  (`menu:school_menu:tomorrow`: tomorrow's menu);
- `book:<department>`: the next free slots of that department's appointment book;
- `book:<department>:<start>`: this slot (its local start, ISO 8601 to the minute), to confirm;
- `confirm:<department>:<start>`: book (or move to) this slot;
- `stop:booking`: end the booking dialogue, nothing changed;
- `appointment:cancel:<reference>`, `appointment:move:<reference>`: the resident's appointment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from jun_engine.config.schema import Config
from jun_engine.domain.choices import Choice
from jun_engine.domain.selfservice import Appointment, Slot
from jun_engine.scheduling.calendar import zone
from jun_engine.selfservice.dates import format_short
from jun_engine.selfservice.texts import say

MAX_CHOICES = 13
"""LINE's most quick-reply items under one message."""
STOP = "stop:booking"


@dataclass(frozen=True, slots=True)
class Pressed:
    """A pressed button as self-service reads it: what (`verb`), and its arguments."""

    verb: str
    """menu, book, confirm, stop, appointment, or date (a day picked from the calendar)."""
    args: tuple[str, ...] = ()
    day: date | None = None
    """The picked day, for `date`."""


def read(action: str | None, raw: str) -> Pressed | None:
    """The button a message pressed, if it is one of self-service's (None: a typed message, or
    another stage's button)."""
    picked = picked_day(raw) if action is not None else None
    if picked is not None:
        return Pressed("date", day=picked)
    if not action:
        return None
    verb, _, rest = action.partition(":")
    if verb not in ("menu", "book", "confirm", "stop", "appointment") or not rest:
        return None
    # an ISO start holds colons itself: `book:<department>:<start>` splits into two arguments
    first, _, second = rest.partition(":")
    return Pressed(verb, (first, second) if second else (first,))


def picked_day(raw: str) -> date | None:
    """The day a date picker sent: `postback.params.date` (or the date of `datetime`) of the
    raw event, or of a `params` object stored after it."""
    for params in _params(raw):
        value = params.get("date") or str(params.get("datetime") or "")[:10]
        try:
            return date.fromisoformat(value) if isinstance(value, str) and value else None
        except ValueError:
            return None
    return None


def _params(raw: str) -> list[dict[str, object]]:
    """The picker's `params` in the JSON objects `raw` holds, one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(raw):
        try:
            item, at = decoder.raw_decode(raw, at)
        except ValueError:
            break
        while at < len(raw) and raw[at].isspace():
            at += 1
        if not isinstance(item, dict):
            continue
        postback = item.get("postback")
        params = postback.get("params") if isinstance(postback, dict) else item.get("params")
        if isinstance(params, dict):
            found.append(params)
    return found


def slot_start(config: Config, slot: Slot) -> str:
    """A slot's local start as its buttons carry it: `2026-03-02T11:00+01:00`."""
    return slot.starts_at.astimezone(zone(config)).isoformat(timespec="minutes")


def parse_start(text: str) -> datetime | None:
    """A start carried by a button, or None if it is not a time with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def offers(config: Config, department: str, slots: Sequence[Slot], language: str) -> list[Choice]:
    """One button per offered slot, then "another day" (a date picker) and "cancel"."""
    local = zone(config)
    room = MAX_CHOICES - 2
    buttons = [
        Choice(
            format_short(slot.starts_at.astimezone(local), language),
            f"book:{department}:{slot_start(config, slot)}",
        )
        for slot in slots[:room]
    ]
    return [*buttons, *another_day(language)]


def another_day(language: str) -> list[Choice]:
    """A date picker for another day, and "cancel"."""
    return [
        Choice(say("button_another_day", language), ask="date"),
        Choice(say("button_stop", language), STOP),
    ]


def confirm(config: Config, department: str, slot: Slot, language: str) -> list[Choice]:
    """A "confirm" button for this slot, and "cancel"."""
    return [
        Choice(say("button_confirm", language), f"confirm:{department}:{slot_start(config, slot)}"),
        Choice(say("button_stop", language), STOP),
    ]


def held(appointment: Appointment, language: str) -> list[Choice]:
    """Move or cancel a booked appointment."""
    reference = appointment.reference
    return [
        Choice(say("button_move_appointment", language), f"appointment:move:{reference}"),
        Choice(say("button_cancel_appointment", language), f"appointment:cancel:{reference}"),
    ]


def tomorrow_menu(language: str) -> Choice:
    """Tomorrow's school menu."""
    return Choice(say("button_menu_tomorrow", language), "menu:school_menu:tomorrow")


def report(language: str) -> list[Choice]:
    """Send the place (a map pin) and a photo taken now."""
    return [
        Choice(say("button_location", language), ask="location"),
        Choice(say("button_camera", language), ask="camera"),
    ]
