"""The official LINE SDK drives every endpoint the emulator serves, on both hosts (api and
api-data); the fixture validates every response against LINE's OpenAPI files."""

from __future__ import annotations

import uuid

import pytest
from linebot.v3.audience import (
    AddAudienceToAudienceGroupRequest,
    Audience,
    CreateAudienceGroupRequest,
    ManageAudience,
)
from linebot.v3.audience import ApiClient as AudienceClient
from linebot.v3.audience import Configuration as AudienceConfiguration
from linebot.v3.messaging import (
    ApiException,
    AudienceRecipient,
    BroadcastRequest,
    MulticastRequest,
    NarrowcastRequest,
    PostbackAction,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest,
    RichMenuRequest,
    RichMenuSize,
    SetWebhookEndpointRequest,
    ShowLoadingAnimationRequest,
    StickerMessage,
    TextMessage,
    ValidateMessageRequest,
)
from linebot.v3.messaging import (
    TestWebhookEndpointRequest as WebhookTestRequest,
)

from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.images import png
from jun_engine.emulator.line.testing import WebhookInbox
from tests.emulator.line.clients import admin, blob, friend, messaging, received

TEXT = [TextMessage(text="道路の陥没を受け付けました。")]


def test_push_multicast_broadcast_reach_friends_and_count_quota(
    line_emulator: LineEmulator,
) -> None:
    api = messaging(line_emulator)
    users = [friend(line_emulator, f"住民 {n}") for n in range(3)]
    pushed = api.push_message_with_http_info(
        PushMessageRequest(to=users[0], messages=TEXT), x_line_retry_key=str(uuid.uuid4())
    )
    assert pushed.status_code == 200
    assert pushed.headers["x-line-request-id"]
    assert pushed.data.sent_messages[0].quote_token
    api.multicast(
        MulticastRequest(to=users, messages=[StickerMessage(packageId="446", stickerId="1988")])
    )
    api.broadcast(BroadcastRequest(messages=TEXT))
    assert [len(received(line_emulator, u)) for u in users] == [3, 2, 2]
    assert received(line_emulator, users[1])[0]["message"]["type"] == "sticker"
    assert api.get_message_quota_consumption().total_usage == 1 + 3 + 3


def test_reply_answers_a_residents_message_for_free(line_emulator: LineEmulator) -> None:
    api = messaging(line_emulator)
    user = friend(line_emulator)
    event = admin(line_emulator, "POST", f"users/{user}/text", {"text": "ごみが放置されています"})
    response = api.reply_message(ReplyMessageRequest(replyToken=event["replyToken"], messages=TEXT))
    assert len(response.sent_messages) == 1
    assert received(line_emulator, user)[0]["via"] == "reply"
    assert api.get_message_quota_consumption().total_usage == 0


def test_narrowcast_to_an_audience_and_its_progress(line_emulator: LineEmulator) -> None:
    api = messaging(line_emulator)
    users = [friend(line_emulator, f"市民 {n}", age=30 + n % 40) for n in range(50)]
    audience = ManageAudience(
        AudienceClient(
            AudienceConfiguration(
                host=line_emulator.base_url,
                access_token=line_emulator.state.channel.access_token,
            )
        )
    )
    group = audience.create_audience_group(
        CreateAudienceGroupRequest(
            description="東区の住民", audiences=[Audience(id=u) for u in users[:40]]
        )
    )
    audience.add_audience_to_audience_group(
        AddAudienceToAudienceGroupRequest(
            audienceGroupId=group.audience_group_id, audiences=[Audience(id=u) for u in users[40:]]
        )
    )
    accepted = api.narrowcast_with_http_info(
        NarrowcastRequest(
            messages=TEXT, recipient=AudienceRecipient(audienceGroupId=group.audience_group_id)
        )
    )
    assert accepted.status_code == 202
    request_id = accepted.headers["x-line-request-id"]
    assert api.get_narrowcast_progress(request_id=request_id).phase == "waiting"
    line_emulator.step(1)
    assert api.get_narrowcast_progress(request_id=request_id).phase == "sending"
    line_emulator.step(1)
    done = api.get_narrowcast_progress(request_id=request_id)
    assert (done.phase, done.success_count, done.target_count) == ("succeeded", 50, 50)
    assert all(len(received(line_emulator, u)) == 1 for u in users)


