"""What an endpoint function gets: the checked request, the state, and who it must not forget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.wire import Request, Response

if TYPE_CHECKING:
    from jun_engine.emulator.line.webhooks import Deliverer


@dataclass(frozen=True, slots=True)
class LineCall:
    """One authenticated, schema-checked API request."""

    request: Request
    path_values: dict[str, str]
    state: LineState
    webhooks: Deliverer
    request_id: str
    body: Any
    """The parsed JSON body (None when the operation takes none)."""
    retry_key: str | None


@dataclass(slots=True)
class BlobResponse(Response):
    """A binary response (content downloads, rich menu images)."""

    blob: bytes = b""

    def encode(self) -> bytes:
        """The bytes as they are."""
        return self.blob


def empty(status: int = 200) -> Response:
    """LINE's answer when there is nothing to say: `{}`."""
    return Response(status, {})
