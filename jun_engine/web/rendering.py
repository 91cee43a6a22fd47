"""Pages from the package's Jinja templates, autoescaped, with the desk's filters: times in the
town's zone, business time left, and resident text made inert (escaped, bidi-isolated by the
template, with direction overrides and control characters shown as visible codes)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

_SHOWN_AS_CODES = frozenset(
    {0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
)
"""Direction marks, embeddings, overrides and isolates: shown as `⟨U+202E⟩`, never obeyed."""


def environment(zone: ZoneInfo) -> Environment:
    """The template environment of a desk in `zone`."""
    env = Environment(
        loader=PackageLoader("jun_engine.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = lambda moment: local(moment, zone)
    env.filters["left"] = business_left
    env.filters["inert"] = inert
    env.globals["zone"] = zone.key
    return env


def local(moment: datetime | None, zone: ZoneInfo) -> str:
    """`2026-03-02 07:30` in the town's zone; `-` for None."""
    if moment is None:
        return "-"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def business_left(left: timedelta | None) -> str:
    """Business time left as `2h 05m` (or `3d 4h` past a day of opening time)."""
    if left is None:
        return "-"
    minutes = int(left.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m"


def inert(text: str | None) -> Markup:
    """Resident text as markup that does nothing: every character escaped, direction controls
    and other control characters shown as their code point, line breaks kept (by CSS)."""
    if text is None:
        return Markup("")
    parts: list[str] = []
    for char in text:
        point = ord(char)
        if point in _SHOWN_AS_CODES or (unicodedata.category(char) == "Cc" and char not in "\n\t"):
            parts.append(f'<span class="ctl">⟨U+{point:04X}⟩</span>')
        else:
            parts.append(str(escape(char)))
    return Markup("".join(parts))  # noqa: S704 - every piece escaped above
