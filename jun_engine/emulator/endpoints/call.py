"""What an endpoint function receives: the request, the caller, path values and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jun_engine.emulator.auth import Principal
from jun_engine.emulator.faults import FaultDice
from jun_engine.emulator.ledger import Ledger
from jun_engine.emulator.params import bad_body
from jun_engine.emulator.problems import invalid_request
from jun_engine.emulator.state import State
from jun_engine.emulator.wire import Request, printable, unencodable_field


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
        """The JSON body as an object; X's 400 invalid-request when it is not one, or when a
        string in it is not Unicode text (a `\\ud800` escape: X answers such text as invalid,
        and nothing is created)."""
        try:
            body = self.request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise bad_body("The request body is not a JSON object", "body", "")
        field = unencodable_field(body)
        if field is not None:
            value = printable(str(body.get(field, "")))[:50] if field in body else ""
            raise invalid_request(f"The `{field}` field is not valid UTF-8 text", {field: [value]})
        return body
