"""Everything self-service says to residents, in Spanish, English and Thai: one table of texts.

`say(key, language, **values)` fills a text in; a language the table lacks falls back to Spanish.
A text that holds a count has one form per CLDR plural category (`jun_engine.plural`), chosen by
its `count` value (or the value `COUNTED_BY` names).
Nothing here names a resident or repeats what they wrote: texts that go out as public replies
(`sent_dm`, menus, hours, rubbish days, council meetings, verification, help) hold nothing
personal.
"""

from __future__ import annotations

from collections.abc import Mapping

from jun_engine.plural import Forms, choose

FALLBACK = "es"

TEXTS: Mapping[str, Mapping[str, str | Forms]] = {
    "offers": {
        "es": "Próximas citas libres en {department}:\n{options}\n"
              "Responde con el número de la que prefieras, o «cancelar».",
        "en": "Next free appointments at the {department}:\n{options}\n"
              "Reply with the number of the one you want, or \"cancel\".",
        "th": "นัดว่างถัดไปที่{department}:\n{options}\nตอบกลับด้วยหมายเลขที่ต้องการ หรือพิมพ์ \"ยกเลิก\"",
    },
    "move_offers": {
        "es": "Tu cita {reference} es el {when}. Puedes cambiarla a:\n{options}\n"
              "Responde con el número, o «cancelar» para dejarla como está.",
        "en": "Your appointment {reference} is on {when}. You can move it to:\n{options}\n"
              "Reply with the number, or \"cancel\" to keep it as it is.",
        "th": "นัด {reference} ของคุณคือ{when} เลื่อนไปได้ที่:\n{options}\n"
              "ตอบกลับด้วยหมายเลข หรือพิมพ์ \"ยกเลิก\" เพื่อคงนัดเดิม",
    },
    "taken": {
        "es": "Lo sentimos, esa hora se acaba de ocupar. ",
        "en": "Sorry, that slot was just taken. ",
        "th": "ขออภัย เวลานั้นเพิ่งมีคนจองไป ",
    },
    "no_slots": {
        "es": {"one": "Lo sentimos, no quedan citas libres en {department} en el próximo día. "
                      "Vuelve a escribirnos en unos días.",
               "other": "Lo sentimos, no quedan citas libres en {department} en los próximos "
                        "{days} días. Vuelve a escribirnos en unos días."},
        "en": {"one": "Sorry, there are no free appointments at the {department} in the next day. "
                      "Please write to us again in a few days.",
               "other": "Sorry, there are no free appointments at the {department} in the next "
                        "{days} days. Please write to us again in a few days."},
        "th": {"other": "ขออภัย ไม่มีนัดว่างที่{department}ใน {days} วันข้างหน้า "
                        "กรุณาติดต่อใหม่ในอีกไม่กี่วัน"},
    },
    "booked": {
        "es": "Cita confirmada en {department}: {when}. Referencia: {reference}. "
              "Para cambiarla escribe «cambiar cita»; para anularla, «cancelar cita».",
        "en": "Appointment confirmed at the {department}: {when}. Reference: {reference}. "
              "To move it write \"change my appointment\"; "
              "to cancel it, \"cancel my appointment\".",
        "th": "ยืนยันนัดที่{department}: {when} หมายเลขอ้างอิง: {reference} "
              "ต้องการเลื่อนพิมพ์ \"เลื่อนนัด\" ต้องการยกเลิกพิมพ์ \"ยกเลิกนัด\"",
    },
    "moved": {
        "es": "Cita cambiada. {department}: {when}. Referencia: {reference}.",
        "en": "Appointment moved. {department}: {when}. Reference: {reference}.",
        "th": "เลื่อนนัดแล้ว {department}: {when} หมายเลขอ้างอิง: {reference}",
    },
    "cancelled": {
        "es": "Cita {reference} del {when} cancelada. Gracias por avisar.",
        "en": "Appointment {reference} on {when} is cancelled. Thank you for letting us know.",
        "th": "ยกเลิกนัด {reference} {when} แล้ว ขอบคุณที่แจ้งให้ทราบ",
    },
    "cancelled_by_staff": {
        "es": "Tu cita {reference} del {when} en {department} ha sido cancelada. "
              "Escríbenos «quiero cita» para pedir otra.",
        "en": "Your appointment {reference} on {when} at the {department} has been cancelled. "
              "Write \"I need an appointment\" to book another.",
        "th": "นัด {reference} {when} ที่{department}ถูกยกเลิกแล้ว พิมพ์ \"ขอนัด\" เพื่อจองใหม่",
    },
    "no_appointment": {
        "es": "No tienes ninguna cita pendiente.",
        "en": "You have no upcoming appointment.",
        "th": "คุณไม่มีนัดที่กำลังจะถึง",
    },
    "which_appointment": {
        "es": "Tienes varias citas: {items}. Escríbenos de nuevo con la referencia de la que "
              "quieres cambiar o anular.",
        "en": "You have several appointments: {items}. Write again with the reference of the "
              "one to move or cancel.",
        "th": "คุณมีหลายนัด: {items} กรุณาส่งหมายเลขอ้างอิงของนัดที่ต้องการเลื่อนหรือยกเลิก",
    },
    "limit_reached": {
        "es": {"one": "Ya tienes una cita pendiente, el máximo: {items}. "
                      "Para cambiarla escribe «cambiar cita»; para anularla, «cancelar cita».",
               "other": "Ya tienes {count} citas pendientes, el máximo: {items}. "
                        "Para cambiar una escribe «cambiar cita»; para anularla, «cancelar cita»."},
        "en": {"one": "You already have an upcoming appointment, the most allowed: {items}. "
                      "To move it write \"change my appointment\"; "
                      "to cancel it, \"cancel my appointment\".",
               "other": "You already have {count} upcoming appointments, the most allowed: "
                        "{items}. To move one write \"change my appointment\"; "
                        "to cancel one, \"cancel my appointment\"."},
        "th": {"other": "คุณมีนัด {count} นัดแล้ว ซึ่งเป็นจำนวนสูงสุด: {items} "
                        "ต้องการเลื่อนพิมพ์ \"เลื่อนนัด\" ต้องการยกเลิกพิมพ์ \"ยกเลิกนัด\""},
    },
    "not_understood": {
        "es": "No he entendido tu elección. Responde con un número del 1 al {count}, o «cancelar».",
        "en": "I did not understand your choice. Reply with a number from 1 to {count}, "
              "or \"cancel\".",
        "th": "ไม่เข้าใจตัวเลือกของคุณ กรุณาตอบด้วยหมายเลข 1 ถึง {count} หรือพิมพ์ \"ยกเลิก\"",
    },
    "dialogue_dropped": {
        "es": "De acuerdo, no cambio nada.",
        "en": "All right, nothing has been changed.",
        "th": "ได้ค่ะ ไม่มีการเปลี่ยนแปลงใด ๆ",
    },
    "sent_dm": {
        "es": "Te hemos escrito por mensaje directo.",
        "en": "We have sent you a direct message.",
        "th": "เราได้ส่งข้อความส่วนตัวถึงคุณแล้ว",
    },
    "reminder": {
        "es": "Recordatorio: mañana tienes cita en {department}, {when}. Referencia: {reference}. "
              "Si no puedes ir, escribe «cancelar cita».",
        "en": "Reminder: you have an appointment at the {department} tomorrow, {when}. "
              "Reference: {reference}. If you cannot come, write \"cancel my appointment\".",
        "th": "แจ้งเตือน: พรุ่งนี้คุณมีนัดที่{department} {when} หมายเลขอ้างอิง: {reference} "
              "หากมาไม่ได้ พิมพ์ \"ยกเลิกนัด\"",
    },
    "menu": {
        "es": "Menú de {school}, {day}: {dishes}.{allergens}",
        "en": "{school} lunch menu, {day}: {dishes}.{allergens}",
        "th": "เมนูอาหารกลางวัน {school} {day}: {dishes}{allergens}",
    },
    "menu_allergens": {
        "es": " Alérgenos: {allergens}.",
        "en": " Allergens: {allergens}.",
        "th": " สารก่อภูมิแพ้: {allergens}",
    },
    "menu_closed": {
        "es": "{day} no hay comedor en {school}: {reason}.",
        "en": "There is no school lunch at {school} {day}: {reason}.",
        "th": "{day} ไม่มีอาหารกลางวันที่ {school}: {reason}",
    },
    "menu_missing": {
        "es": "Aún no tenemos el menú de {school} para el {day}.",
        "en": "We do not have the {school} menu for {day} yet.",
        "th": "ยังไม่มีเมนูของ {school} สำหรับ{day}",
    },
    "reason_weekend": {"es": "no es día lectivo", "en": "it is not a school day",
                       "th": "ไม่ใช่วันเรียน"},
    "reason_holiday": {"es": "es festivo", "en": "it is a holiday", "th": "เป็นวันหยุด"},
    "today": {"es": "hoy", "en": "today", "th": "วันนี้"},
    "tomorrow": {"es": "mañana", "en": "tomorrow", "th": "พรุ่งนี้"},
    "hours": {
        "es": "Horario de {department}: {hours}.",
        "en": "{department} opening hours: {hours}.",
        "th": "เวลาทำการของ{department}: {hours}",
    },
    "hours_closed_today": {
        "es": " Hoy está cerrado (festivo).",
        "en": " It is closed today (holiday).",
        "th": " วันนี้ปิด (วันหยุด)",
    },
    "closed_always": {"es": "sin horario de atención", "en": "no opening hours",
                      "th": "ไม่มีเวลาทำการ"},
    "rubbish_district": {
        "es": "Recogida de basura en {district}: {days}. {today}",
        "en": "Rubbish collection in {district}: {days}. {today}",
        "th": "วันเก็บขยะที่ {district}: {days} {today}",
    },
    "rubbish_today_yes": {"es": "Hoy hay recogida.", "en": "There is a collection today.",
                          "th": "วันนี้มีเก็บขยะ"},
    "rubbish_today_no": {
        "es": "Hoy no hay recogida; la próxima es el {next}.",
        "en": "There is no collection today; the next one is on {next}.",
        "th": "วันนี้ไม่มีเก็บขยะ ครั้งต่อไปคือ{next}",
    },
    "rubbish_never": {"es": "Hoy no hay recogida.", "en": "There is no collection today.",
                      "th": "วันนี้ไม่มีเก็บขยะ"},
    "rubbish_all": {
        "es": "Días de recogida de basura:\n{lines}",
        "en": "Rubbish collection days:\n{lines}",
        "th": "วันเก็บขยะ:\n{lines}",
    },
    "council_next": {
        "es": "El próximo pleno municipal es el {when}.{place}",
        "en": "The next council meeting is on {when}.{place}",
        "th": "การประชุมสภาครั้งต่อไปคือ{when}{place}",
    },
    "council_none": {
        "es": "Aún no hay fecha para el próximo pleno; la anunciaremos en esta cuenta.",
        "en": "There is no date for the next council meeting yet; we will announce it here.",
        "th": "ยังไม่มีกำหนดการประชุมสภาครั้งต่อไป เราจะประกาศที่บัญชีนี้",
    },
    "verify": {
        "es": "Para que te atendamos por aquí, verifica tu cuenta una vez: pide tu código en "
              "persona ({office}) y envíanoslo por mensaje directo.",
        "en": "To be served here, verify your account once: get your code in person ({office}) "
              "and send it to us by direct message.",
        "th": "เพื่อรับบริการที่นี่ กรุณายืนยันบัญชีหนึ่งครั้ง: รับรหัสด้วยตนเองที่ ({office}) "
              "แล้วส่งรหัสถึงเราทางข้อความส่วนตัว",
    },
    "verify_office_unknown": {"es": "en el Ayuntamiento", "en": "at the town hall",
                              "th": "ที่ศาลากลาง"},
    "help": {
        "es": "Cómo usar {town} por aquí:\n"
              "1. Avisos (una farola, un bache): menciónanos con lo que pasa y dónde.\n"
              "2. Temas personales y citas: por mensaje directo. «quiero cita con el médico».\n"
              "3. Pregunta al momento: «menú de hoy», «horario del consultorio», "
              "«¿qué días recogen la basura?», «¿cuándo es el pleno?».\n"
              "4. Tu cita: «cambiar cita» o «cancelar cita».\n"
              "Te contestamos con una referencia para seguir tu caso.",
        "en": "How to use {town} here:\n"
              "1. Report something (a streetlight, a pothole): mention us with what and where.\n"
              "2. Personal matters and appointments: by direct message, "
              "e.g. \"I need a doctor's appointment\".\n"
              "3. Quick answers: \"today's menu\", \"health centre opening hours\", "
              "\"which days is rubbish collected?\", \"when is the council meeting?\".\n"
              "4. Your appointment: \"change my appointment\" or \"cancel my appointment\".\n"
              "We reply with a reference to follow your case.",
        "th": "วิธีใช้บริการ {town} ที่นี่:\n"
              "1. แจ้งปัญหา (ไฟถนน หลุมบนถนน): แท็กเราพร้อมบอกว่าเกิดอะไรที่ไหน\n"
              "2. เรื่องส่วนตัวและการนัดหมาย: ส่งข้อความส่วนตัว เช่น \"อยากนัดหมอ\"\n"
              "3. คำตอบทันที: \"เมนูวันนี้\" \"เวลาเปิดศูนย์สุขภาพ\" \"เก็บขยะวันไหน\" \"ประชุมสภาเมื่อไหร่\"\n"
              "4. นัดของคุณ: \"เลื่อนนัด\" หรือ \"ยกเลิกนัด\"\n"
              "เราจะตอบพร้อมหมายเลขอ้างอิงเพื่อติดตามเรื่องของคุณ",
    },
}  # fmt: skip


COUNTED_BY: Mapping[str, str] = {"no_slots": "days"}
"""Plural texts whose count is not called `count`."""


def say(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (Spanish when missing), with `values` filled in; a text
    with plural forms takes the form its count asks for in that language."""
    by_language = TEXTS[key]
    chosen = language if language in by_language else FALLBACK
    template = by_language[chosen]
    if not isinstance(template, str):
        count = values.get(COUNTED_BY.get(key, "count"))
        if not isinstance(count, int):
            raise TypeError(f"text {key!r} has plural forms: give it its count as an int")
        template = choose(template, chosen, count)
    return template.format(**values)
