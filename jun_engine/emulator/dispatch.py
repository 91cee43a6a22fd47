"""The life of one API request: faults, auth, usage cap, limits, the endpoint, the headers.

Faults that mean "nothing happened" (timeout, 5xx, a storm's 429) strike before the request is
authenticated; those that mean "it happened but the answer went missing" (lost, truncate) after
the endpoint has done its work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jun_engine.emulator.auth import Authenticator
from jun_engine.emulator.endpoints.call import Call, Services
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.limits import RateLimiter
from jun_engine.emulator.problems import (
    ApiProblemError,
    forbidden,
    method_not_allowed,
    no_route,
    server_error,
    too_many_requests,
    unsupported_authentication,
)
from jun_engine.emulator.routes import Router
from jun_engine.emulator.wire import Request, Response

PROBLEM_TYPE = "application/problem+json"


@dataclass(slots=True)
class Outcome:
    """A response plus what the server must do on the wire (delay, hang, truncate)."""

    response: Response
    route: str | None = None
    delay: float = 0.0
    """Seconds to wait before answering (the `slow` fault)."""
    hang: float = 0.0
    """Seconds to hold the connection, then drop it unanswered (`timeout`, `lost`)."""
    truncate: bool = False
    """Send only part of the body, then close (the `truncate` fault)."""
    notes: dict[str, str] = field(default_factory=dict)


class Dispatcher:
    """Turns a parsed API request into an Outcome; never raises for a client's mistake."""

    def __init__(
        self, services: Services, authenticator: Authenticator, limiter: RateLimiter
    ) -> None:
        self.services = services
        self.authenticator = authenticator
        self.limiter = limiter
        self.router = Router()

    def dispatch(self, request: Request) -> Outcome:
        """Answer one request to the X API surface."""
        found = self.router.match(request.method, request.path)
        if found is None:
            problem = method_not_allowed() if self.router.knows_path(request.path) else no_route()
            return Outcome(_problem_response(problem))
        route, path_values = found
        outcome = Outcome(Response(200), route=route.template)
        dice = self.services.dice
        now = self.services.state.clock.now()
        rate_headers: dict[str, str] = {}
        try:
            if dice.roll(dice.spec.timeout):
                outcome.hang = dice.spec.timeout_for.total_seconds()
                return outcome
            if dice.roll(dice.spec.slow):
                outcome.delay = dice.spec.slow_for.total_seconds()
            if dice.in_storm(now):
                raise too_many_requests(_storm_headers(dice.storm_reset(now)))
            if dice.roll(dice.spec.server_error):
                raise server_error(503)
            principal = self.authenticator.authenticate(request)
            if route.user_only and not principal.is_user:
                raise unsupported_authentication()
            if route.needs_dm and not principal.dm_access:
                raise forbidden()
            rate_headers = self.limiter.admit(route.endpoint, principal, now)
            call = Call(request, principal, path_values, self.services, route.endpoint)
            outcome.response = route.handler(call)
            outcome.response.headers.update(rate_headers)
            if dice.roll(dice.spec.lost):
                _lose_answer(outcome, dice.spec)
        except ApiProblemError as problem:
            outcome.response = _problem_response(problem)
            outcome.response.headers = rate_headers | outcome.response.headers
        outcome.truncate = dice.roll(dice.spec.truncate)
        return outcome


def _lose_answer(outcome: Outcome, spec: FaultSpec) -> None:
    """The `lost` fault: the work is done; the client gets a 503 or no answer at all."""
    if spec.lost_status is not None:
        raise server_error(spec.lost_status)
    outcome.hang = spec.lost_for.total_seconds()


def _problem_response(problem: ApiProblemError) -> Response:
    return Response(problem.status, problem.body, dict(problem.headers), PROBLEM_TYPE)


def _storm_headers(reset: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "0",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
