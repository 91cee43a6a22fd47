"""The LINE story end to end, against a real `jun-engine run` process and the LINE emulator on
loopback: a resident adds the town's official account and is welcomed (the rich menu is their home
screen), links it to the register with the town hall's one-time code, reports a dark street, is
acknowledged by a free reply and asked for a photo and a map pin with quick replies, sends both
(attached to the case, the district found from the pin), reads the department's signed answer
(`jun-engine cases reply`), hears the case resolved (`jun-engine cases resolve`) and rates it with
a quick reply; books an appointment with buttons and the date picker; a notice to one district's
opted-in residents (`jun-engine notices add --dm --channel line`) reaches only them; an emergency
alert (`jun-engine alert`) is broadcast to every friend. Then, with the month's quota nearly used
up, what was queued goes in the quota's order: the answer whose reply token is long gone, then a
status update, while the rest (the next status update, a notice) is held until the month turns.

Judged from what each LINE user has in their chat on the emulator, the emulator's ledger (every
sending request, in order, with its retry key) and the database. The daemon, and every command
staff type, are real `jun-engine` processes (forked from one that imported the engine once,
tests/daemon/zygote.py); the emulators run in this process on one clock that runs at real speed
and is stepped where the story says time passes.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import (
    AppointmentStatus,
    CaseStatus,
    CastKind,
    CastStatus,
    MessageStatus,
    OutboxStatus,
    ResidentStatus,
)
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.ledger import Entry
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import (
    AppointmentRow,
    CasePhotoRow,
    CasePlaceRow,
    CaseRow,
    InboundMessageRow,
    LineCastRow,
    LineQuotaRow,
    OutboxRow,
    ResidentIdentityRow,
    ResidentRow,
)
from tests.channels.line.conftest import free_port
from tests.channels.line.residents import enrol_on_line
from tests.daemon.harness import CONFIG, REPO, SPEND_CAP, Zygote, lock_holder, wait_until
from tests.emulator.line.clients import admin, friend

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

START = datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
"""Tuesday 31 March, 15:00 in Jun: LINE's month (Japan's) ends two hours later."""
APRIL_IN_JAPAN = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
ACCOUNT = "jun_line"
DEADLINE = 60.0
"""Real seconds a step of the story may take on a loaded machine (each wait ends sooner)."""
FREE_PLAN = 200
"""LINE's free plan: messages a month."""
NEARLY_USED = 178
"""LINE's count after the emergency broadcast: 2 below the 180 status updates may reach (10 %
of the month is kept for answers and emergencies), past the 160 notices may reach (20 %)."""
MARCH = "2026-03"
"""LINE's month of the story, in `line_quota`."""
PIN = (37.2200, -3.5900)
"""A map pin in Centro (docs/jun-districts.geojson)."""
REPORT = "ไฟถนนดับ หน้าบ้านเลขที่ 12 ซอยสาม มืดมากตอนกลางคืน"
ANSWER = "พรุ่งนี้เช้าทีมไฟฟ้าจะไปเปลี่ยนหลอดให้ครับ"
NOTICE = "Corte de agua programado en Barrio Alto el jueves de 8:00 a 12:00."
SECOND_NOTICE = "Barrio Alto: el corte de agua del jueves se amplía hasta las 14:00."
ALERT = "Tormenta fuerte esta noche: no salgan de casa."


