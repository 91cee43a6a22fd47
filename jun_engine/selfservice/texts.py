"""Everything self-service says to residents, in Spanish, English, Thai and Japanese: one table
of texts (button labels, `button_*`, fit LINE's 20 characters).

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
        "ja": "{department}の次の空き枠です:\n{options}\n"
              "ご希望の番号を返信してください。やめる場合は「キャンセル」と送ってください。",
    },
    "move_offers": {
        "es": "Tu cita {reference} es el {when}. Puedes cambiarla a:\n{options}\n"
              "Responde con el número, o «cancelar» para dejarla como está.",
        "en": "Your appointment {reference} is on {when}. You can move it to:\n{options}\n"
              "Reply with the number, or \"cancel\" to keep it as it is.",
        "th": "นัด {reference} ของคุณคือ{when} เลื่อนไปได้ที่:\n{options}\n"
              "ตอบกลับด้วยหมายเลข หรือพิมพ์ \"ยกเลิก\" เพื่อคงนัดเดิม",
        "ja": "ご予約 {reference} は{when}です。次の日時に変更できます:\n{options}\n"
              "番号を返信してください。このままにする場合は「キャンセル」と送ってください。",
    },
    "taken": {
        "es": "Lo sentimos, esa hora se acaba de ocupar. ",
        "en": "Sorry, that slot was just taken. ",
        "th": "ขออภัย เวลานั้นเพิ่งมีคนจองไป ",
        "ja": "申し訳ありません。その時間はちょうど埋まってしまいました。",
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
        "ja": {"other": "申し訳ありません。今後{days}日間、{department}に空きがありません。"
                        "数日後にもう一度ご連絡ください。"},
    },
    "booked": {
        "es": "Cita confirmada en {department}: {when}. Referencia: {reference}. "
              "Para cambiarla escribe «cambiar cita»; para anularla, «cancelar cita».",
        "en": "Appointment confirmed at the {department}: {when}. Reference: {reference}. "
              "To move it write \"change my appointment\"; "
              "to cancel it, \"cancel my appointment\".",
        "th": "ยืนยันนัดที่{department}: {when} หมายเลขอ้างอิง: {reference} "
              "ต้องการเลื่อนพิมพ์ \"เลื่อนนัด\" ต้องการยกเลิกพิมพ์ \"ยกเลิกนัด\"",
        "ja": "{department}のご予約が確定しました: {when}。予約番号: {reference}。"
              "変更は「予約変更」、取り消しは「予約キャンセル」と送ってください。",
    },
    "moved": {
        "es": "Cita cambiada. {department}: {when}. Referencia: {reference}.",
        "en": "Appointment moved. {department}: {when}. Reference: {reference}.",
        "th": "เลื่อนนัดแล้ว {department}: {when} หมายเลขอ้างอิง: {reference}",
        "ja": "ご予約を変更しました。{department}: {when}。予約番号: {reference}。",
    },
    "cancelled": {
        "es": "Cita {reference} del {when} cancelada. Gracias por avisar.",
        "en": "Appointment {reference} on {when} is cancelled. Thank you for letting us know.",
        "th": "ยกเลิกนัด {reference} {when} แล้ว ขอบคุณที่แจ้งให้ทราบ",
        "ja": "{when}のご予約 {reference} を取り消しました。ご連絡ありがとうございます。",
    },
    "cancelled_by_staff": {
        "es": "Tu cita {reference} del {when} en {department} ha sido cancelada. "
              "Escríbenos «quiero cita» para pedir otra.",
        "en": "Your appointment {reference} on {when} at the {department} has been cancelled. "
              "Write \"I need an appointment\" to book another.",
        "th": "นัด {reference} {when} ที่{department}ถูกยกเลิกแล้ว พิมพ์ \"ขอนัด\" เพื่อจองใหม่",
        "ja": "{department}の{when}のご予約 {reference} は取り消されました。"
              "改めて予約する場合は「予約したい」と送ってください。",
    },
    "no_appointment": {
        "es": "No tienes ninguna cita pendiente.",
        "en": "You have no upcoming appointment.",
        "th": "คุณไม่มีนัดที่กำลังจะถึง",
        "ja": "今後のご予約はありません。",
    },
    "which_appointment": {
        "es": "Tienes varias citas: {items}. Escríbenos de nuevo con la referencia de la que "
              "quieres cambiar o anular.",
        "en": "You have several appointments: {items}. Write again with the reference of the "
              "one to move or cancel.",
        "th": "คุณมีหลายนัด: {items} กรุณาส่งหมายเลขอ้างอิงของนัดที่ต้องการเลื่อนหรือยกเลิก",
        "ja": "ご予約が複数あります: {items}。"
              "変更または取り消したい予約の予約番号を送ってください。",
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
        "ja": {"other": "すでに上限の{count}件のご予約があります: {items}。"
                        "変更は「予約変更」、取り消しは「予約キャンセル」と送ってください。"},
    },
    "not_understood": {
        "es": "No he entendido tu elección. Responde con un número del 1 al {count}, o «cancelar».",
        "en": "I did not understand your choice. Reply with a number from 1 to {count}, "
              "or \"cancel\".",
        "th": "ไม่เข้าใจตัวเลือกของคุณ กรุณาตอบด้วยหมายเลข 1 ถึง {count} หรือพิมพ์ \"ยกเลิก\"",
        "ja": "選択を読み取れませんでした。"
              "1から{count}の番号を送るか、「キャンセル」と送ってください。",
    },
    "dialogue_dropped": {
        "es": "De acuerdo, no cambio nada.",
        "en": "All right, nothing has been changed.",
        "th": "ได้ค่ะ ไม่มีการเปลี่ยนแปลงใด ๆ",
        "ja": "承知しました。何も変更していません。",
    },
    "sent_dm": {
        "es": "Te hemos escrito por mensaje directo.",
        "en": "We have sent you a direct message.",
        "th": "เราได้ส่งข้อความส่วนตัวถึงคุณแล้ว",
        "ja": "個別メッセージをお送りしました。",
    },
    "reminder": {
        "es": "Recordatorio: mañana tienes cita en {department}, {when}. Referencia: {reference}. "
              "Si no puedes ir, escribe «cancelar cita».",
        "en": "Reminder: you have an appointment at the {department} tomorrow, {when}. "
              "Reference: {reference}. If you cannot come, write \"cancel my appointment\".",
        "th": "แจ้งเตือน: พรุ่งนี้คุณมีนัดที่{department} {when} หมายเลขอ้างอิง: {reference} "
              "หากมาไม่ได้ พิมพ์ \"ยกเลิกนัด\"",
        "ja": "リマインダー: 明日{when}に{department}のご予約があります。予約番号: {reference}。"
              "来られない場合は「予約キャンセル」と送ってください。",
    },
    "menu": {
        "es": "Menú de {school}, {day}: {dishes}.{allergens}",
        "en": "{school} lunch menu, {day}: {dishes}.{allergens}",
        "th": "เมนูอาหารกลางวัน {school} {day}: {dishes}{allergens}",
        "ja": "{school}の給食 {day}: {dishes}。{allergens}",
    },
    "menu_allergens": {
        "es": " Alérgenos: {allergens}.",
        "en": " Allergens: {allergens}.",
        "th": " สารก่อภูมิแพ้: {allergens}",
        "ja": " アレルゲン: {allergens}。",
    },
    "menu_closed": {
        "es": "{day} no hay comedor en {school}: {reason}.",
        "en": "There is no school lunch at {school} {day}: {reason}.",
        "th": "{day} ไม่มีอาหารกลางวันที่ {school}: {reason}",
        "ja": "{day}は{school}の給食はありません: {reason}。",
    },
    "menu_missing": {
        "es": "Aún no tenemos el menú de {school} para el {day}.",
        "en": "We do not have the {school} menu for {day} yet.",
        "th": "ยังไม่มีเมนูของ {school} สำหรับ{day}",
        "ja": "{day}の{school}の献立はまだありません。",
    },
    "reason_weekend": {"es": "no es día lectivo", "en": "it is not a school day",
                       "th": "ไม่ใช่วันเรียน", "ja": "授業日ではありません"},
    "reason_holiday": {"es": "es festivo", "en": "it is a holiday", "th": "เป็นวันหยุด",
                       "ja": "祝日です"},
    "today": {"es": "hoy", "en": "today", "th": "วันนี้", "ja": "今日"},
    "tomorrow": {"es": "mañana", "en": "tomorrow", "th": "พรุ่งนี้", "ja": "明日"},
    "hours": {
        "es": "Horario de {department}: {hours}.",
        "en": "{department} opening hours: {hours}.",
        "th": "เวลาทำการของ{department}: {hours}",
        "ja": "{department}の受付時間: {hours}。",
    },
    "hours_closed_today": {
        "es": " Hoy está cerrado (festivo).",
        "en": " It is closed today (holiday).",
        "th": " วันนี้ปิด (วันหยุด)",
        "ja": " 本日は休業日です。",
    },
    "closed_always": {"es": "sin horario de atención", "en": "no opening hours",
                      "th": "ไม่มีเวลาทำการ", "ja": "受付時間なし"},
    "rubbish_district": {
        "es": "Recogida de basura en {district}: {days}. {today}",
        "en": "Rubbish collection in {district}: {days}. {today}",
        "th": "วันเก็บขยะที่ {district}: {days} {today}",
        "ja": "{district}のごみ収集日: {days}。{today}",
    },
    "rubbish_today_yes": {"es": "Hoy hay recogida.", "en": "There is a collection today.",
                          "th": "วันนี้มีเก็บขยะ", "ja": "本日は収集日です。"},
    "rubbish_today_no": {
        "es": "Hoy no hay recogida; la próxima es el {next}.",
        "en": "There is no collection today; the next one is on {next}.",
        "th": "วันนี้ไม่มีเก็บขยะ ครั้งต่อไปคือ{next}",
        "ja": "本日は収集がありません。次回は{next}です。",
    },
    "rubbish_never": {"es": "Hoy no hay recogida.", "en": "There is no collection today.",
                      "th": "วันนี้ไม่มีเก็บขยะ", "ja": "本日は収集がありません。"},
    "rubbish_all": {
        "es": "Días de recogida de basura:\n{lines}",
        "en": "Rubbish collection days:\n{lines}",
        "th": "วันเก็บขยะ:\n{lines}",
        "ja": "ごみ収集日:\n{lines}",
    },
    "council_next": {
        "es": "El próximo pleno municipal es el {when}.{place}",
        "en": "The next council meeting is on {when}.{place}",
        "th": "การประชุมสภาครั้งต่อไปคือ{when}{place}",
        "ja": "次回の議会は{when}です。{place}",
    },
    "council_none": {
        "es": "Aún no hay fecha para el próximo pleno; la anunciaremos en esta cuenta.",
        "en": "There is no date for the next council meeting yet; we will announce it here.",
        "th": "ยังไม่มีกำหนดการประชุมสภาครั้งต่อไป เราจะประกาศที่บัญชีนี้",
        "ja": "次回の議会の日程はまだ決まっていません。決まり次第このアカウントでお知らせします。",
    },
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
        "ja": "{town}の使い方:\n"
              "1. 不具合の報告（街灯、道路の穴など）: "
              "何がどこで起きているかをメンションで送ってください。\n"
              "2. 個人的なご相談とご予約: 個別メッセージで。例:「診察の予約をしたい」\n"
              "3. すぐ答えられる質問:「今日の給食」「診療所の受付時間」"
              "「ごみの収集日は？」「議会はいつ？」\n"
              "4. ご予約:「予約変更」または「予約キャンセル」\n"
              "受付番号をお返ししますので、案件の確認にお使いください。",
    },
    # --- buttons, days picked, the home screen (LINE's rich menu) ---
    "confirm_slot": {
        "es": "¿Confirmas la cita en {department} el {when}? Responde «sí» para confirmarla "
              "o «no» para dejarlo.",
        "en": "Book the {department} for {when}? Reply \"yes\" to confirm or \"no\" to stop.",
        "th": "ยืนยันนัดที่{department} {when} ใช่ไหมคะ ตอบ \"ใช่\" เพื่อยืนยัน หรือ \"ไม่\" เพื่อยกเลิก",
        "ja": "{department}の{when}で予約してよろしいですか？確定する場合は「はい」、"
              "やめる場合は「いいえ」と送ってください。",
    },
    "day_offers": {
        "es": "Citas libres en {department} el {day}:\n{options}\n"
              "Responde con el número de la que prefieras, o «cancelar».",
        "en": "Free appointments at the {department} on {day}:\n{options}\n"
              "Reply with the number of the one you want, or \"cancel\".",
        "th": "นัดว่างที่{department} {day}:\n{options}\nตอบกลับด้วยหมายเลขที่ต้องการ หรือพิมพ์ \"ยกเลิก\"",
        "ja": "{department}の{day}の空き枠です:\n{options}\n"
              "ご希望の番号を返信してください。やめる場合は「キャンセル」と送ってください。",
    },
    "day_full": {
        "es": "No quedan citas libres en {department} el {day}. Elige otro día, hasta el {last}.",
        "en": "There are no free appointments at the {department} on {day}. "
              "Please choose another day, up to {last}.",
        "th": "ไม่มีนัดว่างที่{department} {day} กรุณาเลือกวันอื่น ได้ถึง{last}",
        "ja": "{day}は{department}に空きがありません。{last}までの別の日をお選びください。",
    },
    "my_cases": {
        "es": "Tus casos abiertos:\n{items}",
        "en": "Your open cases:\n{items}",
        "th": "เรื่องที่ยังดำเนินการอยู่ของคุณ:\n{items}",
        "ja": "対応中の案件:\n{items}",
    },
    "my_cases_none": {
        "es": "No tienes casos abiertos.",
        "en": "You have no open cases.",
        "th": "คุณไม่มีเรื่องที่ยังดำเนินการอยู่",
        "ja": "対応中の案件はありません。",
    },
    "report_how": {
        "es": "Para avisar de un problema, escríbenos qué pasa y dónde. Si puedes, envía también "
              "tu ubicación y una foto con los botones de abajo.",
        "en": "To report a problem, write to us what is wrong and where. If you can, also send "
              "your location and a photo with the buttons below.",
        "th": "หากต้องการแจ้งปัญหา พิมพ์บอกเราว่าเกิดอะไรขึ้นที่ไหน หากสะดวก "
              "กรุณาส่งตำแหน่งและรูปถ่ายด้วยปุ่มด้านล่างค่ะ",
        "ja": "不具合を報告するには、何がどこで起きているかを送ってください。"
              "できれば下のボタンから位置情報と写真もお送りください。",
    },
    "air_ok": {
        "es": "Calidad del aire hoy ({day}): buena, por debajo de los umbrales de {town}.",
        "en": "Air quality today ({day}): good, below {town}'s thresholds.",
        "th": "คุณภาพอากาศวันนี้ ({day}): ดี ต่ำกว่าเกณฑ์ของ{town}",
        "ja": "本日（{day}）の大気の状態: 良好です。{town}の基準値を下回っています。",
    },
    "air_bad": {
        "es": "Calidad del aire hoy ({day}): {pollutants} por encima del umbral de {town}. "
              "Las personas sensibles deberían evitar el esfuerzo al aire libre.",
        "en": "Air quality today ({day}): {pollutants} above {town}'s threshold. "
              "Sensitive people should avoid exertion outdoors.",
        "th": "คุณภาพอากาศวันนี้ ({day}): {pollutants} เกินเกณฑ์ของ{town} "
              "ผู้ที่มีความเสี่ยงควรหลีกเลี่ยงกิจกรรมกลางแจ้ง",
        "ja": "本日（{day}）の大気の状態: {pollutants}が{town}の基準値を超えています。"
              "敏感な方は屋外での激しい運動をお控えください。",
    },
    "air_unknown": {
        "es": "Aún no tenemos la previsión de la calidad del aire de hoy ({day}).",
        "en": "We do not have today's air-quality forecast ({day}) yet.",
        "th": "ยังไม่มีพยากรณ์คุณภาพอากาศของวันนี้ ({day})",
        "ja": "本日（{day}）の大気の予報はまだありません。",
    },
    "verified_already": {
        "es": "Tu cuenta ya está verificada: puedes usar todos los servicios por aquí.",
        "en": "Your account is already verified: you can use every service here.",
        "th": "บัญชีของคุณได้รับการยืนยันแล้ว ใช้บริการทั้งหมดที่นี่ได้เลยค่ะ",
        "ja": "アカウントは確認済みです。こちらからすべてのサービスをご利用いただけます。",
    },
    "help_chat": {
        "es": "Cómo usar {town} por aquí:\n"
              "1. Avisos (una farola, un bache): escríbenos qué pasa y dónde, con una foto y tu "
              "ubicación si puedes.\n"
              "2. Citas: el menú de abajo, o «quiero cita con el médico».\n"
              "3. Pregunta al momento: «menú de hoy», «horario del consultorio», "
              "«¿qué días recogen la basura?», «¿cuándo es el pleno?».\n"
              "4. Tus casos y tu cita: el menú de abajo, «cambiar cita» o «cancelar cita».\n"
              "Te contestamos con una referencia para seguir tu caso.",
        "en": "How to use {town} here:\n"
              "1. Report something (a streetlight, a pothole): write what and where, with a photo "
              "and your location if you can.\n"
              "2. Appointments: the menu below, or \"I need a doctor's appointment\".\n"
              "3. Quick answers: \"today's menu\", \"health centre opening hours\", "
              "\"which days is rubbish collected?\", \"when is the council meeting?\".\n"
              "4. Your cases and appointment: the menu below, \"change my appointment\" or "
              "\"cancel my appointment\".\n"
              "We reply with a reference to follow your case.",
        "th": "วิธีใช้บริการ {town} ที่นี่:\n"
              "1. แจ้งปัญหา (ไฟถนน หลุมบนถนน): พิมพ์บอกว่าเกิดอะไรที่ไหน พร้อมรูปถ่ายและตำแหน่งถ้าสะดวก\n"
              "2. การนัดหมาย: เมนูด้านล่าง หรือพิมพ์ \"อยากนัดหมอ\"\n"
              "3. คำตอบทันที: \"เมนูวันนี้\" \"เวลาเปิดศูนย์สุขภาพ\" \"เก็บขยะวันไหน\" \"ประชุมสภาเมื่อไหร่\"\n"
              "4. เรื่องของคุณและนัดของคุณ: เมนูด้านล่าง \"เลื่อนนัด\" หรือ \"ยกเลิกนัด\"\n"
              "เราจะตอบพร้อมหมายเลขอ้างอิงเพื่อติดตามเรื่องของคุณค่ะ",
        "ja": "{town}の使い方:\n"
              "1. 不具合の報告（街灯、道路の穴など）: 何がどこで起きているかを、できれば写真と"
              "位置情報を添えて送ってください。\n"
              "2. ご予約: 下のメニューから、または「診察の予約をしたい」と送ってください。\n"
              "3. すぐ答えられる質問:「今日の給食」「診療所の受付時間」"
              "「ごみの収集日は？」「議会はいつ？」\n"
              "4. 案件とご予約の確認: 下のメニュー、「予約変更」または「予約キャンセル」\n"
              "受付番号をお返ししますので、案件の確認にお使いください。",
    },
    "button_another_day": {"es": "Otro día", "en": "Another day", "th": "วันอื่น", "ja": "別の日"},
    "button_confirm": {"es": "Confirmar", "en": "Confirm", "th": "ยืนยัน", "ja": "確定する"},
    "button_stop": {"es": "Cancelar", "en": "Cancel", "th": "ยกเลิก", "ja": "キャンセル"},
    "button_cancel_appointment": {"es": "Anular cita", "en": "Cancel appointment",
                                  "th": "ยกเลิกนัด", "ja": "予約を取り消す"},
    "button_move_appointment": {"es": "Cambiar cita", "en": "Move appointment",
                                "th": "เลื่อนนัด", "ja": "予約を変更する"},
    "button_location": {"es": "Enviar ubicación", "en": "Send location", "th": "ส่งตำแหน่ง",
                        "ja": "位置情報を送る"},
    "button_camera": {"es": "Hacer una foto", "en": "Take a photo", "th": "ถ่ายรูป",
                      "ja": "写真を撮る"},
    "button_menu_tomorrow": {"es": "Menú de mañana", "en": "Tomorrow's menu",
                             "th": "เมนูพรุ่งนี้", "ja": "明日の給食"},
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
