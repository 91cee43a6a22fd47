"""What the engine says to a resident about photos and map pins, in the town's languages (Thai
and Japanese for LINE towns), and the labels of the buttons it offers."""

from __future__ import annotations

from collections.abc import Mapping

from jun_engine.config.schema import Config

TEXTS: Mapping[str, Mapping[str, str]] = {
    "ask_location": {
        "es": "Para {reference}, ¿nos mandas la ubicación? Pulsa «Ubicación».",
        "en": "For {reference}, could you send us the location? Tap “Location”.",
        "th": "สำหรับเรื่อง {reference} กรุณาส่งตำแหน่งให้เรา แตะ “ตำแหน่ง”",
        "ja": "{reference} について、位置情報を送ってください。「位置情報」を押してください。",
    },
    "ask_photo": {
        "es": "Para {reference}, ¿nos mandas una foto? Pulsa «Cámara» o «Fotos».",
        "en": "For {reference}, could you send us a photo? Tap “Camera” or “Photos”.",
        "th": "สำหรับเรื่อง {reference} กรุณาส่งรูปถ่ายให้เรา แตะ “กล้อง” หรือ “รูปภาพ”",
        "ja": "{reference} について、写真を送ってください。「カメラ」か「写真」を押してください。",
    },
    "ask_both": {
        "es": "Para {reference}, ¿nos mandas una foto y la ubicación? Usa los botones.",
        "en": "For {reference}, could you send us a photo and the location? Use the buttons.",
        "th": "สำหรับเรื่อง {reference} กรุณาส่งรูปถ่ายและตำแหน่งให้เรา ใช้ปุ่มด้านล่าง",
        "ja": "{reference} について、写真と位置情報を送ってください。ボタンをお使いください。",
    },
    "photo_added": {
        "es": "Hemos añadido tu foto a {reference}.",
        "en": "We added your photo to {reference}.",
        "th": "เราได้เพิ่มรูปของคุณในเรื่อง {reference} แล้ว",
        "ja": "写真を {reference} に追加しました。",
    },
    "place_added": {
        "es": "Hemos añadido la ubicación a {reference} ({district}).",
        "en": "We added the location to {reference} ({district}).",
        "th": "เราได้เพิ่มตำแหน่งในเรื่อง {reference} แล้ว ({district})",
        "ja": "位置情報を {reference} に追加しました（{district}）。",
    },
    "place_outside": {
        "es": "Esa ubicación queda fuera de {town}. La guardamos en {reference}, pero "
        "si el problema está en {town}, mándanos otra.",
        "en": "That location is outside {town}. We kept it with {reference}, but if the "
        "problem is in {town}, please send another.",
        "th": "ตำแหน่งนี้อยู่นอก {town} เราบันทึกไว้กับเรื่อง {reference} แล้ว หากปัญหาอยู่ใน "
        "{town} กรุณาส่งตำแหน่งใหม่",
        "ja": "その位置は{town}の外です。{reference} に記録しましたが、{town}内の場合は"
        "もう一度送ってください。",
    },
    "kept_for_later": {
        "es": "Gracias. Ahora cuéntanos qué pasa ahí y lo uniremos a tu aviso.",
        "en": "Thanks. Now tell us what is wrong there and we will add it to your report.",
        "th": "ขอบคุณ กรุณาบอกเราว่าเกิดอะไรขึ้นที่นั่น แล้วเราจะรวมไว้ในเรื่องของคุณ",
        "ja": "ありがとうございます。そこで何が起きているか教えてください。報告に追加します。",
    },
    "photo_too_large": {
        "es": "Tu foto pesa más de {limit} MB y no la hemos guardado. ¿Puedes mandar una más "
        "pequeña?",
        "en": "Your photo is larger than {limit} MB, so we did not keep it. Could you send a "
        "smaller one?",
        "th": "รูปของคุณมีขนาดเกิน {limit} MB เราจึงไม่ได้บันทึกไว้ กรุณาส่งรูปที่เล็กกว่านี้",
        "ja": "写真が {limit} MB を超えているため保存できませんでした。"
        "小さい写真を送ってください。",
    },
    "photo_not_a_photo": {
        "es": "Solo podemos guardar fotos JPEG o PNG; esa no la hemos guardado.",
        "en": "We can only keep JPEG or PNG photos; we did not keep that one.",
        "th": "เราบันทึกได้เฉพาะรูป JPEG หรือ PNG จึงไม่ได้บันทึกรูปนั้น",
        "ja": "保存できるのは JPEG か PNG の写真だけです。この写真は保存していません。",
    },
    "same_question": {
        "es": "Ya hay un aviso abierto de {what} a {metres} m de ahí ({other}). ¿Es lo mismo?",
        "en": "There is an open report of {what} {metres} m from there ({other}). Is it the "
        "same thing?",
        "th": "มีเรื่อง {what} ที่ยังเปิดอยู่ห่างออกไป {metres} เมตร ({other}) เป็นเรื่องเดียวกันหรือไม่",
        "ja": "そこから {metres} m の所に「{what}」の未解決の報告があります（{other}）。"
        "同じものですか？",
    },
    "same_no": {
        "es": "De acuerdo: seguimos {reference} por separado.",
        "en": "All right: we will follow {reference} on its own.",
        "th": "รับทราบ เราจะติดตามเรื่อง {reference} แยกต่างหาก",
        "ja": "承知しました。{reference} は別件として対応します。",
    },
}

LABELS: Mapping[str, Mapping[str, str]] = {
    "location": {"es": "Ubicación", "en": "Location", "th": "ตำแหน่ง", "ja": "位置情報"},
    "camera": {"es": "Cámara", "en": "Camera", "th": "กล้อง", "ja": "カメラ"},
    "photo": {"es": "Fotos", "en": "Photos", "th": "รูปภาพ", "ja": "写真"},
    "yes": {
        "es": "Sí, es lo mismo",
        "en": "Yes, the same",
        "th": "ใช่ เรื่องเดียวกัน",
        "ja": "はい、同じ",
    },
    "no": {"es": "No, es otro", "en": "No, another", "th": "ไม่ใช่", "ja": "いいえ、別件"},
}


def say(config: Config, key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (else the town's default, else English), filled in."""
    return _pick(TEXTS[key], language, config).format(**values)


def label(config: Config, key: str, language: str) -> str:
    """A button's label in `language`."""
    return _pick(LABELS[key], language, config)


def _pick(table: Mapping[str, str], language: str, config: Config) -> str:
    for candidate in (language, config.town.default_language, "en"):
        if candidate in table:
            return table[candidate]
    return next(iter(table.values()))