class Story:
    """The town: the X and LINE emulators on one clock, the database, the daemon and the staff's
    commands (real `jun-engine` processes), and what each LINE user sees."""

    def __init__(
        self, x: Emulator, line: LineEmulator, engine: Engine, db_url: str, tmp: Path
    ) -> None:
        self.line, self.engine, self.db_url, self.tmp = line, engine, db_url, tmp
        self.clock = line.clock
        self.port = free_port()
        self.config_path = write_config(tmp, line, self.port)
        self.env = {**os.environ, **x.credentials_env(), **line.credentials_env()}
        self.zygote = Zygote()
        self.log = tmp / "daemon.log"
        self.pid: int | None = None
        self.commands = 0
        self.seen: dict[str, int] = {}
        """How many messages in each user's chat the test has read."""
        line.state.webhook.url = f"http://127.0.0.1:{self.port}/line/webhook"

    # --- processes -------------------------------------------------------------------------

    def start(self) -> None:
        """`jun-engine run`; returns once it holds the database and serves the webhook."""
        argv = ["-c", str(self.config_path), "--db", self.db_url, "run"]
        self.pid = pid = self.zygote.spawn(argv, self.env, self.log)
        self.wait(lambda: lock_holder(self.engine) == pid, "the daemon to start")
        self.wait(lambda: admin(self.line, "POST", "webhook/verify")["success"], "the webhook")

    def stop(self) -> int:
        """SIGTERM; the daemon's exit code."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGTERM)
        code = self.zygote.wait(self.pid)
        self.pid = None
        return code

    def staff(self, *argv: str) -> str:
        """A `jun-engine` command as staff type it; its output (the test fails on a non-zero
        exit)."""
        self.commands += 1
        log = self.tmp / f"command-{self.commands}.log"
        full = ["-c", str(self.config_path), "--db", self.db_url, *argv]
        code = self.zygote.wait(self.zygote.spawn(full, self.env, log))
        output = log.read_text(encoding="utf-8", errors="replace")
        assert code == 0, f"jun-engine {' '.join(argv)} exited {code}: {output}"
        return output

    def close(self) -> None:
        """End the zygote, and any daemon still running."""
        self.zygote.close()

    def daemon_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    # --- waiting ---------------------------------------------------------------------------

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        try:
            wait_until(condition, DEADLINE, what)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- daemon log ---\n{self.daemon_log()}") from None

    def hears(self, user: str, count: int, what: str) -> list[dict[str, Any]]:
        """Wait until `user` has `count` messages in their chat they have not read yet; those
        (the test fails if more came)."""
        seen = self.seen.get(user, 0)
        self.wait(lambda: len(self.chat(user)) >= seen + count, what)
        chat = self.chat(user)
        assert len(chat) == seen + count, json.dumps(chat, ensure_ascii=False, indent=1)
        self.seen[user] = seen + count
        return chat[seen:]

    # --- LINE users ------------------------------------------------------------------------

    def chat(self, user: str) -> list[dict[str, Any]]:
        """What `user` received, oldest first: `{"via", "message", ...}` each."""
        return list(admin(self.line, "GET", f"users/{user}/messages")["messages"])

    def texts(self, user: str) -> list[str]:
        return [str(record["message"].get("text", "")) for record in self.chat(user)]

    def says(self, user: str, text: str) -> dict[str, Any]:
        return dict(admin(self.line, "POST", f"users/{user}/text", {"text": text}))

    def taps(self, user: str, data: str, params: dict[str, str] | None = None) -> None:
        body: dict[str, Any] = {"data": data}
        if params is not None:
            body["params"] = params
        admin(self.line, "POST", f"users/{user}/postback", body)

    def ledger(self) -> list[Entry]:
        return self.line.state.ledger.page(0, 100_000)

    # --- the database ----------------------------------------------------------------------

    def case_of(self, user: str) -> CaseRow:
        with Session(self.engine) as session:
            statement = select(CaseRow).where(CaseRow.author_id == user)
            return session.exec(statement.order_by(col(CaseRow.id))).all()[-1]

    def outbox(self, key: str) -> OutboxRow:
        with Session(self.engine) as session:
            return session.exec(select(OutboxRow).where(OutboxRow.idempotency_key == key)).one()

    def casts(self) -> list[LineCastRow]:
        with Session(self.engine) as session:
            return list(session.exec(select(LineCastRow).order_by(col(LineCastRow.id))).all())

    def quota_spent(self, month: str) -> int:
        with Session(self.engine) as session:
            row = session.get(LineQuotaRow, (self.line.state.channel.bot_user_id, month))
            return 0 if row is None else row.spent


def write_config(tmp: Path, line: LineEmulator, port: int) -> Path:
    """The shipped accounts.yaml with its districts drawn, a spend cap a test never reaches and
    a LINE account: the emulator's channel, on LINE's free plan, speaking Thai."""
    text = CONFIG.read_text(encoding="utf-8")
    drawn = "  # districts_geojson: docs/jun-districts.geojson"
    assert SPEND_CAP in text
    assert drawn in text
    text = text.replace(SPEND_CAP, "daily_spend_cap_usd: 1000.0")
    text = text.replace(drawn, f"  districts_geojson: {REPO / 'docs' / 'jun-districts.geojson'}")
    channel = line.state.channel
    text += (
        "\nline:\n"
        f"  webhook: {{host: 127.0.0.1, port: {port}}}\n"
        "  accounts:\n"
        f"    {ACCOUNT}:\n"
        f"      channel_id: '{channel.channel_id}'\n"
        f"      bot_user_id: {channel.bot_user_id}\n"
        "      channel_secret_env: JUN_LINE_CHANNEL_SECRET\n"
        "      access_token_env: JUN_LINE_CHANNEL_ACCESS_TOKEN\n"
        "      plan: free\n"
        "      language: th\n"
    )
    path = tmp / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def story(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[Story]:
    config: Config = load_config(CONFIG).config
    clock = Clock(START, speed=1.0)
    with (
        Emulator(config, seed=14, clock=clock) as x,
        LineEmulator(seed=14, clock=clock, plan="free") as line,
    ):
        town = Story(x, line, engine, db_url, tmp_path)
        try:
            yield town
        finally:
            town.close()  # a daemon still running is killed


def test_a_resident_is_served_on_line_from_the_first_follow_to_an_exhausted_quota(
    story: Story,
) -> None:
    story.start()
    bee, cai, dao = neighbours(story)
    arun = follows_and_links(story)
    case = reports_a_dark_street_with_a_photo_and_a_pin(story, arun)
    hears_the_answer_and_the_resolution_and_rates_it(story, arun, case)
    books_an_appointment_with_buttons_and_the_date_picker(story, arun)
    a_notice_reaches_one_districts_residents_only(story, arun, bee, [cai, dao])
    emergency = an_emergency_reaches_every_friend(story, [arun, bee, cai, dao])
    the_last_of_the_quota_goes_in_order(story, emergency, arun, bee, cai, dao)
    assert story.stop() == 0, story.daemon_log()
    # And every event LINE sent was answered 200, and every message the residents sent is
    # stored once and processed: Bee's and Cai's reports; Arun's code, report, pin, photo and
    # his five taps (his follow is no message)
    deliveries = admin(story.line, "GET", "deliveries")["deliveries"]
    answered = {e for d in deliveries if d["status"] == 200 for e in d["eventIds"]}
    assert answered == {e for d in deliveries for e in d["eventIds"]}
    assert len(answered) == 12
    with Session(story.engine) as session:
        stored = session.exec(select(InboundMessageRow.platform_id, InboundMessageRow.status)).all()
    assert len({platform_id for platform_id, _ in stored}) == len(stored) == 11
    assert {status for _, status in stored} == {MessageStatus.PROCESSED}


def neighbours(story: Story) -> tuple[str, str, str]:
    """Residents of the register already on LINE: Bee in Barrio Alto and Cai in Centro (both
    opted in to water cuts), each with a case; and Dao, a friend who never linked LINE."""
    bee, cai = (
        enrol_on_line(story.engine, story.line, START, count=1, district=d, topics=("water_cuts",))[
            0
        ]
        for d in ("Barrio Alto", "Centro")
    )
    story.says(bee, "El contenedor de la calle Real está roto y lleno")
    story.says(cai, "Hay una baldosa suelta en la acera de la plaza, casi me caigo")
    for user in (bee, cai):
        [acknowledged] = story.hears(user, 1, "an acknowledgement")
        assert acknowledged["via"] == "reply"
    return bee, cai, friend(story.line, "ดาว")


def follows_and_links(story: Story) -> str:
    """Arun adds the account and links it to the register with the town hall's one-time code;
    his LINE user id."""
    line = story.line
    # When Arun adds the town's account
    arun = friend(line, "อรุณ", following=False, language="th")
    admin(line, "POST", f"users/{arun}/follow")
    # Then he is welcomed with a free reply saying how to link to the register, in Thai
    [welcome] = story.hears(arun, 1, "the welcome")
    assert welcome["via"] == "reply"
    assert "รหัส" in welcome["message"]["text"]
    # And the rich menu from accounts.yaml is his home screen
    menu = line.state.rich_menus.default()
    assert line.state.rich_menus.showing(arun) == menu
    areas = line.state.rich_menus.get(menu).body["areas"]
    assert [a["action"]["data"] for a in areas][:2] == ["menu:report", "menu:my_cases"]

    # When the town hall enrols him and he sends the one-time code in the chat
    enrolled = json.loads(
        story.staff(
            "residents", "enrol", "อรุณ ใจดี", "--district", "Barrio Alto",
            "--topic", "water_cuts", "--language", "th", "--json",
        )
    )  # fmt: skip
    story.says(arun, f"รหัสยืนยันของผมคือ {enrolled['code']}")
    # Then he is told, by a free reply (and nothing else), and his LINE account is his
    [linked] = story.hears(arun, 1, "the link confirmed")
    assert linked["via"] == "reply"
    with Session(story.engine) as session:
        resident = session.get(ResidentRow, enrolled["resident_id"])
        identity = session.exec(
            select(ResidentIdentityRow).where(ResidentIdentityRow.user_id == arun)
        ).one()
    assert resident is not None
    assert resident.status is ResidentStatus.VERIFIED
    assert (identity.channel, identity.resident_id) == (Channel.LINE, resident.id)
    return arun


def reports_a_dark_street_with_a_photo_and_a_pin(story: Story, arun: str) -> CaseRow:
    """Arun reports in words; is asked for, and sends, a map pin and a photo; his case."""
    # When he reports a dark street in words only
    story.says(arun, REPORT)
    [ack] = story.hears(arun, 1, "the acknowledgement and the question")
    case = story.case_of(arun)
    # Then a case is open at public works, acknowledged with a free reply naming it
    assert (case.channel, case.department, case.category, case.status) == (
        Channel.LINE,
        "public_works",
        "streetlights",
        CaseStatus.ACKNOWLEDGED,
    )
    assert ack["via"] == "reply"
    assert case.reference in ack["message"]["text"]
    # And, in the same free reply under the acknowledgement, quick replies ask for the map pin
    # and a photo (no push spent on the question)
    asked = [item["action"]["type"] for item in ack["message"]["quickReply"]["items"]]
    assert asked == ["location", "camera", "cameraRoll"]

    # When he sends the pin and a photo
    admin(story.line, "POST", f"users/{arun}/location", {"latitude": PIN[0], "longitude": PIN[1]})
    photo = admin(story.line, "POST", f"users/{arun}/image")
    # Then he is told each joined his case, by free replies, the pin's district named
    confirmed = story.hears(arun, 2, "the pin and the photo confirmed")
    assert {r["via"] for r in confirmed} == {"reply"}
    assert all(case.reference in r["message"]["text"] for r in confirmed)
    assert "(Centro)" in confirmed[0]["message"]["text"]
    # And both are on the case: the pin with its district, the photo fetched from LINE and
    # kept in the media store
    story.wait(lambda: _photo(story, case) is not None, "the photo fetched")
    place, fetched = _place(story, case), _photo(story, case)
    assert place is not None
    assert fetched is not None
    assert (place.latitude, place.longitude, place.district) == (*PIN, "Centro")
    assert (fetched.content_id, fetched.status) == (photo["messageId"], PhotoStatus.STORED)
    assert fetched.path is not None
    assert (story.tmp / "media" / fetched.path).stat().st_size == fetched.size
    return case


def hears_the_answer_and_the_resolution_and_rates_it(
    story: Story, arun: str, case: CaseRow
) -> None:
    """Staff answer and resolve the case from the command line; Arun rates it."""
    # When staff answer from the command line, minutes later (the report's reply token gone)
    story.clock.step(timedelta(minutes=5))
    story.staff("cases", "reply", case.reference, ANSWER)
    [answered] = story.hears(arun, 1, "the department's answer")
    # Then he reads it from the town's account, signed by the department
    assert answered["via"] == "push"
    assert answered["message"]["text"] == f"{ANSWER}\n— งานโยธาและบริการ ({case.reference})"

    # When they resolve it
    story.staff("cases", "resolve", case.reference)
    resolved, survey = story.hears(arun, 2, "the resolution and the survey")
    # Then he is told, and asked to rate it 1-5 with quick replies
    assert case.reference in resolved["message"]["text"]
    datas = [item["action"]["data"] for item in survey["message"]["quickReply"]["items"]]
    assert datas == [f"rate:{case.reference}:{n}" for n in range(1, 6)]

    # When he taps 4
    story.taps(arun, datas[3])
    [thanks] = story.hears(arun, 1, "the thanks")
    # Then the rating is on the case, which closes, and the thanks are a free reply
    assert thanks["via"] == "reply"
    closed = story.case_of(arun)
    assert (closed.satisfaction, closed.status) == (4, CaseStatus.CLOSED)


def books_an_appointment_with_buttons_and_the_date_picker(story: Story, arun: str) -> None:
    """Arun books at the health centre from the home screen, all by tapping."""
    # When he taps "appointments" on the home screen, picks Wednesday 8 April in the date
    # picker, taps its first slot and confirms it
    heard = story.seen[arun]
    story.taps(arun, "menu:appointments")
    [offers] = story.hears(arun, 1, "the offered slots")
    [picker] = [
        item["action"]
        for item in offers["message"]["quickReply"]["items"]
        if item["action"]["type"] == "datetimepicker"
    ]
    story.taps(arun, picker["data"], {"date": "2026-04-08"})
    [day] = story.hears(arun, 1, "that day's slots")
    first = day["message"]["quickReply"]["items"][0]["action"]["data"]
    assert first.startswith("book:health:2026-04-08T")
    story.taps(arun, first)
    [confirm] = story.hears(arun, 1, "the question to confirm")
    story.taps(arun, confirm["message"]["quickReply"]["items"][0]["action"]["data"])
    [booked] = story.hears(arun, 1, "the booking confirmed")
    # Then the appointment is booked, and every step was a free reply
    with Session(story.engine) as session:
        [appointment] = session.exec(
            select(AppointmentRow).where(AppointmentRow.status == AppointmentStatus.BOOKED)
        ).all()
    assert (appointment.channel, appointment.user_id) == (Channel.LINE, arun)
    assert appointment.reference in booked["message"]["text"]
    assert {r["via"] for r in story.chat(arun)[heard:]} == {"reply"}


def a_notice_reaches_one_districts_residents_only(
    story: Story, arun: str, bee: str, others: list[str]
) -> None:
    """A segmented notice on LINE: Barrio Alto's residents opted in to water cuts."""
    # When staff send a notice to Barrio Alto's residents opted in to water cuts, on LINE
    story.staff(
        "notices", "add", NOTICE, "--dm", "--topic", "water_cuts",
        "--district", "Barrio Alto", "--channel", "line",
    )  # fmt: skip
    # Then it reached Arun and Bee, in one multicast, and neither Cai (Centro) nor Dao
    for user in (arun, bee):
        [notice] = story.hears(user, 1, "the notice to Barrio Alto")
        assert (notice["via"], notice["message"]["text"]) == ("multicast", NOTICE)
    [cast] = story.casts()
    assert (cast.how, cast.status, cast.delivered) == (CastKind.MULTICAST, CastStatus.SENT, 2)
    assert all(NOTICE not in story.texts(user) for user in others)


