"""What the engine says to someone about verification, in Spanish, English, Thai or Japanese.

No text ever quotes what the person wrote: a 'how to verify' reply may be public.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from jun_engine.config.schema import Config
from jun_engine.plural import Forms, choose

HOW_TO_VERIFY: Mapping[str, str] = {
    "es": (
        "Hola. Para atenderte, verifica tu cuenta una vez: ven con tu DNI a {office} y "
        "envía por DM a @{handle} el código que te daremos. Guardamos tu mensaje. "
        "Emergencias: 112."
    ),
    "en": (
        "Hello. To be served, verify your account once: bring your ID to {office} and DM "
        "@{handle} the code we give you. We keep your message. Emergencies: 112."
    ),
    "th": (
        "สวัสดีค่ะ กรุณายืนยันบัญชีหนึ่งครั้งที่ {office} แล้วส่งรหัสทาง DM ถึง @{handle} เราเก็บข้อความไว้แล้ว ฉุกเฉิน 112"
    ),
    "ja": (
        "こんにちは。ご利用にはアカウントの確認が一度必要です。本人確認書類を持って{office}へお越しいただき、"
        "お渡しするコードを@{handle}へメッセージで送ってください。メッセージは保管しています。緊急時は112へ。"
    ),
}
"""Short enough for one public reply with Jun's office text (Thai counts double on X)."""

CONFIRMED: Mapping[str, str] = {
    "es": ("Tu cuenta ya está verificada con el Ayuntamiento de {town}. Ya puedes escribirnos."),
    "en": "Your account is now verified with {town} town hall. You can write to us any time.",
    "th": "บัญชีของคุณได้รับการยืนยันกับศาลากลาง {town} แล้ว คุณสามารถส่งข้อความถึงเราได้เลย",
    "ja": "アカウントが{town}の役所で確認されました。いつでもメッセージをお送りいただけます。",
}

RELEASED: Mapping[str, Forms] = {
    "es": {
        "one": "El mensaje que nos enviaste antes ya está en camino.",
        "other": "Los {count} mensajes que nos enviaste antes ya están en camino.",
    },
    "en": {
        "one": "The message you sent us before is on its way.",
        "other": "The {count} messages you sent us before are on their way.",
    },
    "th": {"other": "ข้อความ {count} ข้อความที่คุณส่งมาก่อนหน้านี้กำลังได้รับการดำเนินการ"},
    "ja": {"other": "以前にお送りいただいた{count}件のメッセージの対応を始めました。"},
}
"""Added to the confirmation only when messages were waiting for the account to verify."""

CODE_REJECTED: Mapping[str, str] = {
    "es": (
        "Ese código no es válido: puede estar mal escrito, usado o caducado. Revísalo y "
        "envíalo de nuevo, o pide otro en {office}. Intentos que quedan: {left}."
    ),
    "en": (
        "That code is not valid: it may be mistyped, already used or expired. Check it and "
        "send it again, or ask for a new one at {office}. Attempts left: {left}."
    ),
    "th": (
        "รหัสนี้ใช้ไม่ได้ อาจพิมพ์ผิด ถูกใช้แล้ว หรือหมดอายุ กรุณาตรวจสอบแล้วส่งใหม่ "
        "หรือขอรหัสใหม่ที่ {office} จำนวนครั้งที่เหลือ: {left}"
    ),
    "ja": (
        "このコードは無効です。入力の誤り、使用済み、または期限切れの可能性があります。"
        "ご確認のうえもう一度送るか、{office}で新しいコードをお受け取りください。残り回数: {left}"
    ),
}

LOCKED_OUT: Mapping[str, str] = {
    "es": (
        "Demasiados códigos incorrectos desde esta cuenta. Por seguridad no comprobaremos "
        "otro código hasta el {until}. Si lo necesitas, pasa por {office}."
    ),
    "en": (
        "Too many wrong codes from this account. For your safety we will not check another "
        "code until {until}. If you need help, visit {office}."
    ),
    "th": (
        "มีการส่งรหัสผิดจากบัญชีนี้หลายครั้งเกินไป เพื่อความปลอดภัยเราจะไม่ตรวจสอบรหัสใหม่จนถึง {until} "
        "หากต้องการความช่วยเหลือ กรุณาติดต่อ {office}"
    ),
    "ja": (
        "このアカウントから誤ったコードが続けて送られました。安全のため、{until}まで"
        "新しいコードは確認できません。お困りの場合は{office}へお越しください。"
    ),
}

