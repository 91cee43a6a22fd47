"""Every way an X call can fail becomes one error of the engine's tree, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from jun_engine.channels.x import XGateway
from jun_engine.domain import errors as e
from tests.channels.x.canned import Canned, CannedServer, refused_port
from tests.channels.x.conftest import CREDENTIALS

RESET = "1893456000"  # 2030-01-01T00:00:00Z
RESET_AT = datetime(2030, 1, 1, tzinfo=UTC)
LIMIT_HEADERS = {
    "x-rate-limit-limit": "300",
    "x-rate-limit-remaining": "0",
    "x-rate-limit-reset": RESET,
}


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": kind, "status": status}


DUPLICATE = problem(
    403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
)
REPLY_RESTRICTED = problem(
    403,
    "Forbidden",
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to.",
)
INVALID = {
    "errors": [
        {
            "parameters": {"max_results": ["1000"]},
            "message": "The `max_results` query parameter value [1000] is not between 5 and 100",
        }
    ],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
USAGE_CAPPED = problem(
    429,
    "UsageCapExceeded",
    "Usage cap exceeded: Monthly product cap",
    "https://api.twitter.com/2/problems/usage-capped",
)

Call = Callable[[XGateway], object]


def post(gateway: XGateway) -> object:
    return gateway.create_post("Se ha fundido la farola de la calle Real")


def dm(gateway: XGateway) -> object:
    return gateway.send_dm("2002", "Quiero pedir cita con el médico")


def read_mentions(gateway: XGateway) -> object:
    return gateway.mentions("1001")


CASES: list[tuple[str, Canned, Call, type[e.ChannelError]]] = [
    ("400 invalid request", Canned.json(400, INVALID), read_mentions, e.InvalidRequest),
    ("401", Canned.json(401, problem(401, "Unauthorized", "Unauthorized")), post, e.AuthError),
    ("403 duplicate", Canned.json(403, DUPLICATE), post, e.DuplicateContent),
    ("403 reply restriction", Canned.json(403, REPLY_RESTRICTED), post, e.ReplyNotAllowed),
    ("403 plain", Canned.json(403, problem(403, "Forbidden", "Forbidden")), post, e.Forbidden),
    ("403 on a DM", Canned.json(403, problem(403, "Forbidden", "Forbidden")), dm, e.DmNotPermitted),
    (
        "404",
        Canned.json(404, problem(404, "Not Found Error", "Not found")),
        read_mentions,
        e.NotFound,
    ),
    (
        "429 with reset",
        Canned.json(429, problem(429, "Too Many Requests", "Too Many Requests"), **LIMIT_HEADERS),
        read_mentions,
        e.RateLimited,
    ),
    (
        "429 usage capped",
        Canned.json(429, USAGE_CAPPED, **LIMIT_HEADERS),
        read_mentions,
        e.RateLimited,
    ),
    (
        "429 legacy body",
        Canned.json(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}),
        read_mentions,
        e.RateLimited,
    ),
    ("500", Canned.json(500, problem(500, "Internal Error", "boom")), read_mentions, e.ServerError),
    (
        "503 HTML from a proxy",
        Canned(503, b"<html><body>Over capacity</body></html>", {"content-type": "text/html"}),
        read_mentions,
        e.ServerError,
    ),
    (
        "418 unknown status",
        Canned.json(418, {"title": "teapot"}),
        read_mentions,
        e.UnexpectedStatus,
    ),
    (
        "200 garbage HTML",
        Canned(200, b"<html>captive portal</html>", {"content-type": "text/html"}),
        read_mentions,
        e.MalformedResponse,
    ),
    (
        "200 truncated JSON",
        Canned(200, b'{"data": [{"id": "1", "te', {}),
        read_mentions,
        e.MalformedResponse,
    ),
    ("200 JSON but a list", Canned(200, b"[1, 2]", {}), read_mentions, e.MalformedResponse),
    (
        "200 body cut by the connection",
        Canned(200, b'{"meta": {"result_count": 0}}', {}, truncate_to=10),
        read_mentions,
        e.MalformedResponse,
    ),
    ("403 body that is a JSON list", Canned(403, b'["no"]', {}), post, e.Forbidden),
    ("201 without data", Canned.json(201, {"meta": {}}), post, e.MalformedResponse),
]


@pytest.mark.parametrize(
    ("canned_answer", "call", "expected"),
    [pytest.param(c, f, x, id=name) for name, c, f, x in CASES],
)
def test_each_failure_becomes_its_engine_error(
    canned: CannedServer,
    gateway: XGateway,
    canned_answer: Canned,
    call: Call,
    expected: type[e.ChannelError],
) -> None:
    # Given the server answers this way
    canned.answer(canned_answer)
    # When the gateway makes the call, Then the engine's own error comes out, never tweepy's
    with pytest.raises(expected) as caught:
        call(gateway)
    assert type(caught.value) is expected
    assert str(caught.value)


def test_a_rate_limit_carries_its_reset_time_and_is_worth_waiting_for(
    canned: CannedServer, gateway: XGateway
) -> None:
    canned.answer(
        Canned.json(429, problem(429, "Too Many Requests", "Too Many Requests"), **LIMIT_HEADERS)
    )
    with pytest.raises(e.RateLimited) as caught:
        gateway.mentions("1001")
    assert caught.value.reset_at == RESET_AT
    assert caught.value.retry_at == RESET_AT
    assert caught.value.retryable
    assert not caught.value.usage_capped
    assert "2030-01-01 00:00:00" in str(caught.value)


def test_a_usage_cap_is_not_cured_by_waiting(canned: CannedServer, gateway: XGateway) -> None:
    canned.answer(Canned.json(429, USAGE_CAPPED, **LIMIT_HEADERS))
    with pytest.raises(e.RateLimited) as caught:
        gateway.mentions("1001")
    assert caught.value.usage_capped
    assert not caught.value.retryable
    assert caught.value.retry_at is None
    assert "usage cap" in str(caught.value)


def test_a_spent_daily_cap_moves_the_reset_to_the_day_s_end(
    canned: CannedServer, gateway: XGateway
) -> None:
    daily = {
        "x-user-limit-24hour-limit": "1440",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1893542400",  # a day later
    }
    canned.answer(
        Canned.json(
            429, problem(429, "Too Many Requests", "Too Many Requests"), **LIMIT_HEADERS, **daily
        )
    )
    with pytest.raises(e.RateLimited) as caught:
        gateway.send_dm("2002", "hola")
    assert caught.value.reset_at == datetime(2030, 1, 2, tzinfo=UTC)


def test_a_429_without_reset_header_asks_for_backoff(
    canned: CannedServer, gateway: XGateway
) -> None:
    canned.answer(Canned.json(429, problem(429, "Too Many Requests", "Too Many Requests")))
    with pytest.raises(e.RateLimited) as caught:
        gateway.mentions("1001")
    assert caught.value.retryable
    assert caught.value.retry_at is None


def test_invalid_request_names_the_offending_parameter(
    canned: CannedServer, gateway: XGateway
) -> None:
    canned.answer(Canned.json(400, INVALID))
    with pytest.raises(e.InvalidRequest) as caught:
        gateway.mentions("1001", max_results=1000)
    assert caught.value.parameters == ("max_results",)
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (403, False), (404, False), (500, True), (502, True), (503, True)],
)
def test_only_server_failures_are_worth_retrying(
    canned: CannedServer, gateway: XGateway, status: int, retryable: bool
) -> None:
    canned.answer(Canned.json(status, problem(status, "x", "x")))
    with pytest.raises(e.ChannelError) as caught:
        gateway.me()
    assert caught.value.retryable is retryable
    assert caught.value.status == status


def test_a_read_timeout_may_have_landed(canned: CannedServer) -> None:
    # Given a server that accepts the request and never answers
    canned.answer(Canned(hang=True))
    gateway = XGateway(CREDENTIALS, base_url=canned.url, timeout=(2.0, 0.2))
    # When the gateway posts, Then it times out, and says the post may have gone through
    with gateway, pytest.raises(e.RequestTimedOut) as caught:
        gateway.create_post("¿A qué hora abre la piscina?")
    assert caught.value.request_sent
    assert caught.value.retryable


def test_a_refused_connection_sent_nothing() -> None:
    url = f"http://127.0.0.1:{refused_port()}"
    with (
        XGateway(CREDENTIALS, base_url=url) as gateway,
        pytest.raises(e.ConnectionFailed) as caught,
    ):
        gateway.create_post("hola")
    assert not caught.value.request_sent
    assert caught.value.retryable
    assert "nothing was sent" in str(caught.value)


def test_error_messages_never_quote_what_was_sent(canned: CannedServer, gateway: XGateway) -> None:
    canned.answer(Canned.json(403, problem(403, "Forbidden", "Forbidden")))
    secret = "Mi vecino vende droga en el portal 3"
    with pytest.raises(e.DmNotPermitted) as caught:
        gateway.send_dm("2002", secret)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value.args)
