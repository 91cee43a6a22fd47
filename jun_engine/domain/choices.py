"""Choices offered with a message: buttons a channel can draw (LINE's quick replies) and a text
channel lists in words. Stored with the outbox item as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Ask = Literal["location", "photo", "camera", "date", "datetime"]
"""What a choice asks the resident's app for instead of sending data: a map pin, a photo from the
camera roll or the camera, a date or a date and time from a picker."""

MAX_LABEL = 20
"""LINE's longest quick-reply label; longer labels are cut where the channel draws them."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: its label, and the data it sends back (`data`, at most 300 characters) or
    what it asks the app for (`ask`)."""

    label: str
    data: str | None = None
    ask: Ask | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.ask is None):
            raise ValueError("a choice sends data or asks for something, exactly one of them")
        if self.data is not None and not 0 < len(self.data) <= 300:
            raise ValueError("a choice's data is 1 to 300 characters")


def choices_json(choices: Sequence[Choice]) -> str:
    """The stored form: "" for none."""
    if not choices:
        return ""
    return json.dumps(
        [
            {k: v for k, v in (("label", c.label), ("data", c.data), ("ask", c.ask)) if v}
            for c in choices
        ],
        ensure_ascii=False,
    )


def choices_from_json(text: str) -> tuple[Choice, ...]:
    """The choices a stored form holds."""
    if not text:
        return ()
    return tuple(
        Choice(item["label"], item.get("data"), item.get("ask")) for item in json.loads(text)
    )
