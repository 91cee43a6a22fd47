"""Self-service on a chat channel with buttons (LINE): booking by pressing slots, confirming and
picking a day from the calendar; the home screen's areas; instant answers and help in Japanese
and Thai. The production chain (verification, then self-service) and outbox sender run over
domain messages of `Channel.LINE` written and pressed on the in-memory channel of the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.ports import OutboxItem
from jun_engine.config.schema import Config, LineAccount, LineSettings
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import AppointmentStatus, CaseStatus, Privacy
from jun_engine.emulator.clock import Clock
from jun_engine.outbox.sender import OutboxSender
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.residents.verification import bind
from jun_engine.routing.setup import build_router
from jun_engine.selfservice import appointments, conversation
from jun_engine.store.session import session_scope
from jun_engine.store.tables import AirQualityDayRow, AppointmentRow, CaseRow, ResidentRow
from tests.channels.memory import MemoryChannel
from tests.selfservice.town import add_menu, self_service_chain

OFFICIAL = "U" + "f0" * 16
"""The town's LINE official account (its bot user id)."""
AIKO, SOMCHAI, MANUEL = ("U" + f"{n:032x}" for n in (1, 2, 3))
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""10:00 in Jun; each turn steps a minute first, so the first slot an hour ahead is 11:15."""
FIRST_SLOT = "book:health:2026-03-02T11:15+01:00"
CONFIRM_FIRST = "confirm:health:2026-03-02T11:15+01:00"


@pytest.fixture(scope="module")
def config(config: Config) -> Config:
    """Jun with a LINE official account whose residents write Japanese."""
    account = LineAccount(
        channel_id="2000000001",
        bot_user_id=OFFICIAL,
        channel_secret_env="JUN_LINE_SECRET",
        access_token_env="JUN_LINE_TOKEN",
        language="ja",
    )
    return config.model_copy(update={"line": LineSettings(accounts={"jun": account})})


class Town:
    """The engine around the in-memory LINE-like channel, turned by hand on a stepped clock;
    its chain is verification then self-service, or the daemon's whole chain."""

    def __init__(self, engine: Engine, config: Config, chain: Chain | None = None) -> None:
        self.engine, self.config = engine, config
        self.chain = chain or self_service_chain()
        self.clock = Clock.stepped(MONDAY)
        self.channel = MemoryChannel(engine, self.clock, town=OFFICIAL)
        self.sender = OutboxSender(engine, {Channel.LINE: self.channel}, self.clock)

    def resident(self, user_id: str, language: str, district: str = "Centro") -> int:
        """A resident of the register, verified on the channel as `user_id`."""
        with session_scope(self.engine) as session:
            row = ResidentRow(name="Vecino", district=district, language=language)
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.LINE, user_id), now=MONDAY)
            assert row.id is not None
            return row.id

    def says(self, user: str, text: str) -> OutboxItem:
        """`user` writes `text`; the one answer they got."""
        self.channel.write(user, text)
        return self._answer()

    def presses(
        self, user: str, data: str, label: str = "", params: dict[str, str] | None = None
    ) -> OutboxItem:
        """`user` presses a button; the one answer they got."""
        self.channel.press(user, data, label, params)
        return self._answer()

    def turn(self) -> list[OutboxItem]:
        """Process what came in and send it; what was sent."""
        before = len(self.channel.sent)
        self.clock.step(timedelta(minutes=1))
        process_all(self.engine, self.clock, self.config, self.chain)
        self.sender.drain_once()
        return [item for _, item in self.channel.sent[before:]]

    def _answer(self) -> OutboxItem:
        sent = self.turn()
        assert len(sent) == 1, [item.text for item in sent]
        return sent[0]


@pytest.fixture
def town(engine: Engine, config: Config) -> Town:
    return Town(engine, config)


def _data(item: OutboxItem) -> list[str | None]:
    return [choice.data for choice in item.choices]


def _booked(engine: Engine) -> list[AppointmentRow]:
    with Session(engine) as session:
        statement = select(AppointmentRow).where(AppointmentRow.status == AppointmentStatus.BOOKED)
        return list(session.exec(statement).all())