def test_profile_content_loading_and_validate(line_emulator: LineEmulator) -> None:
    api = messaging(line_emulator)
    user = friend(line_emulator, "สมชาย ใจดี", language="th", statusMessage="หาดใหญ่")
    profile = api.get_profile(user)
    assert (profile.display_name, profile.language, profile.status_message) == (
        "สมชาย ใจดี",
        "th",
        "หาดใหญ่",
    )
    photo = admin(line_emulator, "POST", f"users/{user}/image", {})
    data = blob(line_emulator).get_message_content(photo["messageId"])
    assert bytes(data).startswith(b"\x89PNG")
    api.show_loading_animation(ShowLoadingAnimationRequest(chatId=user, loadingSeconds=10))
    checked = ValidateMessageRequest(messages=TEXT)
    for validate in (
        api.validate_reply,
        api.validate_push,
        api.validate_multicast,
        api.validate_narrowcast,
        api.validate_broadcast,
    ):
        validate(checked)
    assert received(line_emulator, user) == []
    quota = api.get_message_quota()
    assert (quota.type, quota.value) == ("limited", 200)


def test_rich_menu_life_on_both_hosts(line_emulator: LineEmulator) -> None:
    api = messaging(line_emulator)
    users = [friend(line_emulator, f"利用者 {n}") for n in range(3)]
    menu = RichMenuRequest(
        size=RichMenuSize(width=800, height=270),
        selected=True,
        name="home",
        chatBarText="メニュー",
        areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=0, y=0, width=400, height=270),
                action=PostbackAction(data="action=report"),
            )
        ],
    )
    api.validate_rich_menu_object(menu)
    menu_id = api.create_rich_menu(menu).rich_menu_id
    with pytest.raises(ApiException) as no_image:
        api.set_default_rich_menu(menu_id)
    assert no_image.value.status == 400
    image = png(800, 270, seed=1)
    blob(line_emulator).set_rich_menu_image(menu_id, image, _headers={"Content-Type": "image/png"})
    assert bytes(blob(line_emulator).get_rich_menu_image(menu_id)) == image
    api.set_default_rich_menu(menu_id)
    assert api.get_default_rich_menu_id().rich_menu_id == menu_id
    api.link_rich_menu_id_to_user(users[0], menu_id)
    assert api.get_rich_menu_id_of_user(users[0]).rich_menu_id == menu_id
    api.unlink_rich_menu_id_from_user(users[0])
    api.link_rich_menu_id_to_users(RichMenuBulkLinkRequest(richMenuId=menu_id, userIds=users[1:]))
    assert api.get_rich_menu_id_of_user(users[2]).rich_menu_id == menu_id
    api.unlink_rich_menu_id_from_users(RichMenuBulkUnlinkRequest(userIds=users[1:]))
    assert api.get_rich_menu(menu_id).chat_bar_text == "メニュー"
    assert [m.rich_menu_id for m in api.get_rich_menu_list().richmenus] == [menu_id]
    api.cancel_default_rich_menu()
    api.delete_rich_menu(menu_id)
    with pytest.raises(ApiException) as gone:
        api.get_rich_menu(menu_id)
    assert gone.value.status == 404


def test_webhook_endpoint_set_read_and_tested_with_an_empty_events_list(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    api = messaging(line_emulator)
    api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=line_webhook_inbox.url))
    assert api.get_webhook_endpoint().endpoint == line_webhook_inbox.url
    result = api.test_webhook_endpoint(WebhookTestRequest(endpoint=line_webhook_inbox.url))
    assert (result.success, result.status_code) == (True, 200)
    assert line_webhook_inbox.received[-1].body.endswith(b'"events":[]}')
