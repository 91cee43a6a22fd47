"""What an endpoint function receives: the request, the caller, path values and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jun_engine.emulator.auth import Principal
from jun_engine.emulator.faults import FaultDice
from jun_engine.emulator.ledger import Ledger
from jun_engine.emulator.params import bad_body
from jun_engine.emulator.state import State
from jun_engine.emulator.wire import Request


@dataclass(frozen=True, slots=True)
class Services:
    """The emulator's parts an endpoint may use."""

    state: State
    ledger: Ledger
    dice: FaultDice


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API call."""

    request: Request
    principal: Principal
    path: dict[str, str]
    services: Services
    endpoint: str

    @property
    def account(self) -> str:
        """Who the ledger bills: the user's id, or `app:<consumer key>` for app-only calls."""
        return self.principal.user_id or f"app:{self.principal.consumer_key}"

    @property
    def user_id(self) -> str:
        """The calling user's id (endpoints that need a user context are routed only to users)."""
        assert self.principal.user_id is not None
        return self.principal.user_id

    def body_object(self) -> dict[str, Any]:
        """The JSON body as an object; 400 (X's text) when it is not one."""
        try:
            body = self.request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise bad_body("The request body is not a JSON object", "body", "")
        return body
