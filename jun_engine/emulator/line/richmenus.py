"""Rich menus: the menus, their images, the default menu and per-user links, with LINE's rules
on sizes, areas and images."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from jun_engine.emulator.line.errors import LineError, bad_request, invalid_body, not_found
from jun_engine.emulator.line.images import image_size
from jun_engine.emulator.line.spec import Problem

MAX_IMAGE_BYTES = 1024 * 1024
MAX_AREAS = 20
NO_IMAGE = "must upload richmenu image before applying it to user"


@dataclass(slots=True)
class RichMenu:
    """One rich menu as created, and its image once uploaded."""

    rich_menu_id: str
    body: dict[str, Any]
    image: bytes | None = None
    image_type: str | None = None

    def response(self) -> dict[str, Any]:
        """The RichMenuResponse LINE returns."""
        return {
            "richMenuId": self.rich_menu_id,
            "size": self.body["size"],
            "selected": self.body["selected"],
            "name": self.body["name"],
            "chatBarText": self.body["chatBarText"],
            "areas": self.body["areas"],
        }


def menu_problems(body: dict[str, Any]) -> list[Problem]:
    """LINE's rules on a rich menu beyond its schema (sizes, areas inside the menu)."""
    problems: list[Problem] = []
    for name in ("size", "selected", "name", "chatBarText", "areas"):
        if body.get(name) is None:
            problems.append((name, "must be specified"))
    size = body.get("size") or {}
    width, height = size.get("width"), size.get("height")
    if problems or not isinstance(width, int) or not isinstance(height, int):
        return problems or [("size", "must be specified")]
    if not 800 <= width <= 2500:
        problems.append(("size.width", "must be between 800 and 2500"))
    if height < 250 or width / height < 1.45:
        problems.append(("size.height", "must be at least 250 and at most width / 1.45"))
    areas = body["areas"]
    if len(areas) > MAX_AREAS:
        problems.append(("areas", f"Size must be between 0 and {MAX_AREAS}"))
    for index, area in enumerate(areas):
        bounds = area.get("bounds") or {}
        x, y = bounds.get("x", 0), bounds.get("y", 0)
        w, h = bounds.get("width", 0), bounds.get("height", 0)
        if x + w > width or y + h > height:
            problems.append((f"areas[{index}].bounds", "must be inside the rich menu"))
    return problems


class RichMenus:
    """Every rich menu of the channel; thread-safe."""

    def __init__(self) -> None:
        self._menus: dict[str, RichMenu] = {}
        self._default: str | None = None
        self._links: dict[str, str] = {}
        self._lock = threading.Lock()

    def create(self, rich_menu_id: str, body: dict[str, Any]) -> RichMenu:
        """Store a new menu (its body already checked)."""
        problems = menu_problems(body)
        if problems:
            raise invalid_body(problems)
        with self._lock:
            menu = self._menus[rich_menu_id] = RichMenu(rich_menu_id, body)
            return menu

    def get(self, rich_menu_id: str) -> RichMenu:
        """The menu, or 404."""
        with self._lock:
            menu = self._menus.get(rich_menu_id)
        if menu is None:
            raise not_found()
        return menu

    def all(self) -> list[RichMenu]:
        """Every menu, oldest first."""
        with self._lock:
            return list(self._menus.values())

    def delete(self, rich_menu_id: str) -> None:
        """Delete a menu, its default status and its links."""
        self.get(rich_menu_id)
        with self._lock:
            del self._menus[rich_menu_id]
            if self._default == rich_menu_id:
                self._default = None
            self._links = {u: m for u, m in self._links.items() if m != rich_menu_id}

    def set_image(self, rich_menu_id: str, data: bytes, declared_type: str) -> None:
        """Attach an image: PNG or JPEG, at most 1 MB, exactly the menu's size, once."""
        menu = self.get(rich_menu_id)
        if len(data) > MAX_IMAGE_BYTES:
            raise LineError(413, "Request Entity Too Large")
        found = image_size(data)
        if found is None or declared_type.split(";")[0].strip() not in ("image/png", "image/jpeg"):
            raise bad_request("The image must be a PNG or JPEG file")
        _, width, height = found
        size = menu.body["size"]
        if (width, height) != (size["width"], size["height"]):
            raise bad_request("The image size must match the rich menu's size")
        with self._lock:
            if menu.image is not None:
                raise bad_request("An image has already been uploaded to the richmenu")
            menu.image, menu.image_type = data, found[0]

    def image(self, rich_menu_id: str) -> tuple[bytes, str]:
        """The menu's image, or 404 when it has none."""
        menu = self.get(rich_menu_id)
        if menu.image is None or menu.image_type is None:
            raise not_found()
        return menu.image, menu.image_type

    def set_default(self, rich_menu_id: str) -> None:
        """Make a menu (which has an image) everyone's default."""
        self._with_image(rich_menu_id)
        with self._lock:
            self._default = rich_menu_id

    def default(self) -> str:
        """The default menu's id, or 404."""
        with self._lock:
            found = self._default
        if found is None:
            raise not_found()
        return found

    def clear_default(self) -> None:
        """No default menu any more."""
        with self._lock:
            self._default = None

    def link(self, user_ids: list[str], rich_menu_id: str) -> None:
        """Link a menu (which has an image) to users."""
        self._with_image(rich_menu_id)
        with self._lock:
            for user_id in user_ids:
                self._links[user_id] = rich_menu_id

    def unlink(self, user_ids: list[str]) -> None:
        """Remove users' own menus (they see the default again)."""
        with self._lock:
            for user_id in user_ids:
                self._links.pop(user_id, None)

    def linked(self, user_id: str) -> str:
        """The menu linked to a user, or 404."""
        with self._lock:
            found = self._links.get(user_id)
        if found is None:
            raise not_found()
        return found

    def showing(self, user_id: str) -> str | None:
        """The menu a user sees: their own, else the default."""
        with self._lock:
            return self._links.get(user_id, self._default)

    def _with_image(self, rich_menu_id: str) -> None:
        if self.get(rich_menu_id).image is None:
            raise bad_request(NO_IMAGE)
