"""Everything the case desk says, in Spanish, English and Thai, from one table.

Public texts are built only from these templates, the town's configured names and handles, the
case reference and the resident's handle: never from anything the resident wrote. `say` picks
the language asked for, else the town's default, else Spanish.
"""

# ruff: noqa: E501  (a table of sentences reads best one sentence a line)

from __future__ import annotations

import re
from collections.abc import Mapping

from jun_engine.config.schema import Config

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- to residents, public ---
    "ack_public": {
        "es": "Hemos registrado tu aviso con la referencia {reference}. Lo lleva {department} ({handle}).",
        "en": "We have logged your request as {reference}. {department} ({handle}) is handling it.",
        "th": "เราได้รับเรื่องของคุณแล้ว เลขที่ {reference} ผู้รับผิดชอบคือ {department} ({handle})",
    },
    "ack_moved_to_dm": {
        "es": "Te hemos enviado un mensaje directo sobre tu consulta ({reference}).",
        "en": "We have sent you a direct message about your request ({reference}).",
        "th": "เราได้ส่งข้อความส่วนตัวถึงคุณเกี่ยวกับเรื่องของคุณแล้ว ({reference})",
    },
    "ack_forwarded": {
        "es": "Gracias por avisar ({reference}). Esto lo resuelve {body} ({body_handle}); lo hemos anotado y {department} lo sigue.",
        "en": "Thanks for letting us know ({reference}). {body} ({body_handle}) fixes this; we have noted it and {department} is following it.",
        "th": "ขอบคุณที่แจ้ง ({reference}) เรื่องนี้อยู่ในความรับผิดชอบของ {body} ({body_handle}) เราบันทึกไว้แล้วและ {department} กำลังติดตาม",
    },
    "credited_answer": {
        "es": "{department} ({handle}) responde a {reference}: {answer}",
        "en": "{department} ({handle}) answers {reference}: {answer}",
        "th": "{department} ({handle}) ตอบเรื่อง {reference}: {answer}",
    },
    # --- to residents, by DM ---
    "ack_dm": {
        "es": "Hemos recibido tu mensaje. Referencia: {reference}. Lo lleva {department} y te responderemos por aquí.",
        "en": "We have received your message. Reference: {reference}. {department} is handling it and will answer here.",
        "th": "เราได้รับข้อความของคุณแล้ว เลขที่อ้างอิง {reference} {department} จะดูแลและตอบกลับทางนี้",
    },
    "dm_answer": {
        "es": "{department} sobre {reference}: {answer}",
        "en": "{department} on {reference}: {answer}",
        "th": "{department} เรื่อง {reference}: {answer}",
    },
    "resolved_dm": {
        "es": "Hemos dado por resuelta tu consulta {reference}.",
        "en": "Your request {reference} is now resolved.",
        "th": "เรื่อง {reference} ของคุณได้รับการแก้ไขแล้ว",
    },
    "merged_dm": {
        "es": "Tu consulta {reference} se tramita junto con {into}, que trata lo mismo.",
        "en": "Your request {reference} is handled together with {into}, which is about the same thing.",
        "th": "เรื่อง {reference} ของคุณจะดำเนินการร่วมกับ {into} ซึ่งเป็นเรื่องเดียวกัน",
    },
    "survey": {
        "es": "¿Qué tal te hemos atendido con {reference}? Responde con un número del 1 (mal) al 5 (muy bien).",
        "en": "How did we do with {reference}? Reply with a number from 1 (poor) to 5 (very good).",
        "th": "คุณพอใจกับการบริการเรื่อง {reference} แค่ไหน ตอบเป็นตัวเลข 1 (ไม่พอใจ) ถึง 5 (พอใจมาก)",
    },
    "survey_thanks": {
        "es": "¡Gracias por tu valoración ({rating}/5)!",
        "en": "Thank you for your rating ({rating}/5)!",
        "th": "ขอบคุณสำหรับคะแนน ({rating}/5)",
    },
    # --- to departments and leads, by DM ---
    "notify_public": {
        "es": "Nuevo caso {reference} · {category} · {urgency}\nDe @{author}: «{summary}»\n{link}",
        "en": "New case {reference} · {category} · {urgency}\nFrom @{author}: “{summary}”\n{link}",
        "th": "เรื่องใหม่ {reference} · {category} · {urgency}\nจาก @{author}: “{summary}”\n{link}",
    },
    "notify_private": {
        "es": "Nuevo caso privado {reference} · {category} · {urgency}\nLéelo con: jun-engine cases show {reference}",
        "en": "New private case {reference} · {category} · {urgency}\nRead it with: jun-engine cases show {reference}",
        "th": "เรื่องส่วนตัวใหม่ {reference} · {category} · {urgency}\nอ่านด้วย: jun-engine cases show {reference}",
    },
    "digest_head": {
        "es": "{department}: {count} casos abiertos ({overdue} fuera de plazo)",
        "en": "{department}: {count} open cases ({overdue} overdue)",
        "th": "{department}: เรื่องค้าง {count} เรื่อง (เกินกำหนด {overdue})",
    },
    "digest_line": {
        "es": "{reference} · {category} · {status} · vence {due}{late}",
        "en": "{reference} · {category} · {status} · due {due}{late}",
        "th": "{reference} · {category} · {status} · กำหนด {due}{late}",
    },
    "late_mark": {"es": " ⚠ fuera de plazo", "en": " ⚠ overdue", "th": " ⚠ เกินกำหนด"},
    "escalation": {
        "es": "Caso fuera de plazo: {reference} ({department}, {category}). Objetivo incumplido: {target}, vencía {due}.",
        "en": "Overdue case: {reference} ({department}, {category}). Missed target: {target}, due {due}.",
        "th": "เรื่องเกินกำหนด: {reference} ({department}, {category}) เป้าหมายที่พลาด: {target} กำหนด {due}",
    },
    # --- to staff, by DM ---
    "staff_done": {
        "es": "Hecho: {what} ({reference}).",
        "en": "Done: {what} ({reference}).",
        "th": "เรียบร้อย: {what} ({reference})",
    },
    "staff_unknown_reference": {
        "es": "No existe ningún caso {reference}. Revisa la referencia (p. ej. {example}).",
        "en": "There is no case {reference}. Check the reference (e.g. {example}).",
        "th": "ไม่มีเรื่อง {reference} โปรดตรวจสอบเลขที่ (เช่น {example})",
    },
    "staff_not_yours": {
        "es": "El caso {reference} es de {department}; esta cuenta no puede tocarlo.",
        "en": "Case {reference} belongs to {department}; this account cannot act on it.",
        "th": "เรื่อง {reference} เป็นของ {department} บัญชีนี้ไม่มีสิทธิ์",
    },
    "staff_invalid": {
        "es": "No he entendido la orden: {problem}. Escribe «ayuda» para ver las órdenes.",
        "en": "I did not understand that: {problem}. Send “help” for the commands.",
        "th": "ไม่เข้าใจคำสั่ง: {problem} ส่ง “help” เพื่อดูคำสั่ง",
    },
    "staff_help": {
        "es": (
            "Órdenes (por DM a esta cuenta):\n"
            "{example} <texto> — responder al vecino\n"
            "resolver {example} [texto] — dar por resuelto\n"
            "nota {example} <texto> — nota interna\n"
            "reasignar {example} <departamento> [categoría]\n"
            "fusionar {example} en <referencia>\n"
            "ayuda — esta lista\nDepartamentos: {departments}"
        ),
        "en": (
            "Commands (by DM to this account):\n"
            "{example} <text> — answer the resident\n"
            "resolve {example} [text] — mark resolved\n"
            "note {example} <text> — internal note\n"
            "reroute {example} <department> [category]\n"
            "merge {example} into <reference>\n"
            "help — this list\nDepartments: {departments}"
        ),
        "th": (
            "คำสั่ง (ส่ง DM ถึงบัญชีนี้):\n"
            "{example} <ข้อความ> — ตอบผู้แจ้ง\n"
            "resolve {example} [ข้อความ] — ปิดเรื่องว่าแก้ไขแล้ว\n"
            "note {example} <ข้อความ> — บันทึกภายใน\n"
            "reroute {example} <แผนก> [หมวด]\n"
            "merge {example} into <เลขที่>\n"
            "help — รายการนี้\nแผนก: {departments}"
        ),
    },
}  # fmt: skip

FIELD = re.compile(r"{(\w+)}")


def say(config: Config, key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (else the town's default, else Spanish), filled in."""
    table = TEXTS[key]
    template = table.get(language) or table.get(config.town.default_language) or table["es"]
    return template.format(**values)


def fields_of(key: str) -> frozenset[str]:
    """The placeholders a text takes (the same in every language)."""
    return frozenset(FIELD.findall(TEXTS[key]["es"]))


def localized(names: Mapping[str, str], language: str, config: Config) -> str:
    """A configured name in `language`, else the town's default language, else any."""
    return (
        names.get(language)
        or names.get(config.town.default_language)
        or next(iter(names.values()), "")
    )
