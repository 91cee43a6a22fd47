"""An outbox item's text and choices as line-bot-sdk message objects: one text message per
5,000 UTF-16 units (at most five a request), the choices as quick-reply items on the last.

A choice that sends data is a postback action (the data comes back as the message's `action`),
one that asks for something is LINE's location, camera, camera-roll or date(time)-picker action.
At most 13 items, labels cut to 20 characters, as LINE allows.
"""

from __future__ import annotations

from collections.abc import Sequence

from linebot.v3.messaging import (
    Action,
    CameraAction,
    CameraRollAction,
    DatetimePickerAction,
    LocationAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from jun_engine.channels.graphemes import graphemes
from jun_engine.channels.line.splitting import messages, units
from jun_engine.domain.choices import MAX_LABEL, Choice

MAX_ITEMS = 13
"""LINE's most quick-reply items."""
PICKED = "picked:"
"""The postback data of a date or date-and-time picker: `picked:date`, `picked:datetime` (the
value itself comes in the event's `params`)."""


def text_messages(text: str, choices: Sequence[Choice] = ()) -> list[TextMessage]:
    """`text` as text messages (an empty piece left out), `choices` on the last one."""
    pieces = [piece for piece in messages(text) if piece.strip()] or [text]
    built = [TextMessage(text=piece, quickReply=None) for piece in pieces]
    if choices:
        built[-1] = TextMessage(text=pieces[-1], quickReply=quick_reply(choices))
    return built


def quick_reply(choices: Sequence[Choice]) -> QuickReply:
    """The first 13 choices as quick-reply items."""
    return QuickReply(items=[QuickReplyItem(action=action(c)) for c in choices[:MAX_ITEMS]])


def action(choice: Choice) -> Action:
    """The LINE action a choice stands for."""
    label = short_label(choice.label)
    if choice.data is not None:
        return PostbackAction(label=label, data=choice.data, displayText=choice.label)
    if choice.ask == "location":
        return LocationAction(label=label)
    if choice.ask == "camera":
        return CameraAction(label=label)
    if choice.ask == "photo":
        return CameraRollAction(label=label)
    mode = "date" if choice.ask == "date" else "datetime"
    return DatetimePickerAction(label=label, data=f"{PICKED}{mode}", mode=mode)


def short_label(label: str) -> str:
    """`label` cut to LINE's 20 UTF-16 units at a grapheme boundary, with an ellipsis if cut."""
    if units(label) <= MAX_LABEL:
        return label
    kept: list[str] = []
    for cluster in graphemes(label):
        if units("".join(kept)) + units(cluster) > MAX_LABEL - 1:
            break
        kept.append(cluster)
    return "".join(kept) + "…"
