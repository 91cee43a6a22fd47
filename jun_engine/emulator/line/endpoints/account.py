"""The channel's own endpoints: profiles, quota and consumption, the loading indicator, the
webhook URL and its test, and the content residents sent (api-data host)."""

from __future__ import annotations

from jun_engine.emulator.line.call import BlobResponse, LineCall, empty
from jun_engine.emulator.line.errors import bad_request, not_found
from jun_engine.emulator.wire import Response


def profile(call: LineCall) -> Response:
    """A friend's profile; 404 for anyone who is not a friend (or has blocked the account)."""
    friend = call.state.friends.get(call.path_values["userId"])
    if friend is None or not friend.reachable:
        raise not_found()
    body = {
        "displayName": friend.display_name,
        "userId": friend.user_id,
        "language": friend.language,
        "pictureUrl": f"{call.state.public_url}/_emulator/line/pictures/{friend.user_id}",
    }
    if friend.status_message:
        body["statusMessage"] = friend.status_message
    return Response(200, body)


def quota(call: LineCall) -> Response:
    """The month's target limit ("none" on an unlimited plan)."""
    monthly = call.state.quota.plan.monthly
    if monthly is None:
        return Response(200, {"type": "none"})
    return Response(200, {"type": "limited", "value": monthly})


def consumption(call: LineCall) -> Response:
    """Messages counted this month."""
    return Response(200, {"totalUsage": call.state.quota.used(call.state.clock.now())})


def loading(call: LineCall) -> Response:
    """Show the loading animation to a friend (202)."""
    friend = call.state.friends.get(call.body["chatId"])
    if friend is None or not friend.reachable:
        raise bad_request("Invalid chatId", "chatId")
    return empty(202)


def get_webhook(call: LineCall) -> Response:
    """The webhook URL and whether it is used."""
    settings = call.state.webhook
    if settings.url is None:
        raise not_found()
    return Response(200, {"endpoint": settings.url, "active": settings.active})


def set_webhook(call: LineCall) -> Response:
    """Set the webhook URL (it must be HTTPS at LINE; loopback HTTP is allowed here)."""
    call.state.webhook.url = call.body["endpoint"]
    return empty()


def test_webhook(call: LineCall) -> Response:
    """Send an empty `events` list, signed, to the URL given (or the configured one)."""
    url = (call.body or {}).get("endpoint") or call.state.webhook.url
    if not url:
        raise bad_request("The webhook URL is not set", "endpoint")
    return Response(200, call.webhooks.verify(url))


def content(call: LineCall) -> Response:
    """What a resident sent with a message (a photo), until the retention ends (then 404)."""
    stored = call.state.content.get(call.path_values["messageId"], call.state.clock.now())
    return BlobResponse(200, None, {}, stored.content_type, blob=stored.data)
