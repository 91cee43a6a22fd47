"""Uploaded audiences (manage-audience.yml): create one from user ids, add more ids to it."""

from __future__ import annotations

from jun_engine.emulator.line.call import LineCall, empty
from jun_engine.emulator.line.errors import bad_request, not_found
from jun_engine.emulator.line.segments import Audience
from jun_engine.emulator.wire import Response

AUDIENCE_LIFETIME_SECONDS = 180 * 24 * 3600
"""Upload audiences expire after 180 days."""


def create(call: LineCall) -> Response:
    """Create an audience from up to 10,000 user ids (202)."""
    state, body = call.state, call.body
    if body.get("isIfaAudience"):
        raise bad_request("IFA audiences are not supported by this channel", "isIfaAudience")
    description = body.get("description")
    if not description:
        raise bad_request("must be specified", "description")
    now = state.clock.now()
    group_id = state.mint.audience_group_id()
    ids = [a["id"] for a in body.get("audiences", []) if a.get("id")]
    with state.lock:
        state.audiences[group_id] = Audience(group_id, description, ids, now)
    created = int(now.timestamp())
    return Response(
        202,
        {
            "audienceGroupId": group_id,
            "createRoute": "MESSAGING_API",
            "type": "UPLOAD",
            "description": description,
            "created": created,
            "permission": "READ_WRITE",
            "expireTimestamp": created + AUDIENCE_LIFETIME_SECONDS,
            "isIfaAudience": False,
        },
    )


def add(call: LineCall) -> Response:
    """Add up to 10,000 user ids to an audience (202)."""
    state, body = call.state, call.body
    group = state.audiences.get(body.get("audienceGroupId", -1))
    if group is None:
        raise not_found()
    with state.lock:
        group.user_ids.extend(a["id"] for a in body.get("audiences", []) if a.get("id"))
    return empty(202)
