"""The life of one LINE API request: request id, faults, auth, retry key, rate limit, body
checks, the endpoint, then the faults that strike after the work is done.

Every answer carries `x-line-request-id`. Faults meaning "nothing happened" (timeout, 5xx, a
429 storm) strike before the request is handled; a lost answer after it was carried out.
"""

from __future__ import annotations

import hmac
from typing import Any

from jun_engine.emulator.dispatch import Outcome
from jun_engine.emulator.faults import FaultDice
from jun_engine.emulator.line.call import LineCall
from jun_engine.emulator.line.errors import (
    BAD_TOKEN,
    NO_AUTH_HEADER,
    LineError,
    bad_request,
    invalid_body,
    rate_limited,
)
from jun_engine.emulator.line.limits import LineRateLimiter
from jun_engine.emulator.line.routes import LineRoute, LineRouter
from jun_engine.emulator.line.rules import rule_problems
from jun_engine.emulator.line.spec import Checker, is_uuid
from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.line.webhooks import Deliverer
from jun_engine.emulator.wire import Request, Response, unencodable_field

REQUEST_ID = "x-line-request-id"
RETRY_KEY = "x-line-retry-key"


class LineDispatcher:
    """Turns a parsed request into an Outcome; never raises for a client's mistake."""

    def __init__(
        self, state: LineState, dice: FaultDice, limiter: LineRateLimiter, webhooks: Deliverer
    ) -> None:
        self.state = state
        self.dice = dice
        self.limiter = limiter
        self.webhooks = webhooks
        self.router = LineRouter()

    def dispatch(self, request: Request) -> Outcome:
        """Answer one request to the LINE API surface."""
        request_id = self.state.mint.request_id()
        found = self.router.match(request.method, request.path)
        if found is None:
            status = 405 if self.router.knows_path(request.path) else 404
            error = LineError(status, "Method Not Allowed" if status == 405 else "Not found")
            return Outcome(_error_response(error, request_id))
        route, values = found
        outcome = Outcome(Response(200), route=route.template)
        try:
            if self._strike_before(outcome):
                return outcome
            outcome.response = self._handle(request, route, values, request_id)
            if self.dice.roll(self.dice.spec.lost):
                self._lose(outcome)
        except LineError as error:
            outcome.response = _error_response(error, request_id)
        outcome.response.headers[REQUEST_ID] = request_id
        outcome.truncate = self.dice.roll(self.dice.spec.truncate)
        return outcome

    def _strike_before(self, outcome: Outcome) -> bool:
        """Faults before the request is handled; True when it is left unanswered."""
        dice = self.dice
        if dice.roll(dice.spec.timeout):
            outcome.hang = dice.spec.timeout_for.total_seconds()
            return True
        if dice.roll(dice.spec.slow):
            outcome.delay = dice.spec.slow_for.total_seconds()
        if dice.in_storm(self.state.clock.now()):
            raise rate_limited()
        if dice.roll(dice.spec.server_error):
            raise LineError(500, "Internal server error")
        return False

    def _lose(self, outcome: Outcome) -> None:
        """The request was carried out; its answer becomes a 5xx or never arrives."""
        if self.dice.spec.lost_status is not None:
            raise LineError(self.dice.spec.lost_status, "Service Unavailable")
        outcome.hang = self.dice.spec.lost_for.total_seconds()

    def _handle(
        self, request: Request, route: LineRoute, values: dict[str, str], request_id: str
    ) -> Response:
        self._authenticate(request)
        retry_key = _retry_key(request, route)
        state = self.state
        now = state.clock.now()
        if retry_key is not None:
            state.retry_keys.check(retry_key, now)
        self.limiter.admit(route.group, now)
        body = _checked_body(request, route)
        state.settle()
        call = LineCall(request, values, state, self.webhooks, request_id, body, retry_key)
        with state.lock:
            if retry_key is not None:
                state.retry_keys.check(retry_key, now)  # a twin may have been accepted meanwhile
            response = route.handler(call)
            if retry_key is not None:
                sent = (response.body or {}).get("sentMessages")
                state.retry_keys.accept(retry_key, request_id, now, sent)
        return response

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise LineError(401, NO_AUTH_HEADER)
        expected = self.state.channel.access_token
        if not hmac.compare_digest(token.strip().encode(), expected.encode()):
            raise LineError(401, BAD_TOKEN)


def _retry_key(request: Request, route: LineRoute) -> str | None:
    key = request.headers.get(RETRY_KEY)
    if key is None:
        return None
    if not route.retry_key:
        raise bad_request("X-Line-Retry-Key is not supported by this API", "X-Line-Retry-Key")
    if not is_uuid(key):
        raise bad_request("The retry key must be a UUID", "X-Line-Retry-Key")
    return key.lower()


def _checked_body(request: Request, route: LineRoute) -> Any:
    """The JSON body, checked against the operation's schema and LINE's rules (400 naming every
    bad property); None for operations that take no JSON body."""
    checker = Checker(route.document)
    schema = checker.body_schema(route.template, route.method)
    if schema is None:
        return None
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The request body could not be parsed as JSON") from None
    if body is None:
        if checker.body_required(route.template, route.method):
            raise bad_request("The request body is required")
        return None
    bad = unencodable_field(body)
    if bad is not None:
        raise invalid_body([(bad, "must be valid Unicode text")])
    problems = checker.problems(body, schema) or rule_problems(route.operation, body)
    if problems:
        raise invalid_body(problems)
    return body


def _error_response(error: LineError, request_id: str) -> Response:
    headers = {**error.headers, REQUEST_ID: request_id}
    return Response(error.status, error.body(), headers)
