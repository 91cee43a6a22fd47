"""The simulated town: seeded residents who tweet and DM the town's accounts, and staff who reply.

`SimulatedTown` is a `TownDriver`: on each `advance(now, sink)` its residents do what a Poisson
process of `rate_per_hour` says they did since the last call. Everything comes from one seeded
`random.Random`, so a seed and a sequence of `now`s give the same town every time. What was sent,
and what it *meant* (department, category, intent, language), is kept in `sent` as the truth
later end-to-end tests check the router against. Messages are templates (data, below) in Spanish,
English and Thai; a department the table does not know gets generic ones built from its name and
keywords in accounts.yaml, so every configured department is always covered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from jun_engine.config.schema import Config, Intent
from jun_engine.emulator.town_api import TownSink

Route = Literal["mention", "dm"]


@dataclass(frozen=True, slots=True)
class Template:
    """One way a resident asks something; `{street}` and `{district}` are filled in."""

    department: str
    intent: Intent
    language: str
    route: Route
    text: str
    category: str | None = None


def _t(
    dept: str, intent: Intent, route: Route, category: str | None, es: str, en: str, th: str
) -> tuple[Template, ...]:
    return tuple(
        Template(dept, intent, lang, route, text, category)
        for lang, text in (("es", es), ("en", en), ("th", th))
    )


TEMPLATES: tuple[Template, ...] = (
    *_t("public_works", "complaint", "mention", "streetlights",
        "La farola de la calle {street} lleva tres noches fundida, está todo a oscuras.",
        "The streetlight on {street} street has been out for three nights, it's pitch dark.",
        "ไฟถนนที่ถนน {street} ดับมาสามคืนแล้ว มืดมากครับ"),
    *_t("public_works", "complaint", "mention", "potholes",
        "Hay un bache enorme en la calle {street}, casi me caigo con la moto.",
        "There's a huge pothole on {street} street, I nearly came off my scooter.",
        "มีหลุมบนถนนใหญ่มากที่ถนน {street} เกือบล้มรถ"),
    *_t("public_works", "complaint", "mention", "sidewalks",
        "Baldosa suelta en la acera de {street}, mi madre ha tropezado.",
        "Loose tile on the pavement on {street}, my mother tripped.",
        "ทางเท้าที่ถนน {street} กระเบื้องหลุด แม่ฉันสะดุดล้ม"),
    *_t("street_cleaning", "complaint", "mention", "rubbish",
        "No han recogido la basura en {district} desde el lunes y huele fatal.",
        "Rubbish not collected in {district} since Monday, it stinks.",
        "ไม่มีคนเก็บขยะที่ {district} ตั้งแต่วันจันทร์ เหม็นมาก"),
    *_t("street_cleaning", "complaint", "mention", "bins",
        "El contenedor de la calle {street} está roto y lleno hasta arriba.",
        "The bin on {street} street is broken and overflowing.",
        "ถังขยะที่ถนน {street} เสียและขยะล้น"),
    *_t("water", "complaint", "mention", "leaks",
        "Fuga de agua en la calle {street}, sale agua de la arqueta desde esta mañana.",
        "Water leak on {street} street, water pouring out of the drain cover since this morning.",
        "น้ำรั่วที่ถนน {street} น้ำไหลออกมาตั้งแต่เช้า"),
    *_t("water", "question", "mention", "supply",
        "¿Hay corte de agua en {district}? Tenemos muy poca presión.",
        "Is there a water cut in {district}? We have very low pressure.",
        "ที่ {district} น้ำไม่ไหลหรือเปล่าคะ น้ำไหลเบามาก"),
    *_t("police", "complaint", "mention", "noise",
        "Música altísima en la calle {street} a las 3 de la mañana, otra vez. No se puede dormir.",
        "Really loud music on {street} street at 3am again. Nobody can sleep.",
        "เปิดเพลงดังมากที่ถนน {street} ตอนตีสามอีกแล้ว นอนไม่ได้เลย"),
    *_t("police", "complaint", "mention", "parking",
        "Un coche mal aparcado me tapa el vado en la calle {street}.",
        "A badly parked car is blocking my driveway on {street} street.",
        "มีรถจอดขวางทางเข้าบ้านที่ถนน {street}"),
    *_t("police", "police_report", "dm", "tips",
        "Aviso confidencial: he visto trapicheo todas las noches junto al parque de {district}.",
        "Confidential tip: I saw drug dealing every night by the park in {district}.",
        "แจ้งเบาะแสแบบไม่ระบุชื่อ เห็นคนน่าสงสัยขายยาทุกคืนที่สวนใน {district}"),
    *_t("health", "appointment", "dm", "appointments",
        "Buenos días, quería pedir cita con el médico para esta semana. Gracias.",
        "Hello, I'd like to book an appointment to see the doctor this week. Thanks.",
        "สวัสดีค่ะ อยากนัดหมอสัปดาห์นี้ค่ะ ขอบคุณค่ะ"),
    *_t("health", "question", "dm", "vaccines",
        "¿Cuándo empieza la vacunación de la gripe para mayores de 65?",
        "When does the flu vaccination start for over-65s?",
        "ฉีดวัคซีนไข้หวัดใหญ่สำหรับผู้สูงอายุเริ่มเมื่อไหร่คะ"),
    *_t("school", "question", "mention", "canteen",
        "¿Cuál es el menú del comedor del cole esta semana? Mi hija tiene alergia al huevo.",
        "What's on the school canteen menu this week? My daughter is allergic to egg.",
        "เมนูอาหารกลางวันที่โรงเรียนสัปดาห์นี้คืออะไรคะ ลูกสาวแพ้ไข่"),
    # Everyday questions the engine answers itself (self-service), without a department.
    *_t("school", "question", "mention", "canteen",
        "¿Qué hay mañana de menú en el comedor del cole?",
        "What's for lunch at school tomorrow?",
        "พรุ่งนี้โรงเรียนมีเมนูอาหารกลางวันอะไรคะ"),
    *_t("street_cleaning", "question", "mention", "rubbish",
        "¿Qué días pasa el camión de la basura por {district}?",
        "Which days is the rubbish collected in {district}?",
        "ที่ {district} เก็บขยะวันไหนบ้างคะ"),
    *_t("town_hall", "question", "mention", "paperwork",
        "¿A qué hora abre el Ayuntamiento?",
        "What time does the town hall open?",
        "ศาลากลางเปิดกี่โมงคะ"),
    *_t("health", "appointment", "dm", "appointments",
        "Hola, necesito cita con el médico, por favor.",
        "Hi, I need a doctor's appointment please.",
        "สวัสดีค่ะ ต้องการนัดหมอค่ะ"),
    *_t("social_services", "question", "dm", "elderly_care",
        "Mi padre es mayor y vive solo, ¿cómo solicito la ayuda a domicilio?",
        "My father is elderly and lives alone, how do I apply for home help?",
        "พ่อเป็นผู้สูงอายุอยู่คนเดียว จะขอความช่วยเหลือดูแลที่บ้านได้อย่างไร"),
    *_t("culture_sport", "question", "mention", "events",
        "¿Dónde se puede ver el programa de las fiestas? ¿Hay concierto el sábado?",
        "Where can I see the festival programme? Is there a concert on Saturday?",
        "ดูกำหนดการเทศกาลได้ที่ไหน วันเสาร์มีคอนเสิร์ตไหมคะ"),
    *_t("culture_sport", "question", "mention", "facilities",
        "¿A qué hora abre la piscina municipal este verano?",
        "What time does the swimming pool open this summer?",
        "สระว่ายน้ำเทศบาลเปิดกี่โมงช่วงหน้าร้อนคะ"),
    *_t("town_hall", "question", "mention", "paperwork",
        "¿Qué necesito para el volante de empadronamiento? Me acabo de mudar a {district}.",
        "What do I need for a proof of address certificate? I just moved to {district}.",
        "ต้องใช้อะไรบ้างในการแจ้งย้ายที่อยู่ เพิ่งย้ายมาอยู่ {district}"),
    *_t("town_hall", "suggestion", "mention", "suggestions",
        "Propongo más bancos y sombra en la plaza de {district}, estaría bien para los mayores.",
        "I suggest more benches and shade in the {district} square, nice for older people.",
        "อยากให้มีม้านั่งและร่มเงาที่ลานใน {district} เพิ่ม ดีสำหรับผู้สูงอายุ"),
    *_t("public_works", "thanks", "mention", "streetlights",
        "Gracias por arreglar tan rápido la farola de la calle {street}. ¡Así da gusto!",
        "Thanks for fixing the streetlight on {street} street so quickly!",
        "ขอบคุณที่ซ่อมไฟถนนที่ถนน {street} อย่างรวดเร็วค่ะ"),
    *_t("street_cleaning", "thanks", "mention", None,
        "Muchas gracias al equipo de limpieza, {district} está impecable hoy.",
        "Many thanks to the cleaning team, {district} looks spotless today.",
        "ขอบคุณทีมทำความสะอาด วันนี้ {district} สะอาดมาก"),
)  # fmt: skip

EMERGENCIES: tuple[Template, ...] = (
    *_t("police", "emergency", "mention", None,
        "¡URGENTE! Hay fuego en un contenedor junto a las casas de la calle {street}.",
        "URGENT! There's a fire in a bin next to the houses on {street} street.",
        "ด่วน! ไฟไหม้ถังขยะข้างบ้านที่ถนน {street}"),
    *_t("police", "emergency", "mention", None,
        "Huele muchísimo a gas en el portal de la calle {street}, ¡que venga alguien ya!",
        "Strong smell of gas in the building on {street} street, send someone now!",
        "ได้กลิ่นแก๊สแรงมากที่อาคารถนน {street} ช่วยส่งคนมาด่วน"),
    *_t("water", "emergency", "mention", "leaks",
        "¡Se está inundando la calle {street}! El agua ya entra en las casas.",
        "{street} street is flooding! Water is coming into the houses.",
        "น้ำท่วมถนน {street} แล้ว น้ำเข้าบ้านแล้ว"),
    *_t("police", "emergency", "mention", None,
        "Accidente entre un coche y una moto en el cruce de {street}, hay un herido.",
        "Accident between a car and a motorbike at the {street} junction, someone is hurt.",
        "อุบัติเหตุรถชนมอเตอร์ไซค์ที่แยกถนน {street} มีคนเจ็บ"),
)  # fmt: skip

OUTAGE_TEXTS: dict[str, tuple[str, ...]] = {
    "es": (
        "Otra vez sin luz en {district}. ¡Ya está bien! #EndesaMeEstresa #ApagónJun",
        "Tres horas sin luz y la comida del congelador echándose a perder #ApagónJun",
        "¿Alguien sabe cuándo vuelve la luz? Media calle {street} a oscuras #EndesaMeEstresa",
    ),
    "en": ("Power cut again in {district}, no electricity for hours #ApagónJun",),
    "th": ("ไฟดับอีกแล้วที่ {district} #ApagónJun #EndesaMeEstresa",),
}
OUTAGE_DEPARTMENT: tuple[str, str | None] = ("public_works", "power_cuts")

STAFF_REPLIES: dict[str, tuple[str, str]] = {
    "es": ("Gracias por avisar. Lo hemos pasado al equipo y te contamos.",
           "Ya está solucionado. Gracias por tu paciencia."),
    "en": ("Thanks for letting us know. We've passed it to the team.",
           "This is now fixed. Thanks for your patience."),
    "th": ("ขอบคุณที่แจ้ง เราส่งเรื่องให้ทีมแล้ว", "แก้ไขเรียบร้อยแล้ว ขอบคุณที่รอค่ะ"),
}  # fmt: skip

GENERIC: dict[str, str] = {
    "es": "Hola, tengo una consulta sobre {name}: {keyword}. ¿Me pueden ayudar?",
    "en": "Hello, I have a question about {name}: {keyword}. Can you help?",
    "th": "สวัสดีค่ะ มีคำถามเรื่อง{name}: {keyword} ช่วยได้ไหมคะ",
}

STREETS = ("Real", "Ancha", "Iglesia", "Cervantes", "Granada", "Eras", "Molino", "Fuente Nueva")
DEFAULT_DISTRICTS = ("el Centro", "el Barrio Alto")

FIRST_NAMES = {
    "es": ("Lola", "Manuel", "Carmen", "Antonio", "Rocío", "Javier", "Pilar", "Curro", "Inma",
           "Paco", "Lucía", "Álvaro", "Nieves", "Rafael", "Encarni", "Sergio"),
    "en": ("Emma", "Oliver", "Grace", "Harry", "Sophie", "Jack"),
    "th": ("Somchai", "Malee", "Niran", "Ploy", "Anong", "Kittisak"),
}  # fmt: skip
SURNAMES = {
    "es": ("García", "Fernández", "López", "Martín", "Morales", "Jiménez", "Ruiz", "Castillo"),
    "en": ("Smith", "Taylor", "Brown", "Wilson", "Evans"),
    "th": ("Srisuk", "Chaiyaporn", "Boonmee", "Wongsa", "Kaewkla"),
}  # fmt: skip

HOSTILE: tuple[str, ...] = (
    "🔥🔥🔥 {text} 😡😡😡🙏🏽👨‍👩‍👧‍👦",
    "\u202e{text}\u202c مرحبا עברית",
    "{text}\x07\t\u200b\u0000fin",
    "{text} " + "ー" * 40,
)
"""Decorations real people add: emoji runs, RTL overrides and scripts, control characters."""

LONG_DM_CHARS = 10_000
"""A 'long story' DM runs to X's DM limit."""


