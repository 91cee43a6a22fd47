"""The rich menu (the home screen under a LINE chat), made idempotently at start.

A menu is named after a hash of its whole definition (areas, labels, size, picture), so each start
lists the account's menus and finds the one it wants by name: nothing is created when it exists.
Only a missing menu is created; its picture is uploaded when it has none (a crash between the two
steps is finished on the next start); it is made the default when it is not; older menus of the
engine are deleted. So restarts cost two or three reads each and never approach LINE's 100 menu
creations and deletions an hour.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from linebot.v3.messaging import (
    ApiException,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
)

from jun_engine.channels.line.client import TIMEOUT, LineClients
from jun_engine.channels.line.menu_image import tile_bounds, tiles_png
from jun_engine.clock import Clock
from jun_engine.config.schema import LineAccount, RichMenuAction

log = logging.getLogger(__name__)

NAME_PREFIX = "jun-engine "
"""Every menu the engine makes is named this plus its definition's hash; others are not its."""
WIDTH, HEIGHT, COLUMNS = 2500, 843, 3
"""LINE's compact menu: two rows of three areas."""
MAX_DELETES = 10
"""Old menus deleted per start at most (deletions count against the 100 an hour)."""
POSTBACK_PREFIX = "menu:"

COLOURS: dict[RichMenuAction, tuple[int, int, int]] = {
    "report": (214, 69, 65),
    "my_cases": (52, 120, 198),
    "school_menu": (230, 145, 56),
    "appointments": (46, 160, 110),
    "air_quality": (98, 166, 196),
    "verify": (120, 94, 170),
}

LABELS: dict[str, dict[RichMenuAction, str]] = {
    "en": {
        "report": "Report a problem",
        "my_cases": "My cases",
        "school_menu": "School menu",
        "appointments": "Appointments",
        "air_quality": "Air quality",
        "verify": "How to verify",
    },
    "es": {
        "report": "Avisar de problema",
        "my_cases": "Mis casos",
        "school_menu": "Menú escolar",
        "appointments": "Citas",
        "air_quality": "Calidad del aire",
        "verify": "Cómo verificarme",
    },
    "th": {
        "report": "แจ้งปัญหา",
        "my_cases": "เรื่องของฉัน",
        "school_menu": "เมนูอาหารโรงเรียน",
        "appointments": "นัดหมาย",
        "air_quality": "คุณภาพอากาศ",
        "verify": "วิธียืนยันตัวตน",
    },
    "ja": {
        "report": "不具合を通報",
        "my_cases": "私の通報",
        "school_menu": "給食の献立",
        "appointments": "予約",
        "air_quality": "大気の状態",
        "verify": "本人確認の方法",
    },
}
"""Each area's label (LINE: at most 20 characters), by language; English where none."""

CHAT_BAR: dict[str, str] = {"en": "Menu", "es": "Menú", "th": "เมนู", "ja": "メニュー"}


@dataclass(frozen=True, slots=True)
class RichMenuOutcome:
    """What a start found or did: the default menu's id, and whether it had to be created."""

    rich_menu_id: str
    created: bool
    deleted: int
    checked_at: datetime


def postback_data(action: RichMenuAction) -> str:
    """What a tap on an area sends back as the postback's data (`InboundMessage.action`)."""
    return f"{POSTBACK_PREFIX}{action}"


def menu_request(account: LineAccount, language: str) -> RichMenuRequest:
    """The menu accounts.yaml describes, labelled in `language`, named after its definition's
    hash (the picture included)."""
    labels = LABELS.get(language, LABELS["en"])
    areas = [_area(action, labels[action], index) for index, action in enumerate(account.rich_menu)]
    body = {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "chatBarText": CHAT_BAR.get(language, CHAT_BAR["en"]),
        "areas": [area.to_dict() for area in areas],
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    digest.update(hashlib.sha256(menu_picture(account)).digest())
    return RichMenuRequest.from_dict({**body, "name": NAME_PREFIX + digest.hexdigest()[:20]})


def menu_picture(account: LineAccount) -> bytes:
    """The menu's PNG: one coloured tile per area."""
    return tiles_png(WIDTH, HEIGHT, COLUMNS, [COLOURS[a] for a in account.rich_menu])


def _area(action: RichMenuAction, label: str, index: int) -> RichMenuArea:
    rows = 2
    x, width = tile_bounds(WIDTH, COLUMNS, index % COLUMNS)
    y, height = tile_bounds(HEIGHT, rows, index // COLUMNS)
    return RichMenuArea(
        bounds=RichMenuBounds(x=x, y=y, width=width, height=height),
        action=PostbackAction(label=label, data=postback_data(action), displayText=label),
    )


def ensure_rich_menu(
    clients: LineClients, account: LineAccount, clock: Clock, fallback_language: str = "en"
) -> RichMenuOutcome:
    """Make the account's default menu the one accounts.yaml describes, creating it only when it
    does not exist yet. Raises `linebot.v3.messaging.ApiException` when LINE refuses (the
    runtime logs it and carries on: the menu is a nicety, not a reason to stop serving)."""
    wanted = menu_request(account, account.language or fallback_language)
    menus = clients.messaging.get_rich_menu_list(_request_timeout=TIMEOUT).richmenus
    ours = [m for m in menus if m.name.startswith(NAME_PREFIX)]
    found = next((m.rich_menu_id for m in ours if m.name == wanted.name), None)
    created = found is None
    menu_id = found or _create(clients, wanted)
    if created or not _has_picture(clients, menu_id):  # a crash may have come between the two
        _upload(clients, menu_id, account)
    if _default(clients) != menu_id:
        clients.messaging.set_default_rich_menu(menu_id, _request_timeout=TIMEOUT)
        log.info("LINE account %s: rich menu %s is now the default", clients.account, menu_id)
    stale = [m.rich_menu_id for m in ours if m.rich_menu_id != menu_id][:MAX_DELETES]
    for old in stale:
        clients.messaging.delete_rich_menu(old, _request_timeout=TIMEOUT)
    if created or stale:
        log.info(
            "LINE account %s: rich menu %s created, %d old one(s) deleted",
            clients.account,
            menu_id,
            len(stale),
        )
    return RichMenuOutcome(menu_id, created, len(stale), clock.now())


def _create(clients: LineClients, wanted: RichMenuRequest) -> str:
    response = clients.messaging.create_rich_menu(wanted, _request_timeout=TIMEOUT)
    return str(response.rich_menu_id)


def _upload(clients: LineClients, menu_id: str, account: LineAccount) -> None:
    clients.blob.set_rich_menu_image(
        menu_id,
        body=menu_picture(account),
        _headers={"Content-Type": "image/png"},
        _request_timeout=TIMEOUT,
    )


def _has_picture(clients: LineClients, menu_id: str) -> bool:
    try:
        clients.blob.get_rich_menu_image_with_http_info(menu_id, _request_timeout=TIMEOUT)
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True


def _default(clients: LineClients) -> str | None:
    try:
        response = clients.messaging.get_default_rich_menu_id(_request_timeout=TIMEOUT)
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return str(response.rich_menu_id)
