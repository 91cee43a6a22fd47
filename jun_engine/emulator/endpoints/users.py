"""GET /2/users/me: the authenticated user."""

from __future__ import annotations

from jun_engine.emulator.endpoints.call import Call
from jun_engine.emulator.fields import USER_LISTS
from jun_engine.emulator.params import check_known, shape_param
from jun_engine.emulator.render import user_json
from jun_engine.emulator.wire import Response


def users_me(call: Call) -> Response:
    """The caller's own user object."""
    check_known(call.request, USER_LISTS)
    shape = shape_param(call.request, USER_LISTS)
    services = call.services
    user = services.state.user(call.user_id)
    services.ledger.charge_read(
        call.account,
        call.endpoint,
        "user",
        [user.id],
        day=services.state.clock.now().date(),
        app=call.principal.consumer_key,
    )
    return Response(200, {"data": user_json(user, shape.user_fields)})