@dataclass(frozen=True, slots=True)
class Resident:
    """A simulated resident and what the engine should know of them."""

    user_id: str
    handle: str
    name: str
    language: str
    verified: bool


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What a resident sent, and what it meant: the truth routing is checked against."""

    at: datetime
    resident_id: str
    route: Route
    to_account_id: str
    platform_id: str
    text: str
    department: str
    category: str | None
    intent: Intent
    language: str
    hostile: bool = False
    incident: str | None = None


@dataclass(frozen=True, slots=True)
class StaffReply:
    """A department account's reply in a resident's thread."""

    at: datetime
    department: str
    account_id: str
    post_id: str
    in_reply_to_id: str
    resolved: bool


@dataclass(slots=True)
class _Due:
    at: datetime
    message: SentMessage


class SimulatedTown:
    """A seeded town whose residents write to the accounts of `config` at `rate_per_hour`."""

    def __init__(
        self,
        config: Config,
        *,
        seed: int,
        rate_per_hour: float,
        verified_share: float = 0.8,
        population: int = 60,
        language_weights: tuple[float, float, float] = (0.8, 0.12, 0.08),
        emergency_share: float = 0.03,
        hostile_share: float = 0.03,
        reply_share: float = 0.7,
        reply_delay: tuple[timedelta, timedelta] = (timedelta(minutes=10), timedelta(hours=6)),
        outage_after: timedelta | None = timedelta(hours=3),
        outage_reports: int = 12,
        dm_share: float | None = None,
    ) -> None:
        """`dm_share`: the share of ordinary messages sent by DM (None: as the departments'
        templates fall, about a third with the shipped departments)."""
        if rate_per_hour < 0 or not 0 <= verified_share <= 1 or population < 1:
            raise ValueError("rate_per_hour >= 0, 0 <= verified_share <= 1, population >= 1")
        if dm_share is not None and not 0 <= dm_share <= 1:
            raise ValueError("0 <= dm_share <= 1")
        self._config = config
        self._random = random.Random(seed)  # noqa: S311 (a simulation, not cryptography)
        self._rate = rate_per_hour
        self._verified_share = verified_share
        self._population = population
        self._weights = language_weights
        self._emergency_share = emergency_share
        self._hostile_share = hostile_share
        self._reply_share = reply_share
        self._reply_delay = reply_delay
        self._outage_after = outage_after
        self._outage_reports = outage_reports
        self._dm_share = dm_share
        self._residents: list[Resident] = []
        self._account_ids: dict[str, str] = {}
        self._sent: list[SentMessage] = []
        self._replies: list[StaffReply] = []
        self._due: list[_Due] = []
        self._started: datetime | None = None
        self._next_at: datetime | None = None
        self._outage_done = False

    # --- the truth -------------------------------------------------------------------------------

    @property
    def residents(self) -> tuple[Resident, ...]:
        return tuple(self._residents)

    @property
    def sent(self) -> tuple[SentMessage, ...]:
        return tuple(self._sent)

    @property
    def staff_replies(self) -> tuple[StaffReply, ...]:
        return tuple(self._replies)

    # --- the driver ------------------------------------------------------------------------------

    def advance(self, now: datetime, sink: TownSink) -> None:
        """Let residents and staff do everything they would have done up to `now`."""
        if self._started is None:
            self._start(now, sink)
        assert self._next_at is not None
        while self._rate > 0 and self._next_at <= now:
            self._send(self._next_at, sink, self._compose())
            self._next_at += self._gap()
        self._maybe_outage(now, sink)
        self._reply_due(now, sink)

    def _start(self, now: datetime, sink: TownSink) -> None:
        self._started = now
        for key, account in self._config.accounts.items():
            self._account_ids[key] = sink.add_user(account.handle, account.display_name or key)
        for number in range(self._population):
            self._residents.append(self._new_resident(number, sink))
        self._next_at = now + self._gap()

    def _new_resident(self, number: int, sink: TownSink) -> Resident:
        language = self._random.choices(("es", "en", "th"), weights=self._weights)[0]
        first = self._random.choice(FIRST_NAMES[language])
        last = self._random.choice(SURNAMES[language])
        handle = f"{_ascii(first)[:6]}{_ascii(last)[:4]}{number}"[:15]
        verified = self._random.random() < self._verified_share
        user_id = sink.add_user(handle, f"{first} {last}")
        return Resident(user_id, handle, f"{first} {last}", language, verified)

    def _gap(self) -> timedelta:
        return timedelta(hours=self._random.expovariate(self._rate)) if self._rate else timedelta()

    # --- composing -------------------------------------------------------------------------------

    def _compose(self) -> tuple[Resident, Template, bool]:
        resident = self._random.choice(self._residents)
        if self._random.random() < self._emergency_share:
            options = [t for t in EMERGENCIES if t.language == resident.language]
            template = self._random.choice(options)
            if template.department not in self._config.departments:
                triage = self._config.triage_department()
                template = replace(template, department=triage, category=None)
        elif self._dm_share is not None:
            route: Route = "dm" if self._random.random() < self._dm_share else "mention"
            template = self._template_by_route(route, resident.language)
        else:
            department = self._random.choice(sorted(self._config.departments))
            template = self._template_for(department, resident.language)
        return resident, template, self._random.random() < self._hostile_share

    def _template_by_route(self, route: Route, language: str) -> Template:
        """A message that goes by `route`, to a department of the configuration."""
        departments = self._config.departments
        known = [t for t in TEMPLATES if t.route == route and t.department in departments]
        in_language = [t for t in known if t.language == language]
        if known:
            return self._random.choice(in_language or known)
        department = self._random.choice(sorted(departments))
        return self._template_for(department, language)

    def _template_for(self, department: str, language: str) -> Template:
        known = [t for t in TEMPLATES if t.department == department]
        if known:
            in_language = [t for t in known if t.language == language]
            return self._random.choice(in_language or known)
        return self._generic(department, language)

    def _generic(self, department: str, language: str) -> Template:
        dept = self._config.departments[department]
        lang = language if language in GENERIC else "es"
        name = dept.name.get(lang) or next(iter(dept.name.values()), department)
        keywords = dept.keywords.get(lang) or [name]
        text = GENERIC[lang].format(name=name, keyword=self._random.choice(keywords))
        route: Route = "dm" if dept.privacy == "private" else "mention"
        return Template(department, "question", lang, route, text)

    def _fill(self, text: str) -> str:
        districts = tuple(self._config.town.districts) or DEFAULT_DISTRICTS
        return text.replace("{street}", self._random.choice(STREETS)).replace(
            "{district}", self._random.choice(districts)
        )

    def _hostile(self, text: str, route: Route) -> str:
        if route == "dm" and self._random.random() < 0.5:
            return ((text + "\n") * (LONG_DM_CHARS // (len(text) + 1) + 1))[:LONG_DM_CHARS]
        return self._random.choice(HOSTILE).replace("{text}", text)

    # --- sending ---------------------------------------------------------------------------------

    def _send(
        self,
        at: datetime,
        sink: TownSink,
        composed: tuple[Resident, Template, bool],
        incident: str | None = None,
    ) -> None:
        resident, template, hostile = composed
        text = self._fill(template.text)
        if hostile:
            text = self._hostile(text, template.route)
        town_id = self._account_ids[self._config.town.account]
        if template.route == "dm":
            target = town_id
            platform_id = sink.dm(resident.user_id, town_id, text)
        else:
            target, handle = self._mention_target(template.department)
            text = f"@{handle} {text}"
            platform_id = sink.tweet(resident.user_id, text)
        message = SentMessage(
            at, resident.user_id, template.route, target, platform_id, text,
            template.department, template.category, template.intent, template.language,
            hostile, incident,
        )  # fmt: skip
        self._sent.append(message)
        if template.route == "mention" and self._random.random() < self._reply_share:
            low, high = self._reply_delay
            delay = low + (high - low) * self._random.random()
            self._due.append(_Due(at + delay, message))

    def _mention_target(self, department: str) -> tuple[str, str]:
        """Most residents tag the town; some tag the department's own account."""
        key = self._config.town.account
        dept = self._config.departments.get(department)
        if dept is not None and self._random.random() < 0.4:
            key = dept.account
        return self._account_ids[key], self._config.accounts[key].handle

    def _maybe_outage(self, now: datetime, sink: TownSink) -> None:
        if self._outage_done or self._outage_after is None or self._started is None:
            return
        if now < self._started + self._outage_after:
            return
        self._outage_done = True
        department, category = OUTAGE_DEPARTMENT
        if department not in self._config.departments:
            department, category = self._config.triage_department(), None
        for _ in range(self._outage_reports):
            resident = self._random.choice(self._residents)
            texts = OUTAGE_TEXTS.get(resident.language, OUTAGE_TEXTS["es"])
            lang = resident.language if resident.language in OUTAGE_TEXTS else "es"
            template = Template(department, "complaint", lang, "mention",
                                 self._random.choice(texts), category)  # fmt: skip
            self._send(now, sink, (resident, template, False), incident="outage-1")

    def _reply_due(self, now: datetime, sink: TownSink) -> None:
        ready = sorted((d for d in self._due if d.at <= now), key=lambda d: d.at)
        self._due = [d for d in self._due if d.at > now]
        for due in ready:
            self._staff_reply(due, sink)

    def _staff_reply(self, due: _Due, sink: TownSink) -> None:
        message = due.message
        dept = self._config.departments.get(message.department)
        key = dept.account if dept is not None else self._config.town.account
        account_id = self._account_ids[key]
        resolved = self._random.random() < 0.5
        acknowledge, done = STAFF_REPLIES.get(message.language, STAFF_REPLIES["es"])
        text = done if resolved else acknowledge
        if resolved:
            text += " " + self._resolved_hashtag(message.language)
        handle = next(r.handle for r in self._residents if r.user_id == message.resident_id)
        post_id = sink.tweet(account_id, f"@{handle} {text}", in_reply_to_id=message.platform_id)
        self._replies.append(
            StaffReply(due.at, message.department, account_id, post_id, message.platform_id,
                       resolved)
        )  # fmt: skip

    def _resolved_hashtag(self, language: str) -> str:
        tags = self._config.cases.resolved_hashtags
        index = ("es", "en", "th").index(language) if language in ("es", "en", "th") else 0
        return tags[index] if index < len(tags) else tags[0]


def _ascii(name: str) -> str:
    folded = name.translate(str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN"))
    return "".join(c for c in folded if c.isascii() and c.isalnum())