POLICE_CONTACT: Mapping[str, str] = {
    "es": (
        "Hola. Para dar un aviso a la Policía Local, contacta con {police} o acude a sus "
        "dependencias. En una emergencia, llama al 112."
    ),
    "en": (
        "Hello. To tip off the local police, contact {police} or go to the police station. "
        "In an emergency, call 112."
    ),
    "th": (
        "สวัสดีค่ะ หากต้องการแจ้งเบาะแสกับตำรวจท้องถิ่น กรุณาติดต่อ {police} หรือไปที่สถานีตำรวจ กรณีฉุกเฉินโทร 112"
    ),
    "ja": (
        "こんにちは。地元の警察への情報提供は、{police}へご連絡いただくか、警察署へお越しください。"
        "緊急時は112へお電話ください。"
    ),
}
"""For a police report or tip from someone not verified, where police reports need it: where to
go instead. Public when it answers a mention, so it never says what was reported."""

FALLBACK_POLICE: Mapping[str, str] = {
    "es": "la Policía Local",
    "en": "the local police",
    "th": "ตำรวจท้องถิ่น",
    "ja": "地元の警察",
}

FALLBACK_OFFICE: Mapping[str, str] = {
    "es": "el Ayuntamiento",
    "en": "the town hall",
    "th": "ศาลากลาง",
    "ja": "役所",
}

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_WORDS = re.compile(r"[a-záéíóúüñ¿¡]+")
_SPANISH = frozenset(
    re.findall(
        r"\S+",
        "el la los las de del que y en un una por para con no es está hay mi calle farola "
        "gracias hola buenos buenas ayuntamiento cuándo dónde cómo qué favor señor",
    )
)
_ENGLISH = frozenset(
    re.findall(
        r"\S+",
        "the a an of to and in is it my on for with not there street light thanks thank you "
        "hello hi please when where how what town hall",
    )
)


def guess_language(text: str, config: Config) -> str:
    """The language of a short message among the town's languages: Thai and Japanese by their
    script, Spanish or English by common words and marks, else the town's default language."""
    languages = config.town.languages
    default = config.town.default_language
    if "th" in languages and _THAI.search(text):
        return "th"
    if "ja" in languages and _JAPANESE.search(text):
        return "ja"
    words = _WORDS.findall(text.lower())
    spanish = sum(word in _SPANISH for word in words) + len(re.findall(r"[ñ¿¡áéíóú]", text))
    english = sum(word in _ENGLISH for word in words)
    if english > spanish and "en" in languages:
        return "en"
    if spanish > english and "es" in languages:
        return "es"
    return default


def how_to_verify(config: Config, language: str) -> str:
    """The 'how to verify' answer: where to go, and which account to DM the code to."""
    return _pick(HOW_TO_VERIFY, language).format(
        office=office(config, language), handle=config.town_account().handle
    )


def confirmed(config: Config, language: str, released: int = 0) -> str:
    """The DM that tells a resident their account is verified, and, when `released` messages
    were waiting for it, that they are on their way (never when there were none)."""
    text = _pick(CONFIRMED, language).format(town=config.town.name)
    if released <= 0:
        return text
    chosen = language if language in RELEASED else "es"
    return f"{text} {choose(RELEASED[chosen], chosen, released).format(count=released)}"


def code_rejected(config: Config, language: str, attempts_left: int) -> str:
    """The DM answering a wrong, used or expired code."""
    return _pick(CODE_REJECTED, language).format(
        office=office(config, language), left=attempts_left
    )


def locked_out(config: Config, language: str, until: datetime) -> str:
    """The DM answering a code from an account that is locked out."""
    local = until.astimezone(ZoneInfo(config.town.timezone))
    return _pick(LOCKED_OUT, language).format(
        office=office(config, language), until=f"{local:%d/%m/%Y %H:%M}"
    )


def police_contact(config: Config, language: str) -> str:
    """How to reach the police without the engine: the police department's account (the
    department keyed `police` in accounts.yaml, if the town has one), a station, 112."""
    department = config.departments.get("police")
    account = config.accounts.get(department.account) if department else None
    police = f"@{account.handle}" if account else _pick(FALLBACK_POLICE, language)
    return _pick(POLICE_CONTACT, language).format(police=police)


def office(config: Config, language: str) -> str:
    """Where residents verify, in `language` if accounts.yaml says it in that language."""
    offices = config.town.verification_office
    for candidate in (language, config.town.default_language, *offices):
        if candidate in offices:
            return offices[candidate]
    return _pick(FALLBACK_OFFICE, language)


def _pick(table: Mapping[str, str], language: str, order: Sequence[str] = ("es", "en")) -> str:
    if language in table:
        return table[language]
    return next(table[fallback] for fallback in order if fallback in table)