def an_emergency_reaches_every_friend(story: Story, friends: list[str]) -> LineCastRow:
    """An alert broadcast when the month's messages are nearly used up; its cast."""
    # Given the month's messages nearly used up (LINE's console sent the rest)
    now = story.clock.now()
    quota = story.line.state.quota
    quota.charge(NEARLY_USED - len(friends) - quota.used(now), now)
    # When staff raise an emergency alert
    story.staff("alert", ALERT, "--yes")
    # Then it is broadcast to every friend of the account
    for user in friends:
        [alert] = story.hears(user, 1, "the alert")
        assert alert["via"] == "broadcast"
        assert ALERT in alert["message"]["text"]
    emergency = story.casts()[-1]
    assert (emergency.how, emergency.status) == (CastKind.BROADCAST, CastStatus.SENT)
    # And the engine read LINE's count before and after it: it reached the four friends, and
    # the month is nearly used up
    story.wait(lambda: story.quota_spent(MARCH) == NEARLY_USED, "the quota read back")
    assert story.casts()[-1].delivered == len(friends)
    return emergency


def the_last_of_the_quota_goes_in_order(
    story: Story, emergency: LineCastRow, arun: str, bee: str, cai: str, dao: str
) -> None:
    """Queued while the daemon is down, with two messages left for status updates: the answer
    goes, then one status update; the other and a notice wait until the month turns."""
    # Given, while the daemon is stopped, Bee's case resolved (two status updates: the news and
    # the survey), then Cai's answered (its reply token long gone), and a second notice
    assert story.stop() == 0
    bee_case, cai_case = story.case_of(bee), story.case_of(cai)
    story.staff("cases", "resolve", bee_case.reference)
    story.staff("cases", "reply", cai_case.reference, "Mañana la reparamos.")
    story.staff(
        "notices", "add", SECOND_NOTICE, "--dm", "--topic", "water_cuts",
        "--district", "Barrio Alto", "--channel", "line",
    )  # fmt: skip
    sent_before = len(story.ledger())
    # When the daemon starts again
    story.start()
    survey = f"case:{bee_case.reference}:survey"
    story.wait(lambda: "LINE quota" in str(story.outbox(survey).last_error), "the survey held")
    story.wait(lambda: "LINE quota" in str(story.casts()[-1].last_error), "the notice held")
    # Then the answer went first, then one status update, as far as the quota allows: Cai
    # reads the answer, Bee the news that her case is resolved (pushes, the tokens long gone)
    [answer] = story.hears(cai, 1, "the answer to Cai")
    [news] = story.hears(bee, 1, "the news of Bee's case")
    assert answer["message"]["text"].startswith("Mañana la reparamos.")
    assert bee_case.reference in news["message"]["text"]
    assert {answer["via"], news["via"]} == {"push"}
    assert _kinds(story, emergency)[1:] == ["answer", "status"]
    assert len(story.ledger()) == sent_before + 2
    assert story.quota_spent(MARCH) == NEARLY_USED + 2
    # And the rest is held: the survey, and the notice (kept out of the last 20 %)
    assert story.outbox(survey).status is OutboxStatus.PENDING
    assert (story.casts()[-1].status, story.casts()[-1].text) == (
        CastStatus.PENDING,
        SECOND_NOTICE,
    )
    # And `jun-engine status` shows the month's quota, and the warning
    status = " ".join(story.staff("status").split())  # as wrapped for a narrow terminal
    used = f"{NEARLY_USED + 2} / {FREE_PLAN} messages this month (plan free"
    assert f"LINE {ACCOUNT}: {used}" in status
    assert f"WARNING: {NEARLY_USED + 2} of this month's {FREE_PLAN} messages used" in status

    # When LINE's month turns
    story.clock.step(APRIL_IN_JAPAN + timedelta(minutes=11) - story.clock.now())
    # Then what was held goes: the survey to Bee, the notice to Barrio Alto
    story.wait(lambda: story.outbox(survey).status is OutboxStatus.SENT, "the survey")
    story.wait(lambda: story.casts()[-1].status is CastStatus.SENT, "the second notice")
    [notice] = story.hears(arun, 1, "the second notice")
    assert notice["message"]["text"] == SECOND_NOTICE
    bee_heard = {r["message"]["text"] for r in story.hears(bee, 2, "the survey and the notice")}
    assert SECOND_NOTICE in bee_heard
    assert all(SECOND_NOTICE not in story.texts(user) for user in (cai, dao))
    # And LINE's ledger shows the order: the emergency, the answer, one status update, then
    # (once the month turned) the other status update and the notice
    kinds = _kinds(story, emergency)
    assert kinds[:3] == ["emergency", "answer", "status"]
    assert sorted(kinds[3:]) == ["notice", "status"]
    # And nothing reached anyone twice
    for user in (arun, bee, cai, dao):
        texts = story.texts(user)
        assert len(texts) == len(set(texts)), (user, texts)


