"""The LINE endpoints the emulator serves: method, path, OpenAPI operation, limit group, handler.

Paths of both hosts (api.line.me and api-data.line.me) are served by the one server: LINE's
SDK sends both to the `host` of its Configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jun_engine.emulator.line.call import LineCall
from jun_engine.emulator.line.endpoints import account, audiences, messages, richmenus
from jun_engine.emulator.line.spec import MANAGE_AUDIENCE, MESSAGING_API
from jun_engine.emulator.routes import PatternRouter, template_pattern
from jun_engine.emulator.wire import Response


@dataclass(frozen=True, slots=True)
class LineRoute:
    """One endpoint."""

    method: str
    template: str
    operation: str
    """The operationId in LINE's OpenAPI file."""
    handler: Callable[[LineCall], Response]
    group: str = "other"
    """Its rate-limit group (see limits.LIMITS)."""
    retry_key: bool = False
    """True where LINE accepts X-Line-Retry-Key."""
    document: str = MESSAGING_API
    data_host: bool = False
    """Served by api-data.line.me at LINE."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regular expression with named groups."""
        return template_pattern(self.template)


def _validate_routes() -> tuple[LineRoute, ...]:
    return tuple(
        LineRoute(
            "POST", f"/v2/bot/message/validate/{kind}", f"validate{kind.title()}", messages.validate
        )
        for kind in ("reply", "push", "multicast", "narrowcast", "broadcast")
    )


_MESSAGE = "/v2/bot/message"
_MENU = "/v2/bot/richmenu"
_USER_MENU = "/v2/bot/user/{userId}/richmenu"
_HOOK = "/v2/bot/channel/webhook"

ROUTES: tuple[LineRoute, ...] = (
    LineRoute("POST", f"{_MESSAGE}/reply", "replyMessage", messages.reply),
    LineRoute("POST", f"{_MESSAGE}/push", "pushMessage", messages.push, retry_key=True),
    LineRoute("POST", f"{_MESSAGE}/multicast", "multicast", messages.multicast, "multicast", True),
    LineRoute(
        "POST", f"{_MESSAGE}/narrowcast", "narrowcast", messages.narrowcast, "narrowcast", True
    ),
    LineRoute("POST", f"{_MESSAGE}/broadcast", "broadcast", messages.broadcast, "broadcast", True),
    LineRoute(
        "GET",
        f"{_MESSAGE}/progress/narrowcast",
        "getNarrowcastProgress",
        messages.narrowcast_progress,
    ),
    *_validate_routes(),
    LineRoute("GET", f"{_MESSAGE}/quota", "getMessageQuota", account.quota),
    LineRoute(
        "GET", f"{_MESSAGE}/quota/consumption", "getMessageQuotaConsumption", account.consumption
    ),
    LineRoute(
        "GET",
        f"{_MESSAGE}/{{messageId}}/content",
        "getMessageContent",
        account.content,
        data_host=True,
    ),
    LineRoute("GET", "/v2/bot/profile/{userId}", "getProfile", account.profile),
    LineRoute(
        "POST", "/v2/bot/chat/loading/start", "showLoadingAnimation", account.loading, "loading"
    ),
    LineRoute("GET", f"{_HOOK}/endpoint", "getWebhookEndpoint", account.get_webhook),
    LineRoute("PUT", f"{_HOOK}/endpoint", "setWebhookEndpoint", account.set_webhook),
    LineRoute("POST", f"{_HOOK}/test", "testWebhookEndpoint", account.test_webhook),
    LineRoute("POST", _MENU, "createRichMenu", richmenus.create, "richmenu_create"),
    LineRoute("POST", f"{_MENU}/validate", "validateRichMenuObject", richmenus.validate),
    LineRoute("GET", f"{_MENU}/list", "getRichMenuList", richmenus.listing),
    LineRoute("POST", f"{_MENU}/bulk/link", "linkRichMenuIdToUsers", richmenus.bulk_link),
    LineRoute("POST", f"{_MENU}/bulk/unlink", "unlinkRichMenuIdFromUsers", richmenus.bulk_unlink),
    LineRoute("GET", f"{_MENU}/{{richMenuId}}", "getRichMenu", richmenus.get),
    LineRoute(
        "DELETE", f"{_MENU}/{{richMenuId}}", "deleteRichMenu", richmenus.delete, "richmenu_create"
    ),
    LineRoute(
        "POST",
        f"{_MENU}/{{richMenuId}}/content",
        "setRichMenuImage",
        richmenus.upload_image,
        data_host=True,
    ),
    LineRoute(
        "GET",
        f"{_MENU}/{{richMenuId}}/content",
        "getRichMenuImage",
        richmenus.download_image,
        data_host=True,
    ),
    LineRoute(
        "POST",
        "/v2/bot/user/all/richmenu/{richMenuId}",
        "setDefaultRichMenu",
        richmenus.set_default,
    ),
    LineRoute("GET", "/v2/bot/user/all/richmenu", "getDefaultRichMenuId", richmenus.get_default),
    LineRoute(
        "DELETE", "/v2/bot/user/all/richmenu", "cancelDefaultRichMenu", richmenus.clear_default
    ),
    LineRoute("POST", f"{_USER_MENU}/{{richMenuId}}", "linkRichMenuIdToUser", richmenus.link_user),
    LineRoute("GET", _USER_MENU, "getRichMenuIdOfUser", richmenus.user_menu),
    LineRoute("DELETE", _USER_MENU, "unlinkRichMenuIdFromUser", richmenus.unlink_user),
    LineRoute(
        "POST",
        "/v2/bot/audienceGroup/upload",
        "createAudienceGroup",
        audiences.create,
        "audience",
        document=MANAGE_AUDIENCE,
    ),
    LineRoute(
        "PUT",
        "/v2/bot/audienceGroup/upload",
        "addAudienceToAudienceGroup",
        audiences.add,
        "audience",
        document=MANAGE_AUDIENCE,
    ),
)


class LineRouter(PatternRouter[LineRoute]):
    """The LINE API's router."""

    def __init__(self, routes: tuple[LineRoute, ...] = ROUTES) -> None:
        super().__init__(routes)
