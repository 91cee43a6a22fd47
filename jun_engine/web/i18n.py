"""The desk's labels in the town's languages (Spanish, English, Thai, Japanese), and which one a
request gets: the one the staff member picked, else the browser's, else the town's default."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LANGUAGES = ("es", "en", "th", "ja")

_L: dict[str, tuple[str, str, str, str]] = {
    # key: (es, en, th, ja)
    "desk": ("Mesa de atención", "Service desk", "โต๊ะบริการ", "窓口デスク"),
    "inbox": ("Bandeja", "Inbox", "กล่องงาน", "受信箱"),
    "analytics": ("Análisis", "Analytics", "การวิเคราะห์", "分析"),
    "reports": ("Informes", "Reports", "รายงาน", "レポート"),
    "sign_in": ("Entrar", "Sign in", "เข้าสู่ระบบ", "サインイン"),
    "sign_out": ("Salir", "Sign out", "ออกจากระบบ", "サインアウト"),
    "username": ("Usuario", "Username", "ชื่อผู้ใช้", "ユーザー名"),
    "password": ("Contraseña", "Password", "รหัสผ่าน", "パスワード"),
    "login_refused": (
        "Usuario o contraseña incorrectos, o cuenta bloqueada.",
        "Wrong username or password, or the account is locked.",
        "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง หรือบัญชีถูกล็อก",
        "ユーザー名かパスワードが違うか、アカウントがロックされています。",
    ),
    "reference": ("Referencia", "Reference", "เลขอ้างอิง", "参照番号"),
    "department": ("Departamento", "Department", "หน่วยงาน", "部署"),
    "category": ("Categoría", "Category", "หมวดหมู่", "カテゴリ"),
    "status": ("Estado", "Status", "สถานะ", "状態"),
    "channel": ("Canal", "Channel", "ช่องทาง", "チャネル"),
    "district": ("Barrio", "District", "เขต", "地区"),
    "resident": ("Vecino/a", "Resident", "ผู้อยู่อาศัย", "住民"),
    "opened": ("Abierto", "Opened", "เปิดเมื่อ", "受付"),
    "time_left": ("Tiempo restante", "Time left", "เวลาที่เหลือ", "残り時間"),
    "overdue": ("Vencido", "Overdue", "เกินกำหนด", "期限超過"),
    "all": ("Todos", "All", "ทั้งหมด", "すべて"),
    "search": ("Buscar", "Search", "ค้นหา", "検索"),
    "filter": ("Filtrar", "Filter", "กรอง", "絞り込み"),
    "no_cases": ("No hay casos.", "No cases.", "ไม่มีเรื่อง", "案件はありません。"),
    "private": ("Privado", "Private", "ส่วนตัว", "非公開"),
    "private_hidden": (
        "Texto privado: solo lo ve el departamento del caso.",
        "Private text: only the case's department sees it.",
        "ข้อความส่วนตัว: เฉพาะหน่วยงานเจ้าของเรื่องเท่านั้น",
        "非公開の本文: 担当部署のみ閲覧できます。",
    ),
    "private_audited": (
        "Texto privado: esta consulta queda registrada.",
        "Private text: this view is recorded.",
        "ข้อความส่วนตัว: การเปิดดูนี้ถูกบันทึก",
        "非公開の本文: この閲覧は記録されます。",
    ),
    "message": ("Mensaje", "Message", "ข้อความ", "メッセージ"),
    "history": ("Historial", "History", "ประวัติ", "履歴"),
    "routing": ("Enrutamiento", "Routing", "การส่งต่อ", "振り分け"),
    "first_response": ("Primera respuesta", "First response", "ตอบครั้งแรก", "初回応答"),
    "resolution": ("Resolución", "Resolution", "การแก้ไข", "解決"),
    "due": ("Vence", "Due", "กำหนด", "期限"),
    "done": ("Hecho", "Done", "เสร็จ", "完了"),
    "reply": ("Responder", "Reply", "ตอบกลับ", "返信"),
    "reply_hint": (
        "Se envía desde la cuenta del departamento si X lo permite; si no, desde la del pueblo.",
        "Sent from the department's account where X allows it, else from the town's.",
        "ส่งจากบัญชีของหน่วยงานหากทำได้ มิฉะนั้นส่งจากบัญชีของเมือง",
        "可能なら部署のアカウントから、無理なら町のアカウントから送信します。",
    ),
    "reopen_first": ("Reabrir antes", "Reopen first", "เปิดใหม่ก่อน", "先に再開"),
    "reroute": ("Reasignar", "Reroute", "ส่งต่อใหม่", "再振り分け"),
    "merge": ("Fusionar en", "Merge into", "รวมเข้ากับ", "統合先"),
    "resolve": ("Resolver", "Resolve", "ปิดเรื่อง", "解決済みにする"),
    "reopen": ("Reabrir", "Reopen", "เปิดใหม่", "再開"),
    "note": ("Nota interna", "Internal note", "บันทึกภายใน", "内部メモ"),
    "outgoing": ("Respuestas enviadas", "Outgoing", "ข้อความที่ส่ง", "送信"),
    "confidence": ("confianza", "confidence", "ความมั่นใจ", "確信度"),
    "not_found": ("No encontrado", "Not found", "ไม่พบ", "見つかりません"),
    "forbidden": ("No permitido", "Not allowed", "ไม่อนุญาต", "許可されていません"),
    "csrf": (
        "El formulario caducó; vuelva a intentarlo.",
        "The form expired; please try again.",
        "แบบฟอร์มหมดอายุ กรุณาลองใหม่",
        "フォームの有効期限が切れました。もう一度お試しください。",
    ),
    "volumes": ("Volumen", "Volumes", "ปริมาณ", "件数"),
    "by": ("por", "by", "ตาม", "別"),
    "week": ("Semana", "Week", "สัปดาห์", "週"),
    "cases": ("Casos", "Cases", "เรื่อง", "案件"),
    "times_vs_sla": (
        "Tiempos frente al SLA",
        "Times against the SLA",
        "เวลาเทียบ SLA",
        "SLA対比の所要時間",
    ),
    "satisfaction": ("Satisfacción", "Satisfaction", "ความพึงพอใจ", "満足度"),
    "self_service": ("Autoservicio", "Self-service", "บริการตนเอง", "セルフサービス"),
    "growing": ("Temas que crecen", "Growing topics", "หัวข้อที่เพิ่มขึ้น", "増えている話題"),
    "incidents": ("Incidencias", "Incidents", "เหตุการณ์", "インシデント"),
    "map": ("Mapa", "Map", "แผนที่", "地図"),
    "pins": ("Avisos en el mapa", "Reports on the map", "เรื่องแจ้งบนแผนที่", "地図上の報告"),
    "photos": ("Fotos", "Photos", "รูปภาพ", "写真"),
    "place": ("Lugar", "Place", "สถานที่", "場所"),
    "outside_districts": (
        "fuera de los barrios",
        "outside every district",
        "นอกเขตทั้งหมด",
        "どの地区にも入らない",
    ),
    "spend": ("Gasto en API", "API spend", "ค่าใช้จ่าย API", "API費用"),
    "line_quota": (
        "Cuota de mensajes de LINE",
        "LINE message quota",
        "โควตาข้อความ LINE",
        "LINEのメッセージ通数",
    ),
    "download_csv": ("Descargar CSV", "Download CSV", "ดาวน์โหลด CSV", "CSVをダウンロード"),
    "table": ("Tabla", "Table", "ตาราง", "表"),
    "no_map": (
        "Sin mapa: configure el GeoJSON de los barrios (jun-engine web --districts).",
        "No map: give the districts' GeoJSON (jun-engine web --districts).",
        "ไม่มีแผนที่: โปรดระบุ GeoJSON ของเขต",
        "地図なし: 地区のGeoJSONを指定してください。",
    ),
    "weekly_report": ("Informe semanal", "Weekly report", "รายงานประจำสัปดาห์", "週報"),
    "times_in": ("Horas en", "Times in", "เวลาใน", "時刻の基準"),
    "save": ("Guardar", "Save", "บันทึก", "保存"),
    "done_ok": ("Hecho.", "Done.", "เรียบร้อย", "完了しました。"),
    "language": ("Idioma", "Language", "ภาษา", "言語"),
    "unknown_resident": (
        "(sin vecino registrado, o borrado)",
        "(not a registered resident, or erased)",
        "(ไม่ใช่ผู้อยู่อาศัยที่ลงทะเบียน หรือถูกลบ)",
        "(登録住民でないか、削除済み)",
    ),
    "new_cases": ("Casos nuevos:", "New cases:", "เรื่องใหม่:", "新しい案件:"),
    "next_page": ("Siguientes", "Next page", "หน้าถัดไป", "次のページ"),
}


@dataclass(frozen=True, slots=True)
class Labels:
    """The labels of one language; unknown keys show as the key (a missing label is visible)."""

    language: str

    def __call__(self, key: str) -> str:
        row = _L.get(key)
        if row is None:
            return key
        return row[LANGUAGES.index(self.language)] or row[1]


def choose(
    picked: str | None, accept_language: str | None, town_languages: Iterable[str], default: str
) -> str:
    """The language of a page: the staff member's pick, the browser's first offered language
    the desk has, else the town's default (else Spanish)."""
    if picked in LANGUAGES:
        return picked
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    for code in (default, *town_languages):
        if code in LANGUAGES:
            return code
    return "es"