def _kinds(story: Story, emergency: LineCastRow) -> list[str]:
    """What LINE's ledger carried from the emergency on, by kind, in order: the emergency
    broadcast, answers and status updates (pushes of the outbox) and notices (casts)."""
    with Session(story.engine) as session:
        pushes = session.exec(select(OutboxRow).where(col(OutboxRow.retry_key).is_not(None)))
        kinds = {
            row.retry_key: "answer" if row.priority >= Priority.ACK else "status" for row in pushes
        }
    kinds |= {cast.retry_key: "notice" for cast in story.casts()}
    kinds[emergency.retry_key] = "emergency"
    entries = story.ledger()
    start = next(n for n, e in enumerate(entries) if e.retry_key == emergency.retry_key)
    return [kinds[e.retry_key] for e in entries[start:] if e.retry_key is not None]


def _place(story: Story, case: CaseRow) -> CasePlaceRow | None:
    with Session(story.engine) as session:
        return session.exec(select(CasePlaceRow).where(CasePlaceRow.case_id == case.id)).first()


def _photo(story: Story, case: CaseRow) -> CasePhotoRow | None:
    with Session(story.engine) as session:
        statement = select(CasePhotoRow).where(
            CasePhotoRow.case_id == case.id, CasePhotoRow.status == PhotoStatus.STORED
        )
        return session.exec(statement).first()
