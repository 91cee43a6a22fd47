"""Everything the case desk says, in Spanish, English, Thai and Japanese, from one table.

Public texts are built only from these templates, the town's configured names and handles, the
case reference and the resident's handle: never from anything the resident wrote. `say` picks
the language asked for, else the town's default, else Spanish. One message is in one language:
statuses, urgencies, targets and command names are words of the table too, never raw values.
A text that holds a count has one form per CLDR plural category (`jun_engine.plural`).
"""

# ruff: noqa: E501  (a table of sentences reads best one sentence a line)

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from jun_engine.config.schema import Config
from jun_engine.plural import Forms, choose

Template = str | Forms
"""A sentence, or one sentence per plural category (filled by its `count`)."""

TEXTS: Mapping[str, Mapping[str, Template]] = {
    # --- to residents, public ---
    "ack_public": {
        "es": "Hemos registrado tu aviso con la referencia {reference}. Lo lleva {department} ({handle}).",
        "en": "We have logged your request as {reference}. {department} ({handle}) is handling it.",
        "th": "เราได้รับเรื่องของคุณแล้ว เลขที่ {reference} ผู้รับผิดชอบคือ {department} ({handle})",
        "ja": "ご報告を受付番号 {reference} で受け付けました。{department}（{handle}）が担当します。",
    },
    "ack_moved_to_dm": {
        "es": "Te hemos enviado un mensaje directo sobre tu consulta ({reference}).",
        "en": "We have sent you a direct message about your request ({reference}).",
        "th": "เราได้ส่งข้อความส่วนตัวถึงคุณเกี่ยวกับเรื่องของคุณแล้ว ({reference})",
        "ja": "お問い合わせ（{reference}）について個別メッセージをお送りしました。",
    },
    "ack_forwarded": {
        "es": "Gracias por avisar ({reference}). Esto lo resuelve {body} ({body_handle}); lo hemos anotado y {department} ({handle}) lo sigue.",
        "en": "Thanks for letting us know ({reference}). {body} ({body_handle}) fixes this; we have noted it and {department} ({handle}) is following it.",
        "th": "ขอบคุณที่แจ้ง ({reference}) เรื่องนี้อยู่ในความรับผิดชอบของ {body} ({body_handle}) เราบันทึกไว้แล้วและ {department} ({handle}) กำลังติดตาม",
        "ja": "ご連絡ありがとうございます（{reference}）。この件は{body}（{body_handle}）の担当です。記録のうえ、{department}（{handle}）が経過を確認します。",
    },
    "credited_answer": {
        "es": "{department} ({handle}) responde a {reference}: {answer}",
        "en": "{department} ({handle}) answers {reference}: {answer}",
        "th": "{department} ({handle}) ตอบเรื่อง {reference}: {answer}",
        "ja": "{department}（{handle}）から{reference}へのご回答: {answer}",
    },
    "ack_incident": {
        "es": "Ya nos han avisado de esto: incidencia #{incident}. Lo sigue {department} ({handle}). Ref. {reference}",
        "en": "We already know about this: incident #{incident}. {department} ({handle}) is on it. Ref. {reference}",
        "th": "เราทราบเรื่องนี้แล้ว: เหตุการณ์ #{incident} {department} ({handle}) กำลังดูแล เลขที่ {reference}",
        "ja": "この件はすでに報告を受けています: 事案 #{incident}。{department}（{handle}）が対応中です。受付番号 {reference}",
    },
    # --- to residents, by DM ---
    "ack_dm": {
        "es": "Hemos recibido tu mensaje. Referencia: {reference}. Lo lleva {department} y te responderemos por aquí.",
        "en": "We have received your message. Reference: {reference}. {department} is handling it and will answer here.",
        "th": "เราได้รับข้อความของคุณแล้ว เลขที่อ้างอิง {reference} {department} จะดูแลและตอบกลับทางนี้",
        "ja": "メッセージを受け付けました。受付番号: {reference}。{department}が担当し、こちらでお返事します。",
    },
    "dm_answer": {
        "es": "{department} sobre {reference}: {answer}",
        "en": "{department} on {reference}: {answer}",
        "th": "{department} เรื่อง {reference}: {answer}",
        "ja": "{department}より（{reference}）: {answer}",
    },
    "resolved_dm": {
        "es": "Hemos dado por resuelta tu consulta {reference}.",
        "en": "Your request {reference} is now resolved.",
        "th": "เรื่อง {reference} ของคุณได้รับการแก้ไขแล้ว",
        "ja": "お問い合わせ {reference} は解決済みとなりました。",
    },
    "merged_dm": {
        "es": "Tu consulta {reference} se tramita junto con {into}, que trata lo mismo.",
        "en": "Your request {reference} is handled together with {into}, which is about the same thing.",
        "th": "เรื่อง {reference} ของคุณจะดำเนินการร่วมกับ {into} ซึ่งเป็นเรื่องเดียวกัน",
        "ja": "お問い合わせ {reference} は、同じ内容の {into} とまとめて対応します。",
    },
    "moved_dm": {
        "es": "Tu consulta {reference} ha pasado a {department}, que se ocupará a partir de ahora.",
        "en": "Your request {reference} has been passed to {department}, who will handle it from now on.",
        "th": "เรื่อง {reference} ของคุณถูกส่งต่อให้ {department} ดูแลต่อจากนี้",
        "ja": "お問い合わせ {reference} は{department}に引き継がれました。今後は{department}が対応します。",
    },
    "signed_answer": {
        "es": "{answer}\n— {department} ({reference})",
        "en": "{answer}\n— {department} ({reference})",
        "th": "{answer}\n— {department} ({reference})",
        "ja": "{answer}\n— {department}（{reference}）",
    },
    "survey": {
        "es": "¿Qué tal te hemos atendido con {reference}? Responde con un número del 1 (mal) al 5 (muy bien).",
        "en": "How did we do with {reference}? Reply with a number from 1 (poor) to 5 (very good).",
        "th": "คุณพอใจกับการบริการเรื่อง {reference} แค่ไหน ตอบเป็นตัวเลข 1 (ไม่พอใจ) ถึง 5 (พอใจมาก)",
        "ja": "{reference} の対応はいかがでしたか。1（不満）から5（とても満足）の数字でお答えください。",
    },
    "survey_thanks": {
        "es": "¡Gracias por tu valoración ({rating}/5)!",
        "en": "Thank you for your rating ({rating}/5)!",
        "th": "ขอบคุณสำหรับคะแนน ({rating}/5)",
        "ja": "評価ありがとうございます（{rating}/5）。",
    },
    # --- to departments and leads, by DM ---
    "notify_public": {
        "es": "Nuevo caso {reference} · {category} · {urgency}\nDe {author}: «{summary}»\n{link}",
        "en": "New case {reference} · {category} · {urgency}\nFrom {author}: “{summary}”\n{link}",
        "th": "เรื่องใหม่ {reference} · {category} · {urgency}\nจาก {author}: “{summary}”\n{link}",
        "ja": "新しい案件 {reference} · {category} · {urgency}\n{author}より:「{summary}」\n{link}",
    },
    "unknown_author": {
        "es": "una cuenta de X cuyo @ aún no conocemos",
        "en": "an X account whose @handle we do not know yet",
        "th": "บัญชี X ที่เรายังไม่ทราบ @",
        "ja": "@がまだ分からないXアカウント",
    },
    "channel_author": {
        "es": "una cuenta de {channel}",
        "en": "an account on {channel}",
        "th": "บัญชี {channel}",
        "ja": "{channel}のアカウント",
    },
    "notify_private": {
        "es": "Nuevo caso privado {reference} · {category} · {urgency}\nLéelo con: jun-engine cases show {reference}",
        "en": "New private case {reference} · {category} · {urgency}\nRead it with: jun-engine cases show {reference}",
        "th": "เรื่องส่วนตัวใหม่ {reference} · {category} · {urgency}\nอ่านด้วย: jun-engine cases show {reference}",
        "ja": "新しい非公開の案件 {reference} · {category} · {urgency}\n確認: jun-engine cases show {reference}",
    },
    "digest_head": {
        "es": "{department}: {open} ({overdue})",
        "en": "{department}: {open} ({overdue})",
        "th": "{department}: {open} ({overdue})",
        "ja": "{department}: {open}（{overdue}）",
    },
    "open_cases": {
        "es": {"one": "{count} caso abierto", "many": "{count} de casos abiertos", "other": "{count} casos abiertos"},
        "en": {"one": "{count} open case", "other": "{count} open cases"},
        "th": {"other": "เรื่องค้าง {count} เรื่อง"},
        "ja": {"other": "未対応 {count}件"},
    },
    "overdue_cases": {
        "es": {"one": "{count} fuera de plazo", "other": "{count} fuera de plazo"},
        "en": {"one": "{count} overdue", "other": "{count} overdue"},
        "th": {"other": "เกินกำหนด {count} เรื่อง"},
        "ja": {"other": "期限超過 {count}件"},
    },
    "more_cases": {
        "es": {"one": "… y {count} caso más", "other": "… y {count} casos más"},
        "en": {"one": "… and {count} more case", "other": "… and {count} more cases"},
        "th": {"other": "… และอีก {count} เรื่อง"},
        "ja": {"other": "… ほか{count}件"},
    },
    "digest_line": {
        "es": "{reference} · {category} · {status} · vence {due}{late}",
        "en": "{reference} · {category} · {status} · due {due}{late}",
        "th": "{reference} · {category} · {status} · กำหนด {due}{late}",
        "ja": "{reference} · {category} · {status} · 期限 {due}{late}",
    },
    "late_mark": {"es": " ⚠ fuera de plazo", "en": " ⚠ overdue", "th": " ⚠ เกินกำหนด", "ja": " ⚠ 期限超過"},
    # --- to departments, by e-mail (no personal data: the web desk holds the case) ---
    "mail_case_subject": {
        "es": "[{town}] Nuevo caso privado {reference} · {department}",
        "en": "[{town}] New private case {reference} · {department}",
        "th": "[{town}] เรื่องส่วนตัวใหม่ {reference} · {department}",
        "ja": "[{town}] 新しい非公開の案件 {reference} · {department}",
    },
    "mail_cases_subject": {
        "es": {"one": "[{town}] {count} caso privado nuevo · {department}", "many": "[{town}] {count} de casos privados nuevos · {department}", "other": "[{town}] {count} casos privados nuevos · {department}"},
        "en": {"one": "[{town}] {count} new private case · {department}", "other": "[{town}] {count} new private cases · {department}"},
        "th": {"other": "[{town}] เรื่องส่วนตัวใหม่ {count} เรื่อง · {department}"},
        "ja": {"other": "[{town}] 新しい非公開の案件 {count}件 · {department}"},
    },
    "mail_case": {
        "es": "Nuevo caso privado {reference}\nDepartamento: {department} · {category} · {urgency}\nAbierto: {opened}\nPrimera respuesta antes de: {first_response}\nResolución antes de: {resolution}\nÁbrelo en el escritorio web: {link}",
        "en": "New private case {reference}\nDepartment: {department} · {category} · {urgency}\nOpened: {opened}\nFirst response due: {first_response}\nResolution due: {resolution}\nOpen it on the web desk: {link}",
        "th": "เรื่องส่วนตัวใหม่ {reference}\nแผนก: {department} · {category} · {urgency}\nเปิดเมื่อ: {opened}\nตอบครั้งแรกภายใน: {first_response}\nแก้ไขภายใน: {resolution}\nเปิดดูในระบบเว็บ: {link}",
        "ja": "新しい非公開の案件 {reference}\n部署: {department} · {category} · {urgency}\n受付: {opened}\n初回対応の期限: {first_response}\n解決の期限: {resolution}\nウェブ窓口で開く: {link}",
    },
    "mail_digest_subject": {
        "es": "[{town}] Resumen diario de {department}, {day}",
        "en": "[{town}] Daily digest of {department}, {day}",
        "th": "[{town}] สรุปประจำวันของ {department} {day}",
        "ja": "[{town}] {department}の日次まとめ {day}",
    },
    "mail_digest_link": {
        "es": "Todos los casos en el escritorio web: {link}",
        "en": "Every case on the web desk: {link}",
        "th": "ดูทุกเรื่องในระบบเว็บ: {link}",
        "ja": "すべての案件はウェブ窓口で: {link}",
    },
    "mail_footer": {
        "es": "Este correo no lleva datos personales: lo que escribió el vecino solo se ve en el escritorio web, tras iniciar sesión.",
        "en": "This e-mail carries no personal data: what the resident wrote is only on the web desk, after signing in.",
        "th": "อีเมลนี้ไม่มีข้อมูลส่วนบุคคล ข้อความของผู้แจ้งดูได้เฉพาะในระบบเว็บหลังเข้าสู่ระบบ",
        "ja": "このメールに個人情報は含まれません。住民が書いた内容はウェブ窓口にサインインしてご確認ください。",
    },
    "escalation": {
        "es": "Caso fuera de plazo: {reference} ({department}, {category}). Objetivo incumplido: {target}, vencía {due}.",
        "en": "Overdue case: {reference} ({department}, {category}). Missed target: {target}, due {due}.",
        "th": "เรื่องเกินกำหนด: {reference} ({department}, {category}) เป้าหมายที่พลาด: {target} กำหนด {due}",
        "ja": "期限超過の案件: {reference}（{department}、{category}）。未達の目標: {target}、期限 {due}。",
    },
    # --- to staff, by DM ---
    "done_answer": {
        "es": "Hecho: respuesta enviada al vecino ({reference}).",
        "en": "Done: answer sent to the resident ({reference}).",
        "th": "เรียบร้อย: ส่งคำตอบถึงผู้แจ้งแล้ว ({reference})",
        "ja": "完了: 住民に回答を送りました（{reference}）。",
    },
    "done_resolve": {
        "es": "Hecho: caso resuelto ({reference}).",
        "en": "Done: case resolved ({reference}).",
        "th": "เรียบร้อย: ปิดเรื่องว่าแก้ไขแล้ว ({reference})",
        "ja": "完了: 案件を解決済みにしました（{reference}）。",
    },
    "done_note": {
        "es": "Hecho: nota interna guardada ({reference}).",
        "en": "Done: internal note saved ({reference}).",
        "th": "เรียบร้อย: บันทึกภายในแล้ว ({reference})",
        "ja": "完了: 内部メモを保存しました（{reference}）。",
    },
    "done_reroute": {
        "es": "Hecho: caso reasignado ({reference}).",
        "en": "Done: case rerouted ({reference}).",
        "th": "เรียบร้อย: ย้ายเรื่องไปแผนกใหม่แล้ว ({reference})",
        "ja": "完了: 担当部署を変更しました（{reference}）。",
    },
    "done_merge": {
        "es": "Hecho: caso fusionado ({reference}).",
        "en": "Done: case merged ({reference}).",
        "th": "เรียบร้อย: รวมเรื่องแล้ว ({reference})",
        "ja": "完了: 案件を統合しました（{reference}）。",
    },
    "staff_unknown_reference": {
        "es": "No existe ningún caso {reference}. Revisa la referencia (p. ej. {example}).",
        "en": "There is no case {reference}. Check the reference (e.g. {example}).",
        "th": "ไม่มีเรื่อง {reference} โปรดตรวจสอบเลขที่ (เช่น {example})",
        "ja": "案件 {reference} はありません。受付番号をご確認ください（例: {example}）。",
    },
    "staff_not_yours": {
        "es": "El caso {reference} es de {department}; esta cuenta no puede tocarlo.",
        "en": "Case {reference} belongs to {department}; this account cannot act on it.",
        "th": "เรื่อง {reference} เป็นของ {department} บัญชีนี้ไม่มีสิทธิ์",
        "ja": "案件 {reference} は{department}の担当です。このアカウントでは操作できません。",
    },
    "staff_refused": {
        "es": "No se ha hecho: {problem}.",
        "en": "Not done: {problem}.",
        "th": "ไม่ได้ดำเนินการ: {problem}",
        "ja": "実行できませんでした: {problem}。",
    },
    "staff_invalid": {
        "es": "No he entendido la orden: {problem}. Escribe «ayuda» para ver las órdenes.",
        "en": "I did not understand that: {problem}. Send “help” for the commands.",
        "th": "ไม่เข้าใจคำสั่ง: {problem} ส่ง “help” เพื่อดูคำสั่ง",
        "ja": "コマンドを理解できませんでした: {problem}。コマンド一覧は「help」と送ってください。",
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
        "ja": (
            "コマンド（このアカウントへのDMで）:\n"
            "{example} <本文> — 住民に回答\n"
            "resolve {example} [本文] — 解決済みにする\n"
            "note {example} <本文> — 内部メモ\n"
            "reroute {example} <部署> [分類]\n"
            "merge {example} into <受付番号>\n"
            "help — この一覧\n部署: {departments}"
        ),
    },
    # --- why a staff command was not understood or not done (inside staff_invalid/refused) ---
    "problem_empty": {"es": "el mensaje está vacío", "en": "the message is empty", "th": "ข้อความว่างเปล่า", "ja": "メッセージが空です"},
    "problem_unknown_command": {
        "es": "no conozco la orden «{word}»",
        "en": "there is no command “{word}”",
        "th": "ไม่มีคำสั่ง “{word}”",
        "ja": "「{word}」というコマンドはありません",
    },
    "problem_no_answer": {
        "es": "falta la respuesta después de {reference}",
        "en": "there is no answer after {reference}",
        "th": "ไม่มีคำตอบหลัง {reference}",
        "ja": "{reference} の後に回答がありません",
    },
    "problem_note_empty": {"es": "la nota necesita un texto", "en": "a note needs its text", "th": "บันทึกต้องมีข้อความ", "ja": "メモには本文が必要です"},
    "problem_reroute_words": {
        "es": "reasignar lleva un departamento y, si quieres, una categoría",
        "en": "reroute takes a department and, optionally, a category",
        "th": "reroute ต้องระบุแผนก และหมวดถ้าต้องการ",
        "ja": "reroute には部署と、必要なら分類を指定します",
    },
    "problem_merge_words": {
        "es": "fusionar lleva dos referencias: fusionar {example} en <referencia>",
        "en": "merge takes two references: merge {example} into <reference>",
        "th": "merge ต้องมีสองเลขที่: merge {example} into <เลขที่>",
        "ja": "merge には受付番号が2つ必要です: merge {example} into <受付番号>",
    },
    "problem_needs_reference": {
        "es": "falta la referencia del caso (p. ej. {example})",
        "en": "the case reference is missing (e.g. {example})",
        "th": "ไม่มีเลขที่เรื่อง (เช่น {example})",
        "ja": "案件の受付番号がありません（例: {example}）",
    },
    "problem_unknown_department": {
        "es": "no hay ningún departamento «{name}» (hay: {known})",
        "en": "there is no department “{name}” (there are: {known})",
        "th": "ไม่มีแผนก “{name}” (มี: {known})",
        "ja": "「{name}」という部署はありません（あるのは: {known}）",
    },
    "problem_unknown_category": {
        "es": "{department} no tiene la categoría «{name}» (tiene: {known})",
        "en": "{department} has no category “{name}” (it has: {known})",
        "th": "{department} ไม่มีหมวด “{name}” (มี: {known})",
        "ja": "{department}に「{name}」という分類はありません（あるのは: {known}）",
    },
    "problem_empty_answer": {"es": "la respuesta está vacía", "en": "the answer is empty", "th": "คำตอบว่างเปล่า", "ja": "回答が空です"},
    "problem_erased": {
        "es": "el mensaje de {reference} se borró a petición del vecino; atiéndele en persona",
        "en": "the message of {reference} was erased at the resident's request; answer in person",
        "th": "ข้อความของ {reference} ถูกลบตามคำขอของผู้แจ้ง โปรดติดต่อด้วยตนเอง",
        "ja": "{reference} のメッセージは住民の依頼により削除されました。直接対応してください",
    },
    "problem_merged": {
        "es": "{reference} se fusionó con otro caso; responde en ese",
        "en": "{reference} was merged into another case; answer there",
        "th": "{reference} ถูกรวมกับเรื่องอื่นแล้ว โปรดตอบที่เรื่องนั้น",
        "ja": "{reference} は別の案件に統合されました。そちらで回答してください",
    },
    "problem_merge_itself": {
        "es": "un caso no se puede fusionar consigo mismo",
        "en": "a case cannot be merged into itself",
        "th": "ไม่สามารถรวมเรื่องเข้ากับตัวเองได้",
        "ja": "案件を自分自身に統合することはできません",
    },
    "problem_into_merged": {
        "es": "{reference} ya está fusionado; fusiona en el caso al que se unió",
        "en": "{reference} is itself merged; merge into the case it joined",
        "th": "{reference} ถูกรวมไปแล้ว โปรดรวมเข้ากับเรื่องที่มันรวมอยู่",
        "ja": "{reference} はすでに統合されています。統合先の案件に統合してください",
    },
    "problem_private_in_public": {
        "es": "la respuesta pública repetiría palabras de un mensaje privado; responde por DM ({reference})",
        "en": "a public answer would repeat words of a private message; answer by DM ({reference})",
        "th": "คำตอบสาธารณะจะซ้ำคำจากข้อความส่วนตัว โปรดตอบทาง DM ({reference})",
        "ja": "公開の回答に非公開メッセージの言葉が含まれてしまいます。DMで回答してください（{reference}）",
    },
    "problem_refused": {
        "es": "{reference} no admite esa orden ahora (está «{status}»)",
        "en": "{reference} cannot take that command now (it is “{status}”)",
        "th": "{reference} รับคำสั่งนี้ไม่ได้ในตอนนี้ (สถานะ “{status}”)",
        "ja": "{reference} は現在そのコマンドを受け付けられません（状態:「{status}」）",
    },
}  # fmt: skip

