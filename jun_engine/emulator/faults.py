"""Faults chosen per run: 5xx, slow responses, timeouts, truncated bodies, lost answers, 429
storms, late mentions and repeated pages, parsed from a spec such as `5xx=0.05,lost=0.01:5xx`.

`5xx` and `timeout` strike before the request is handled (nothing happened); `lost` and
`truncate` after it (it happened, but the client cannot tell).
"""

from __future__ import annotations

import math
import random
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)?$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}

SPEC_HELP = (
    "comma-separated NAME=VALUE: 5xx=P, timeout=P[:DURATION], slow=P[:DURATION], truncate=P, "
    "lost=P[:DURATION|:5xx], storm=DURATION/PERIOD, late=P[:DURATION], repeat=P "
    "(P a fraction 0-1, durations like 2s, 500ms, 1m)"
)


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message says which part and what is expected."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"bad fault {part!r}: {reason}; expected {SPEC_HELP}")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """How often each fault happens. All zero (the default) means a well-behaved X."""

    server_error: float = 0.0
    timeout: float = 0.0
    timeout_for: timedelta = timedelta(seconds=30)
    slow: float = 0.0
    slow_for: timedelta = timedelta(seconds=2)
    truncate: float = 0.0
    lost: float = 0.0
    """Requests carried out whose answer is then lost: held `lost_for` and dropped, or a 503."""
    lost_for: timedelta = timedelta(seconds=30)
    lost_status: int | None = None
    """503 when a lost answer is replaced by a 503 (`lost=P:5xx`) rather than held unanswered."""
    storm_for: timedelta = timedelta(0)
    storm_every: timedelta = timedelta(0)
    late: float = 0.0
    late_by: timedelta = timedelta(seconds=30)
    repeat: float = 0.0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Read a spec string; FaultSpecError says what is wrong."""
        values: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise FaultSpecError(part, "missing '='")
            values.update(_parse_one(part, name.strip(), value.strip()))
        return cls(**values)  # type: ignore[arg-type]

    def describe(self) -> str:
        """The spec written back in its string form (only the faults that are on)."""
        parts: list[str] = []
        if self.server_error:
            parts.append(f"5xx={self.server_error:g}")
        if self.timeout:
            parts.append(f"timeout={self.timeout:g}:{_secs(self.timeout_for)}")
        if self.slow:
            parts.append(f"slow={self.slow:g}:{_secs(self.slow_for)}")
        if self.truncate:
            parts.append(f"truncate={self.truncate:g}")
        if self.lost:
            how = "5xx" if self.lost_status else _secs(self.lost_for)
            parts.append(f"lost={self.lost:g}:{how}")
        if self.storm_every:
            parts.append(f"storm={_secs(self.storm_for)}/{_secs(self.storm_every)}")
        if self.late:
            parts.append(f"late={self.late:g}:{_secs(self.late_by)}")
        if self.repeat:
            parts.append(f"repeat={self.repeat:g}")
        return ",".join(parts)

    @property
    def any(self) -> bool:
        """True when at least one fault is on."""
        return bool(self.describe())


def _secs(delta: timedelta) -> str:
    return f"{delta.total_seconds():g}s"


def fraction(part: str, value: str) -> float:
    """`value` as a probability (0 to 1); FaultSpecError naming `part` otherwise."""
    try:
        number = float(value)
    except ValueError:
        raise FaultSpecError(part, f"{value!r} is not a number") from None
    if not 0.0 <= number <= 1.0:
        raise FaultSpecError(part, f"{value} is not a fraction between 0 and 1")
    return number


def _duration(part: str, value: str) -> timedelta:
    match = _SECONDS.match(value)
    if not match:
        raise FaultSpecError(part, f"{value!r} is not a duration")
    return timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2)])


def _parse_one(part: str, name: str, value: str) -> dict[str, object]:
    head, _, tail = value.partition(":")
    if name == "lost":
        return _parse_lost(part, head, tail)
    with_duration = {"timeout": "timeout_for", "slow": "slow_for", "late": "late_by"}
    if name in with_duration:
        out: dict[str, object] = {name: fraction(part, head)}
        if tail:
            out[with_duration[name]] = _duration(part, tail)
        return out
    if name in ("5xx", "truncate", "repeat"):
        if tail:
            raise FaultSpecError(part, f"{name} takes no duration")
        return {{"5xx": "server_error"}.get(name, name): fraction(part, value)}
    if name == "storm":
        length, slash, period = value.partition("/")
        if not slash:
            raise FaultSpecError(part, "storm needs DURATION/PERIOD")
        storm_for, storm_every = _duration(part, length), _duration(part, period)
        if not timedelta(0) < storm_for < storm_every:
            raise FaultSpecError(part, "the storm must be shorter than its period")
        return {"storm_for": storm_for, "storm_every": storm_every}
    raise FaultSpecError(part, f"unknown fault {name!r}")


def _parse_lost(part: str, head: str, tail: str) -> dict[str, object]:
    out: dict[str, object] = {"lost": fraction(part, head)}
    if tail == "5xx":
        out["lost_status"] = 503
    elif tail:
        out["lost_for"] = _duration(part, tail)
    return out


class FaultDice:
    """Seeded draws deciding, request by request, which faults strike."""

    def __init__(self, spec: FaultSpec, seed: int, epoch: datetime) -> None:
        self.spec = spec
        self._random = random.Random(seed)  # noqa: S311 (fault dice, not security)
        self._epoch = epoch
        self._lock = threading.Lock()

    def roll(self, probability: float) -> bool:
        """True with the given probability (never when it is 0)."""
        if probability <= 0.0:
            return False
        with self._lock:
            return self._random.random() < probability

    def in_storm(self, now: datetime) -> bool:
        """True during a 429 storm: the last `storm_for` of every `storm_every` since start."""
        every = self.spec.storm_every.total_seconds()
        if every <= 0:
            return False
        elapsed = (now - self._epoch).total_seconds() % every
        return elapsed >= every - self.spec.storm_for.total_seconds()

    def storm_reset(self, now: datetime) -> int:
        """The epoch second the current storm ends."""
        every = self.spec.storm_every.total_seconds()
        elapsed = (now - self._epoch).total_seconds() % every
        return math.ceil(now.timestamp() + every - elapsed)

    def late_by(self) -> timedelta:
        """How long a new post stays out of mentions timelines (zero unless `late` strikes)."""
        return self.spec.late_by if self.roll(self.spec.late) else timedelta(0)