def test_a_resident_books_by_pressing_a_slot_and_confirming(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    # When she taps "appointments" on the home screen
    offers = town.presses(AIKO, "menu:appointments", "予約")
    # Then the next free slots come as buttons, and in words, in Japanese
    assert offers.text.startswith("Consultorio de Saludの次の空き枠です:")
    assert "1. 3月2日(月) 11:15" in offers.text
    assert offers.choices[0] == Choice("3/2(月) 11:15", FIRST_SLOT)
    assert offers.choices[-2:] == (
        Choice("別の日", ask="date"),
        Choice("キャンセル", "stop:booking"),
    )
    assert len(offers.choices) == 3 + 2
    # When she taps the first slot, she is asked to confirm it, and nothing is booked yet
    asked = town.presses(AIKO, FIRST_SLOT, "3/2(月) 11:15")
    assert "3月2日(月) 11:15" in asked.text
    assert "よろしいですか" in asked.text
    assert _data(asked) == [CONFIRM_FIRST, "stop:booking"]
    assert _booked(engine) == []
    # When she confirms, the appointment is booked, with buttons to move or cancel it
    booked = town.presses(AIKO, CONFIRM_FIRST, "確定する")
    [row] = _booked(engine)
    assert row.channel is Channel.LINE
    assert (row.account_id, row.user_id, row.language) == (OFFICIAL, AIKO, "ja")
    assert row.reference in booked.text
    assert "予約が確定しました" in booked.text
    assert _data(booked) == [
        f"appointment:move:{row.reference}",
        f"appointment:cancel:{row.reference}",
    ]
    # And the cancel button cancels it
    cancelled = town.presses(AIKO, f"appointment:cancel:{row.reference}", "予約を取り消す")
    assert f"{row.reference} を取り消しました" in cancelled.text
    assert _booked(engine) == []


def test_the_same_slot_confirmed_twice_is_booked_once(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    town.resident(MANUEL, "es")
    # Both are offered the same 11:15 slot and tap it
    town.presses(AIKO, "menu:appointments")
    town.presses(MANUEL, "menu:appointments")
    town.presses(AIKO, FIRST_SLOT)
    town.presses(MANUEL, FIRST_SLOT)
    # Aiko confirms first: hers
    town.presses(AIKO, CONFIRM_FIRST)
    # Manuel's confirmation is refused politely, with the next free slots as buttons
    taken = town.presses(MANUEL, CONFIRM_FIRST, "Confirmar")
    assert taken.text.startswith("Lo sentimos, esa hora se acaba de ocupar.")
    assert "lunes 2 de marzo a las 11:15" not in taken.text
    assert FIRST_SLOT not in _data(taken)
    assert "book:health:2026-03-02T11:30+01:00" in _data(taken)
    [row] = _booked(engine)
    assert row.user_id == AIKO
    # And Aiko confirming again does not book a second seat
    again = town.presses(AIKO, "confirm:health:2026-03-02T11:30+01:00")
    assert "すでに上限" in again.text
    assert len(_booked(engine)) == 1


def test_a_day_picked_from_the_calendar_offers_that_days_slots(town: Town, engine: Engine) -> None:
    town.resident(SOMCHAI, "th")
    town.says(SOMCHAI, "อยากนัดหมอค่ะ")
    # When he picks Wednesday 4 March from the date picker
    day = town.presses(SOMCHAI, "date", "วันอื่น", {"date": "2026-03-04"})
    # Then that day's first free slots come in Thai, in words and as buttons
    assert day.text.startswith("นัดว่างที่")
    assert "วันพุธที่ 4 มีนาคม" in day.text
    assert "1. วันพุธที่ 4 มีนาคม เวลา 08:30 น." in day.text
    assert _data(day)[0] == "book:health:2026-03-04T08:30+01:00"
    assert len(day.choices) == 13  # 11 slots, another day, cancel: LINE's most
    # When he taps 09:00 and confirms, that slot is booked
    town.presses(SOMCHAI, "book:health:2026-03-04T09:00+01:00", "พ. 4 มี.ค. 09:00")
    booked = town.presses(SOMCHAI, "confirm:health:2026-03-04T09:00+01:00", "ยืนยัน")
    assert "ยืนยันนัด" in booked.text
    assert "วันพุธที่ 4 มีนาคม เวลา 09:00 น." in booked.text
    [row] = _booked(engine)
    assert row.user_id == SOMCHAI


def test_a_day_with_no_free_slot_asks_for_another(town: Town) -> None:
    town.resident(AIKO, "ja")
    town.presses(AIKO, "menu:appointments")
    # A Sunday (closed) and a day past the 14-day horizon
    for picked in ("2026-03-08", "2026-04-30"):
        full = town.presses(AIKO, "date", "別の日", {"date": picked})
        assert "空きがありません" in full.text
        assert "3月16日(月)までの別の日" in full.text
        assert full.choices == (Choice("別の日", ask="date"), Choice("キャンセル", "stop:booking"))


def test_typed_answers_still_work_on_buttons_channel(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    town.says(AIKO, "診察の予約をしたいです")
    booked = town.says(AIKO, "2")
    [row] = _booked(engine)
    assert "3月2日(月) 11:30" in booked.text
    assert row.reference in booked.text


def test_cancel_button_ends_the_dialogue(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    town.presses(AIKO, "menu:appointments")
    town.presses(AIKO, FIRST_SLOT)
    dropped = town.presses(AIKO, "stop:booking", "キャンセル")
    assert dropped.text == "承知しました。何も変更していません。"
    with Session(engine) as session:
        assert conversation.load(session, Channel.LINE, AIKO, town.clock.now()) is None
    assert _booked(engine) == []


@pytest.mark.parametrize(
    ("text", "language", "wanted"),
    [
        ("今日の給食は何ですか", "ja", "CEIP de Junの給食 今日 (3月2日(月)): Lentejas, Fruta。"),
        ("ごみの収集日はいつですか", "ja", "Centroのごみ収集日: 月曜日、水曜日、金曜日、日曜日。"),
        ("วันนี้อาหารกลางวันมีอะไรบ้าง", "th", "เมนูอาหารกลางวัน CEIP de Jun วันนี้"),
        ("เก็บขยะวันไหน", "th", "วันเก็บขยะที่ Centro: วันจันทร์"),
    ],
)
def test_instant_answers_in_japanese_and_thai(
    town: Town, engine: Engine, text: str, language: str, wanted: str
) -> None:
    with session_scope(engine) as session:
        add_menu(session, MONDAY.date(), ["Lentejas", "Fruta"])
    town.resident(AIKO, "es")  # registered in Spanish: the language she writes in wins
    answer = town.says(AIKO, text)
    assert wanted in answer.text


def test_help_on_a_chat_account_speaks_of_its_menu_in_japanese(town: Town) -> None:
    town.resident(AIKO, "ja")
    guide = town.says(AIKO, "ヘルプ")
    assert guide.text.startswith("Junの使い方:")
    assert "下のメニュー" in guide.text
    assert "メンション" not in guide.text  # nothing is public on LINE


def test_a_resident_of_no_stated_language_is_answered_in_the_accounts(town: Town) -> None:
    town.resident(AIKO, "de")  # not a language the town speaks
    guide = town.presses(AIKO, "menu:verify")
    assert guide.text.startswith("アカウントは確認済みです。")


@pytest.fixture
def with_data(engine: Engine, town: Town) -> int:
    """A resident with one open case and one resolved, a school menu and the air forecast."""
    resident = town.resident(AIKO, "ja")
    with session_scope(engine) as session:
        add_menu(session, MONDAY.date(), ["Lentejas", "Fruta"])
        add_menu(session, MONDAY.date() + timedelta(days=1), ["Paella"])
        for number, status in ((1, CaseStatus.IN_PROGRESS), (2, CaseStatus.RESOLVED)):
            session.add(
                CaseRow(
                    reference=f"JUN-2026-00000{number}", resident_id=resident,
                    department="public_works", channel=Channel.LINE, privacy=Privacy.PRIVATE,
                    status=status, language="ja", opened_at=MONDAY, author_id=AIKO,
                )
            )  # fmt: skip
        session.add(
            AirQualityDayRow(
                day=MONDAY.date(), checked_at=MONDAY, levels="pm2_5=31.0 pm10=20.0",
                exceeded="pm2_5",
            )
        )  # fmt: skip
    return resident


@pytest.mark.parametrize(
    ("data", "wanted", "buttons"),
    [
        ("menu:school_menu", "Lentejas, Fruta", ["menu:school_menu:tomorrow"]),
        ("menu:school_menu:tomorrow", "Paella", []),
        ("menu:air_quality", "PM2.5がJunの基準値を超えています", []),
        ("menu:my_cases", "JUN-2026-000001 · ", []),
        ("menu:verify", "確認済み", []),
        ("menu:report", "何がどこで起きているか", [None, None]),
        ("menu:appointments", "1. 3月2日(月) 11:15", [FIRST_SLOT]),
    ],
)
def test_each_area_of_the_home_screen_is_answered(
    town: Town, with_data: int, data: str, wanted: str, buttons: list[str | None]
) -> None:
    answer = town.presses(AIKO, data)
    assert wanted in answer.text
    assert _data(answer)[: len(buttons)] == buttons


def test_my_cases_lists_only_open_ones_with_their_status(town: Town, with_data: int) -> None:
    listed = town.presses(AIKO, "menu:my_cases")
    assert listed.text.startswith("対応中の案件:\nJUN-2026-000001 · ")
    assert "JUN-2026-000002" not in listed.text


def test_report_offers_the_map_pin_and_the_camera(town: Town) -> None:
    town.resident(AIKO, "ja")
    answer = town.presses(AIKO, "menu:report")
    assert [choice.ask for choice in answer.choices] == ["location", "camera"]


def test_another_stages_button_is_left_to_it(town: Town) -> None:
    town.resident(AIKO, "ja")
    town.channel.press(AIKO, "rate:JUN-2026-000001:5", "★★★★★")
    assert town.turn() == []


def test_the_reminder_goes_back_on_line_with_its_buttons(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    town.presses(AIKO, "menu:appointments")
    town.presses(AIKO, "book:health:2026-03-03T09:00+01:00")
    town.presses(AIKO, "confirm:health:2026-03-03T09:00+01:00")
    [row] = _booked(engine)
    # At 18:00 the day before (the book's reminder time)
    evening = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        assert appointments.send_reminders(session, town.config, evening) == 1
    town.clock.step(evening - town.clock.now())
    [reminder] = town.turn()
    assert (reminder.channel, reminder.account_id, reminder.target) == (
        Channel.LINE,
        OFFICIAL,
        AIKO,
    )
    assert reminder.text.startswith("リマインダー: 明日3月3日(火) 09:00に")
    assert _data(reminder) == [
        f"appointment:move:{row.reference}",
        f"appointment:cancel:{row.reference}",
    ]


def test_a_slot_no_longer_bookable_is_refused_with_fresh_offers(town: Town, engine: Engine) -> None:
    town.resident(AIKO, "ja")
    # A button left from an earlier offer, for a time already too close
    stale = town.presses(AIKO, "book:health:2026-03-02T08:30+01:00")
    assert stale.text.startswith("申し訳ありません。その時間はちょうど埋まってしまいました。")
    assert FIRST_SLOT in _data(stale)
    assert _booked(engine) == []


def test_the_daemons_whole_chain_books_by_buttons(engine: Engine, config: Config) -> None:
    # The router and the case desk come before and after self-service: a press is no case
    router = build_router(config, config_dir=Path(__file__).resolve().parents[2])
    town = Town(engine, config, Chain.build(config, router))
    town.resident(AIKO, "ja")
    assert town.presses(AIKO, "menu:appointments", "予約").choices[0].data == FIRST_SLOT
    town.presses(AIKO, FIRST_SLOT, "3/2(月) 11:15")
    booked = town.presses(AIKO, CONFIRM_FIRST, "確定する")
    [row] = _booked(engine)
    assert row.reference in booked.text
    with Session(engine) as session:
        assert session.exec(select(CaseRow)).all() == []
