"""LINE residents in the simulated town: friends of a Japanese city's account (Fukuoka) and a
Thai town's (Hat Yai), with districts, ages and LINE's area codes, who report flooding, rubbish,
dark streetlights and damaged roads, ask about water bills and book vaccinations, often with a
photo (generated) and a map pin.

`LineSimulatedTown.advance()` makes them act as a Poisson process of `rate_per_hour` in emulated
time; everything comes from one seeded `random.Random`, and what each request meant is kept in
`sent` for end-to-end checks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from jun_engine.emulator.line.friends import Friend
from jun_engine.emulator.line.residents import NotAFriendError, Residents
from jun_engine.emulator.line.state import LineState

Category = Literal["flooding", "rubbish", "streetlights", "roads", "water_bill", "vaccination"]


@dataclass(frozen=True, slots=True)
class District:
    """A district (ward, tambon) with its centre, for map pins."""

    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class City:
    """A town whose residents use LINE."""

    name: str
    language: str
    area: str
    """LINE's area code (jp_40 Fukuoka, th_05 Southern Thailand)."""
    districts: tuple[District, ...]
    names: tuple[str, ...]
    requests: dict[Category, str]
    """What a resident writes; `{district}` is filled in."""


FUKUOKA = City(
    "Fukuoka",
    "ja",
    "jp_40",
    (
        District("東区", 33.6176, 130.4175),
        District("博多区", 33.5913, 130.4150),
        District("中央区", 33.5893, 130.3926),
        District("南区", 33.5613, 130.4265),
        District("城南区", 33.5768, 130.3700),
        District("早良区", 33.5823, 130.3492),
        District("西区", 33.5836, 130.3237),
    ),
    (
        "田中 花子",
        "佐藤 健",
        "鈴木 美咲",
        "高橋 翔",
        "伊藤 陽菜",
        "渡辺 大輝",
        "山本 さくら",
        "中村 蓮",
    ),
    {
        "flooding": "{district}の川沿いの道が冠水しています。車が通れません。",
        "rubbish": "{district}のごみ集積所に粗大ごみが放置されています。",
        "streetlights": "{district}の公園の前の街灯が消えていて夜は真っ暗です。",
        "roads": "{district}の交差点の近くで道路が陥没しています。写真を送ります。",
        "water_bill": "今月の水道料金が先月の倍になっています。確認をお願いします。",
        "vaccination": "予防接種の予約をしたいです。空いている日を教えてください。",
    },
)

HAT_YAI = City(
    "Hat Yai",
    "th",
    "th_05",
    (
        District("หาดใหญ่", 7.0057, 100.4747),
        District("คอหงส์", 7.0180, 100.5000),
        District("คลองแห", 7.0400, 100.4700),
        District("ควนลัง", 6.9700, 100.4300),
        District("ท่าข้าม", 7.0600, 100.4300),
    ),
    ("สมชาย ใจดี", "สมศรี รักไทย", "มานี มีนา", "ปิติ สุขใจ", "ชูใจ แก้วงาม", "วีระ ทองดี", "อรุณี ศรีสุข"),
    {
        "flooding": "น้ำท่วมถนนที่{district} สูงถึงเข่าแล้ว รถผ่านไม่ได้ค่ะ",
        "rubbish": "ขยะที่{district}ไม่มีคนมาเก็บหนึ่งสัปดาห์แล้ว ส่งกลิ่นเหม็นมาก",
        "streetlights": "ไฟถนนที่ซอยใน{district}ดับหลายดวง มืดมากตอนกลางคืน",
        "roads": "ถนนที่{district}เป็นหลุมใหญ่ อันตรายกับรถมอเตอร์ไซค์ครับ",
        "water_bill": "ค่าน้ำประปาเดือนนี้แพงผิดปกติ ช่วยตรวจสอบมิเตอร์ให้หน่อยครับ",
        "vaccination": "อยากจองคิวฉีดวัคซีนไข้หวัดใหญ่ให้คุณแม่ค่ะ",
    },
)

CITIES = (FUKUOKA, HAT_YAI)
WITH_PHOTO: frozenset[Category] = frozenset({"flooding", "rubbish", "streetlights", "roads"})


@dataclass(frozen=True, slots=True)
class Sent:
    """What a LINE resident sent and what it meant."""

    at: datetime
    user_id: str
    city: str
    district: str
    category: Category
    text: str
    webhook_event_ids: tuple[str, ...]


class LineSimulatedTown:
    """Seeded LINE residents of every city in `cities` who write to the account."""

    def __init__(
        self,
        *,
        seed: int = 0,
        rate_per_hour: float = 30.0,
        per_city: int = 12,
        cities: tuple[City, ...] = CITIES,
    ) -> None:
        self._random = random.Random(f"line-town:{seed}")  # noqa: S311 (simulation)
        self._rate = rate_per_hour
        self._per_city = per_city
        self._cities = cities
        self._people: list[tuple[Friend, City, District]] = []
        self._next: datetime | None = None
        self.sent: list[Sent] = []

    @property
    def people(self) -> tuple[Friend, ...]:
        """Every resident the town created."""
        return tuple(friend for friend, _, _ in self._people)

    def populate(self, residents: Residents, state: LineState) -> None:
        """Create every city's residents as friends of the account."""
        for city in self._cities:
            for number in range(self._per_city):
                district = self._random.choice(city.districts)
                friend = Friend(
                    user_id=state.mint.user_id(),
                    display_name=city.names[number % len(city.names)],
                    language=city.language,
                    age=self._random.randint(16, 84),
                    gender=self._random.choice(("male", "female")),
                    area=city.area,
                    app_type=self._random.choice(("ios", "android")),
                    district=district.name,
                )
                residents.add(friend)
                self._people.append((friend, city, district))

    def advance(self, residents: Residents, state: LineState) -> None:
        """Act for the emulated time since the last call."""
        now = state.clock.now()
        if self._next is None:
            self.populate(residents, state)
            self._next = now + self._gap()
            return
        while self._next <= now:
            self._act(residents, self._next)
            self._next += self._gap()

    def _gap(self) -> timedelta:
        return (
            timedelta(hours=self._random.expovariate(self._rate))
            if self._rate > 0
            else timedelta(days=3650)
        )

    def _act(self, residents: Residents, at: datetime) -> None:
        friend, city, district = self._random.choice(self._people)
        category: Category = self._random.choice(tuple(city.requests))
        text = city.requests[category].format(district=district.name)
        ids: list[str] = []
        try:
            if not friend.reachable:
                ids.append(residents.follow(friend.user_id)["webhookEventId"])
            ids.append(residents.text(friend.user_id, text)["webhookEventId"])
            if category in WITH_PHOTO and self._random.random() < 0.7:
                ids.append(residents.image(friend.user_id)["webhookEventId"])
            if category in WITH_PHOTO and self._random.random() < 0.6:
                lat = district.latitude + self._random.uniform(-0.004, 0.004)
                lon = district.longitude + self._random.uniform(-0.004, 0.004)
                pin = residents.location(
                    friend.user_id, round(lat, 6), round(lon, 6), district.name
                )
                ids.append(pin["webhookEventId"])
            if category == "vaccination":
                day = (at + timedelta(days=self._random.randint(2, 14))).date().isoformat()
                booked = residents.postback(
                    friend.user_id, "action=book&service=vaccination", {"date": day}
                )
                ids.append(booked["webhookEventId"])
        except NotAFriendError:
            return
        self.sent.append(
            Sent(at, friend.user_id, city.name, district.name, category, text, tuple(ids))
        )