WORDS: Mapping[str, Mapping[str, str]] = {
    # --- case statuses (`CaseStatus` values) ---
    "status_open": {"es": "abierto", "en": "open", "th": "เปิด", "ja": "受付"},
    "status_routed": {"es": "asignado", "en": "routed", "th": "ส่งต่อแผนกแล้ว", "ja": "担当部署へ送付済み"},
    "status_acknowledged": {"es": "recibido", "en": "acknowledged", "th": "รับเรื่องแล้ว", "ja": "受付済み"},
    "status_forwarded": {"es": "derivado", "en": "forwarded", "th": "ส่งต่อหน่วยงานแล้ว", "ja": "関係機関へ送付済み"},
    "status_in_progress": {"es": "en curso", "en": "in progress", "th": "กำลังดำเนินการ", "ja": "対応中"},
    "status_waiting_resident": {"es": "esperando al vecino", "en": "waiting for the resident", "th": "รอผู้แจ้ง", "ja": "ご返信待ち"},
    "status_answered": {"es": "respondido", "en": "answered", "th": "ตอบแล้ว", "ja": "回答済み"},
    "status_rerouted": {"es": "reasignado", "en": "rerouted", "th": "ย้ายแผนกแล้ว", "ja": "担当部署を変更"},
    "status_reopened": {"es": "reabierto", "en": "reopened", "th": "เปิดใหม่", "ja": "再開"},
    "status_resolved": {"es": "resuelto", "en": "resolved", "th": "แก้ไขแล้ว", "ja": "解決済み"},
    "status_closed": {"es": "cerrado", "en": "closed", "th": "ปิดแล้ว", "ja": "完了"},
    "status_merged": {"es": "fusionado", "en": "merged", "th": "รวมเรื่องแล้ว", "ja": "統合済み"},
    # --- urgencies (`Urgency` values) ---
    "urgency_normal": {"es": "normal", "en": "normal", "th": "ปกติ", "ja": "通常"},
    "urgency_emergency": {"es": "URGENTE", "en": "EMERGENCY", "th": "ฉุกเฉิน", "ja": "緊急"},
    # --- SLA targets ---
    "target_first_response": {"es": "primera respuesta", "en": "first response", "th": "การตอบครั้งแรก", "ja": "初回対応"},
    "target_resolution": {"es": "resolución", "en": "resolution", "th": "การแก้ไข", "ja": "解決"},
}  # fmt: skip

