"""Rich menus: create, validate, get, list, delete, image upload and download (data host),
the default menu, and links per user and in bulk."""

from __future__ import annotations

from jun_engine.emulator.line.call import BlobResponse, LineCall, empty
from jun_engine.emulator.line.errors import bad_request, invalid_body
from jun_engine.emulator.line.richmenus import menu_problems
from jun_engine.emulator.wire import Response


def create(call: LineCall) -> Response:
    """Create a menu; its id comes back."""
    menu = call.state.rich_menus.create(call.state.mint.rich_menu_id(), call.body)
    return Response(200, {"richMenuId": menu.rich_menu_id})


def validate(call: LineCall) -> Response:
    """Check a menu without creating it."""
    problems = menu_problems(call.body)
    if problems:
        raise invalid_body(problems)
    return empty()


def get(call: LineCall) -> Response:
    """One menu."""
    return Response(200, call.state.rich_menus.get(call.path_values["richMenuId"]).response())


def listing(call: LineCall) -> Response:
    """Every menu."""
    return Response(200, {"richmenus": [m.response() for m in call.state.rich_menus.all()]})


def delete(call: LineCall) -> Response:
    """Delete a menu."""
    call.state.rich_menus.delete(call.path_values["richMenuId"])
    return empty()


def upload_image(call: LineCall) -> Response:
    """Attach the menu's image (api-data host): PNG or JPEG, the menu's size, at most 1 MB."""
    declared = call.request.headers.get("content-type", "")
    if not call.request.body:
        raise bad_request("The request body must contain an image")
    call.state.rich_menus.set_image(call.path_values["richMenuId"], call.request.body, declared)
    return empty()


def download_image(call: LineCall) -> Response:
    """The menu's image (api-data host)."""
    data, media = call.state.rich_menus.image(call.path_values["richMenuId"])
    return BlobResponse(200, None, {}, media, blob=data)


def set_default(call: LineCall) -> Response:
    """Make a menu everyone's default."""
    call.state.rich_menus.set_default(call.path_values["richMenuId"])
    return empty()


def get_default(call: LineCall) -> Response:
    """The default menu's id."""
    return Response(200, {"richMenuId": call.state.rich_menus.default()})


def clear_default(call: LineCall) -> Response:
    """No default menu."""
    call.state.rich_menus.clear_default()
    return empty()


def link_user(call: LineCall) -> Response:
    """Link a menu to one user (who must be a friend)."""
    user_id = call.path_values["userId"]
    friend = call.state.friends.get(user_id)
    if friend is None or not friend.reachable:
        raise bad_request("The user hasn't added the LINE Official Account as a friend.")
    call.state.rich_menus.link([user_id], call.path_values["richMenuId"])
    return empty()


def user_menu(call: LineCall) -> Response:
    """The menu linked to a user."""
    return Response(200, {"richMenuId": call.state.rich_menus.linked(call.path_values["userId"])})


def unlink_user(call: LineCall) -> Response:
    """Remove a user's own menu."""
    call.state.rich_menus.unlink([call.path_values["userId"]])
    return empty()


def bulk_link(call: LineCall) -> Response:
    """Link a menu to up to 500 users (202)."""
    call.state.rich_menus.link(call.body["userIds"], call.body["richMenuId"])
    return empty(202)


def bulk_unlink(call: LineCall) -> Response:
    """Remove up to 500 users' own menus (202)."""
    call.state.rich_menus.unlink(call.body["userIds"])
    return empty(202)
