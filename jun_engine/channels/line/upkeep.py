"""LINE's work beside the webhook, as the daemon runs it: the rich menu made sure of at start, the
photos of new reports fetched on a thread of their own (network I/O that must not hold the
daemon's heartbeat), and the month's quota read back from LINE in the periodic upkeep."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from jun_engine.channels.line.client import LineClients
from jun_engine.channels.line.richmenu import ensure_rich_menu
from jun_engine.clock import Clock
from jun_engine.config.schema import Config

log = logging.getLogger(__name__)

PHOTO_SECONDS = 2.0
"""Real seconds between two looks for photos to fetch."""


def make_rich_menus(config: Config, clients: Mapping[str, LineClients], clock: Clock) -> None:
    """Each account's rich menu as accounts.yaml describes it, created only when missing; a
    refusal is logged and serving goes on (the menu is a nicety, not a reason to stop)."""
    assert config.line is not None
    for key, account in config.line.accounts.items():
        try:
            ensure_rich_menu(clients[key], account, clock, config.town.default_language)
        except Exception as error:  # the SDK's and urllib3's, whatever LINE answered
            log.warning("LINE %s: the rich menu could not be made sure of: %s", key, error)


class Periodic:
    """A `PollLoop` that runs one pass every `seconds` until stopped (photos to fetch)."""

    def __init__(self, name: str, one_pass: Callable[[], int], seconds: float) -> None:
        self._name = name
        self._pass = one_pass
        self._seconds = seconds

    @property
    def ref(self) -> object:
        """How logs name it."""
        return self._name

    @property
    def stored(self) -> int:
        """Messages it stored: none."""
        return 0

    @property
    def stopped(self) -> bool:
        """It never stops for good: a failed pass is tried again."""
        return False

    def run(self, stop: threading.Event) -> None:
        """Pass after pass until `stop` is set."""
        while not stop.is_set():
            self.turn()
            stop.wait(self._seconds)

    def turn(self) -> object:
        """One pass now; what it did."""
        try:
            return self._pass()
        except Exception:  # a pass that fails is tried again on the next turn
            log.exception("%s: a pass failed; trying again in %g s", self._name, self._seconds)
            return 0
