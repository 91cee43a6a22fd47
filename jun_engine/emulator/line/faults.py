"""LINE's faults: the X emulator's API faults (5xx, timeout, slow, truncate, lost, storm) plus
webhook faults: duplicates, out-of-order deliveries, bursts and redelivery storms.

One spec string carries both, e.g. `5xx=0.05,lost=0.01:5xx,dup=0.1,reorder=0.2`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jun_engine.emulator.faults import SPEC_HELP, FaultSpec, fraction

WEBHOOK_HELP = "dup=P, reorder=P, burst=P, redeliver=P"
LINE_SPEC_HELP = f"{SPEC_HELP}; for webhooks {WEBHOOK_HELP}"
_NAMES = {"dup": "duplicate", "reorder": "reorder", "burst": "burst", "redeliver": "redeliver"}


@dataclass(frozen=True, slots=True)
class WebhookFaults:
    """How often each webhook fault strikes a delivery."""

    duplicate: float = 0.0
    """The same events are delivered twice (isRedelivery false both times)."""
    reorder: float = 0.0
    """A delivery overtakes the one before it."""
    burst: float = 0.0
    """Every event due is sent in one body instead of one body each."""
    redeliver: float = 0.0
    """A storm: a delivery answered 2xx is redelivered anyway, up to 3 times."""

    def describe(self) -> str:
        """The faults that are on, in spec form."""
        return ",".join(
            f"{short}={getattr(self, name):g}"
            for short, name in _NAMES.items()
            if getattr(self, name)
        )


@dataclass(frozen=True, slots=True)
class LineFaults:
    """API faults and webhook faults."""

    api: FaultSpec = field(default_factory=FaultSpec)
    webhooks: WebhookFaults = field(default_factory=WebhookFaults)

    @classmethod
    def parse(cls, text: str) -> LineFaults:
        """Read a spec; FaultSpecError says what is wrong."""
        api: list[str] = []
        hooks: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            if name.strip() in _NAMES:
                hooks[_NAMES[name.strip()]] = fraction(part, value.strip())
            else:
                api.append(part)
        return cls(FaultSpec.parse(",".join(api)), WebhookFaults(**hooks))

    def describe(self) -> str:
        """Both kinds, written back in spec form."""
        return ",".join(filter(None, (self.api.describe(), self.webhooks.describe())))
