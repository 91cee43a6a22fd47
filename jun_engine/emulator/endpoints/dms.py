"""Direct messages: list a user's DM events (newest first), send a 1:1 DM."""

from __future__ import annotations

from typing import Any

from jun_engine.emulator.endpoints.call import Call
from jun_engine.emulator.fields import DM_LISTS
from jun_engine.emulator.paging import cursor_token, page_of, read_token
from jun_engine.emulator.params import (
    bad_body,
    check_known,
    id_value,
    int_param,
    list_param,
    shape_param,
)
from jun_engine.emulator.problems import forbidden, invalid_request
from jun_engine.emulator.render import dm_includes, dm_json
from jun_engine.emulator.rules import MAX_DM_LENGTH
from jun_engine.emulator.wire import Response

_LIST_PARAMS = frozenset({"max_results", "pagination_token"}) | DM_LISTS.keys()


def dm_events(call: Call) -> Response:
    """GET /2/dm_events: sent and received events, newest first, 30 days; no since_id."""
    request = call.request
    check_known(request, _LIST_PARAMS)
    limit = int_param(request, "max_results", 1, 100, 100)
    types = list_param(request, "event_types", DM_LISTS["event_types"])
    shape = shape_param(request, {k: v for k, v in DM_LISTS.items() if k != "event_types"})
    token = request.param("pagination_token")
    after = read_token("pagination_token", token, dm=True) if token is not None else None
    services = call.services
    state = services.state
    now = state.clock.now()
    events = state.dm_events_of(call.user_id, now) if not types or "MessageCreate" in types else []
    page = page_of(events, lambda e: e.id, limit=limit, after=after)
    body: dict[str, Any] = {}
    meta: dict[str, Any] = {"result_count": len(page.items)}
    if page.items:
        body["data"] = [dm_json(e, shape.dm_fields) for e in page.items]
        includes = dm_includes(state, page.items, shape)
        if includes:
            body["includes"] = includes
        if page.next_after:
            meta["next_token"] = cursor_token(page.next_after, dm=True)
    body["meta"] = meta
    services.ledger.charge_read(
        call.account,
        call.endpoint,
        "dm_event",
        [e.id for e in page.items],
        day=now.date(),
        app=call.principal.consumer_key,
    )
    return Response(200, body)


def send_dm(call: Call) -> Response:
    """POST /2/dm_conversations/with/:participant_id/messages `{"text"}` -> 201."""
    check_known(call.request, ())
    recipient = id_value("participant_id", call.path["participant_id"], where="path parameter")
    body = call.body_object()
    text = body.get("text")
    if "attachments" in body:
        raise bad_body("The emulator does not support DM attachments", "attachments", "")
    if not isinstance(text, str) or not text:
        raise bad_body("The `text` field must be a non-empty string", "text", str(text))
    if len(text) > MAX_DM_LENGTH:
        raise invalid_request(
            f"The `text` field is {len(text)} characters; a DM holds at most {MAX_DM_LENGTH}",
            {"text": [text[:50]]},
        )
    state = call.services.state
    if state.find_user(recipient) is None:
        raise invalid_request(
            f"The `participant_id` path parameter value [{recipient}] is not a user",
            {"participant_id": [recipient]},
        )
    if recipient == call.user_id:
        raise forbidden("You cannot send a Direct Message to yourself.")
    event = state.create_dm(call.user_id, recipient, text, via_api=True)
    call.services.ledger.charge_write(call.account, call.endpoint, "dm_create")
    data = {"dm_conversation_id": event.conversation_id, "dm_event_id": event.id}
    return Response(201, {"data": data})
