"""Follow and unfollow on LINE: a welcome saying how to link to the town's register, and which
users the engine may no longer push to.

Both happen in the webhook's transaction, with the events stored. A follow is handled once: its
reply token row (keyed by the event id) is the record, and the welcome's outbox key is the event
id too. The welcome is a REPLY to the follow event (the delivery finds its reply token: free while
fresh). A follow clears `unreachable_since` of the user's bound identity; an unfollow sets it,
unless something newer from the user was already stored (a redelivered, older unfollow cannot
block a user who came back).

Reachability is one flag per LINE identity, not per official account: a follow on any of the
town's accounts clears it, and an unfollow sets it unless the user followed or wrote to any of
them after it. LINE user ids are per provider, so only accounts under one provider share an
identity; the shipped town runs one account. A user who blocks one account and keeps another is
pushed nothing until they follow again: never a push to someone who said stop
(docs/residents.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from jun_engine.channels.line.events import Follow, Unfollow
from jun_engine.config.schema import Config, LineAccount
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.residents.texts import office
from jun_engine.store.tables import LineReplyTokenRow, ResidentIdentityRow

WELCOME: Mapping[str, str] = {
    "es": (
        "¡Hola! Este es el canal oficial del Ayuntamiento de {town} en LINE. Para que te "
        "atendamos, vincula tu LINE al registro municipal una vez: ven con tu documento de "
        "identidad a {office}, te daremos un código de un solo uso; envíalo aquí, en este chat. "
        "Emergencias: 112."
    ),
    "en": (
        "Hello! This is {town} town hall's official LINE account. To be served, link your LINE "
        "to the town's register once: bring your ID to {office}, where you get a one-time code, "
        "and send that code here in this chat. Emergencies: 112."
    ),
    "th": (
        "สวัสดีค่ะ นี่คือบัญชี LINE ทางการของศาลากลาง {town} "
        "เพื่อรับบริการ กรุณาเชื่อม LINE ของคุณกับทะเบียนของเมืองหนึ่งครั้ง: "
        "นำบัตรประชาชนไปที่ {office} เพื่อรับรหัสใช้ครั้งเดียว แล้วส่งรหัสนั้นในแชทนี้ ฉุกเฉินโทร 112"
    ),
    "ja": (
        "友だち追加ありがとうございます。{town}役所の公式LINEです。ご利用には、LINEを住民登録と"
        "一度だけ連携してください。本人確認書類を持って{office}へお越しいただき、受け取った"
        "ワンタイムコードをこのトークに送ってください。緊急時は112へ。"
    ),
}
"""The welcome to someone not yet linked: how the one-time code flow works on LINE."""

WELCOME_BACK: Mapping[str, str] = {
    "es": "¡Hola de nuevo! Tu LINE sigue vinculado al registro de {town}. Escríbenos aquí.",
    "en": "Welcome back! Your LINE is still linked to {town}'s register. Write to us here.",
    "th": "ยินดีต้อนรับกลับค่ะ LINE ของคุณยังเชื่อมกับทะเบียนของ {town} อยู่ ส่งข้อความถึงเราได้ที่นี่",
    "ja": "おかえりなさい。LINEは{town}の住民登録と連携済みです。このトークでご連絡ください。",
}
"""The welcome to a resident whose LINE identity is still bound (they unblocked the account)."""

OFFICE: Mapping[str, str] = {"ja": "役所の窓口"}
"""Where to verify, for a language accounts.yaml does not describe the office in."""


def welcome_text(config: Config, account: LineAccount, *, linked: bool) -> str:
    """The welcome in the account's language (else the town's; English if it has none)."""
    language = account.language or config.town.default_language
    table = WELCOME_BACK if linked else WELCOME
    chosen = language if language in table else "en"
    where = config.town.verification_office.get(chosen) or OFFICE.get(chosen)
    return table[chosen].format(town=config.town.name, office=where or office(config, chosen))


def on_follow(session: Session, config: Config, account: LineAccount, event: Follow) -> None:
    """The user is reachable again; queue the welcome as a reply to the follow event."""
    identity = _identity(session, event.user_id)
    if identity is not None and (
        identity.unreachable_since is None or identity.unreachable_since <= event.at
    ):
        identity.unreachable_since = None
        session.add(identity)
    enqueue(
        session,
        key=f"line-welcome:{event.event_id}",
        account_id=account.bot_user_id,
        kind=OutboxKind.REPLY,
        target=event.event_id,
        text=welcome_text(config, account, linked=identity is not None),
        priority=Priority.ACK,
        private=True,  # a LINE reply is a message in the resident's own chat
        channel=Channel.LINE,
    )


def on_unfollow(session: Session, event: Unfollow) -> None:
    """Nothing may be pushed to the user from now on, unless they have come back since."""
    identity = _identity(session, event.user_id)
    if identity is None or _heard_since(session, event):
        return
    if identity.unreachable_since is None or identity.unreachable_since < event.at:
        identity.unreachable_since = event.at
        session.add(identity)


def _heard_since(session: Session, event: Unfollow) -> bool:
    """Whether the user followed or wrote after `event`, on any of the town's accounts (every
    such event brought a token)."""
    statement = select(LineReplyTokenRow.id).where(
        LineReplyTokenRow.user_id == event.user_id,
        col(LineReplyTokenRow.received_at) > event.at,
    )
    return session.exec(statement).first() is not None


def _identity(session: Session, user_id: str) -> ResidentIdentityRow | None:
    statement = select(ResidentIdentityRow).where(
        ResidentIdentityRow.channel == Channel.LINE, ResidentIdentityRow.user_id == user_id
    )
    return session.exec(statement).first()