FIELD = re.compile(r"{(\w+)}")


def say(config: Config, key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (else the town's default, else Spanish), filled in; a text
    with plural forms takes the form its `count` value asks for in that language."""
    table = TEXTS[key]
    chosen = _language_of(table, language, config)
    template = table[chosen]
    if not isinstance(template, str):
        count = values.get("count")
        if not isinstance(count, int):
            raise TypeError(f"text {key!r} has plural forms: give it an int `count`")
        template = choose(template, chosen, count)
    return template.format(**values)


def word(config: Config, kind: str, value: str, language: str) -> str:
    """A status, urgency or target (`kind`) in `language`; an unknown value as it is."""
    table = WORDS.get(f"{kind}_{value}")
    if table is None:
        return value.replace("_", " ")
    return table[_language_of(table, language, config)]


def fields_of(key: str) -> frozenset[str]:
    """The placeholders a text takes (the same in every language)."""
    return frozenset(FIELD.findall("".join(_forms(TEXTS[key]["es"]))))


def templates() -> Iterator[str]:
    """Every sentence of the table, every language and plural form (the privacy check's
    vocabulary of public words), and every word of `WORDS`."""
    for table in TEXTS.values():
        for template in table.values():
            yield from _forms(template)
    for words in WORDS.values():
        yield from words.values()


def localized(names: Mapping[str, str], language: str, config: Config) -> str:
    """A configured name in `language`, else the town's default language, else any."""
    return (
        names.get(language)
        or names.get(config.town.default_language)
        or next(iter(names.values()), "")
    )


def _language_of(table: Mapping[str, object], language: str, config: Config) -> str:
    for candidate in (language, config.town.default_language):
        if candidate in table:
            return candidate
    return "es"


def _forms(template: Template) -> tuple[str, ...]:
    return (template,) if isinstance(template, str) else tuple(template.values())
