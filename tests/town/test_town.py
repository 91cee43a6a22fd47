"""The simulated town: the same seed makes the same town, every department and language appears,
the rate is kept, and staff answer in residents' threads."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jun_engine.config.schema import Config
from jun_engine.emulator.town import SimulatedTown
from jun_engine.emulator.town_api import DmView, PostView

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[2] / "accounts.yaml"


class MemorySink:
    """A TownSink that keeps everything in lists (the emulator's StateSink does the same job)."""

    def __init__(self) -> None:
        self.clock = START
        self.users: dict[str, str] = {}
        self.posts: list[PostView] = []
        self.dms: list[DmView] = []
        self._ids = itertools.count(1_000_000)

    def now(self) -> datetime:
        return self.clock

    def add_user(self, handle: str, name: str) -> str:
        return self.users.setdefault(handle, str(next(self._ids)))

    def tweet(
        self, author_id: str, text: str, *, in_reply_to_id: str | None = None,
        quote_id: str | None = None,
    ) -> str:  # fmt: skip
        post_id = str(next(self._ids))
        root = next((p.conversation_id for p in self.posts if p.id == in_reply_to_id), post_id)
        self.posts.append(PostView(post_id, author_id, text, self.clock, root, in_reply_to_id))
        return post_id

    def dm(self, sender_id: str, recipient_id: str, text: str) -> str:
        event_id = str(next(self._ids))
        conversation = "-".join(sorted((sender_id, recipient_id), key=int))
        self.dms.append(DmView(event_id, sender_id, recipient_id, text, self.clock, conversation))
        return event_id

    def posts_by(self, user_id: str, since: datetime) -> list[PostView]:
        return [p for p in self.posts if p.author_id == user_id and p.created_at >= since]

    def dms_to(self, user_id: str, since: datetime) -> list[DmView]:
        return [d for d in self.dms if d.recipient_id == user_id and d.created_at >= since]


def config() -> Config:
    if SHIPPED.is_file():
        from jun_engine.config.loading import load_config

        return load_config(SHIPPED).config
    return small_config()


def small_config() -> Config:
    """A town whose department keys the template table does not know."""
    account = {"access_token_env": "A_AT", "access_token_secret_env": "A_AS"}
    return Config.model_validate(
        {
            "town": {"name": "Villa", "account": "town", "districts": ["Norte"]},
            "x": {"app": {"consumer_key_env": "A_CK", "consumer_secret_env": "A_CS"}},
            "accounts": {
                "town": {"handle": "Villa", "user_id": "11", **account},
                "parks": {"handle": "VillaParques", "user_id": "12", **account},
            },
            "departments": {
                "desk": {"name": {"es": "Atención"}, "account": "town", "triage": True},
                "parks": {
                    "name": {"es": "Parques", "en": "Parks"},
                    "account": "parks",
                    "keywords": {"es": ["columpio roto"], "en": ["broken swing"]},
                },
                "clinic": {"name": {"es": "Salud"}, "account": "town", "privacy": "private"},
            },
        }
    )


def run(town: SimulatedTown, sink: MemorySink, hours: int, step: timedelta) -> None:
    end = START + timedelta(hours=hours)
    while sink.clock <= end:
        town.advance(sink.clock, sink)
        sink.clock += step


def test_the_same_seed_makes_the_same_town() -> None:
    # Given two towns from the same seed, driven through the same times
    runs = []
    for _ in range(2):
        sink = MemorySink()
        town = SimulatedTown(config(), seed=7, rate_per_hour=10)
        run(town, sink, hours=24, step=timedelta(minutes=5))
        runs.append((town.sent, town.staff_replies, town.residents, sink.posts, sink.dms))
    # Then everything they did is identical
    assert runs[0] == runs[1]
    assert len(runs[0][0]) > 100


def test_another_seed_makes_another_town() -> None:
    towns = []
    for seed in (1, 2):
        town = SimulatedTown(config(), seed=seed, rate_per_hour=10)
        run(town, MemorySink(), hours=12, step=timedelta(minutes=10))
        towns.append([m.text for m in town.sent])
    assert towns[0] != towns[1]


def test_every_department_and_language_appears() -> None:
    cfg = config()
    town = SimulatedTown(cfg, seed=3, rate_per_hour=20)
    run(town, MemorySink(), hours=48, step=timedelta(minutes=15))
    assert {m.department for m in town.sent} == set(cfg.departments)
    assert {m.language for m in town.sent} == {"es", "en", "th"}
    assert {"complaint", "question", "emergency", "thanks", "suggestion"} <= {
        m.intent for m in town.sent
    }
    languages = Counter(m.language for m in town.sent)
    assert languages["es"] > languages["en"] + languages["th"]


def test_a_town_with_unknown_departments_still_covers_them() -> None:
    town = SimulatedTown(small_config(), seed=5, rate_per_hour=20, outage_after=None)
    run(town, MemorySink(), hours=24, step=timedelta(minutes=15))
    assert {m.department for m in town.sent} == {"desk", "parks", "clinic"}
    clinic = [m for m in town.sent if m.department == "clinic"]
    assert all(m.route == "dm" for m in clinic)


@pytest.mark.parametrize("rate", [2.0, 12.0])
def test_the_rate_is_respected(rate: float) -> None:
    hours = 200
    town = SimulatedTown(config(), seed=11, rate_per_hour=rate, outage_after=None)
    run(town, MemorySink(), hours=hours, step=timedelta(hours=1))
    expected = rate * hours
    # A Poisson count: within five standard deviations of the mean
    assert abs(len(town.sent) - expected) < 5 * expected**0.5


def test_private_matters_go_by_dm_to_the_town_account() -> None:
    cfg = config()
    sink = MemorySink()
    town = SimulatedTown(cfg, seed=13, rate_per_hour=20)
    run(town, sink, hours=24, step=timedelta(minutes=10))
    town_id = sink.users[cfg.town_account().handle]
    private = [m for m in town.sent if m.intent in ("police_report", "appointment")]
    assert private
    assert all(m.route == "dm" and m.to_account_id == town_id for m in private)
    assert {d.id for d in sink.dms} == {m.platform_id for m in town.sent if m.route == "dm"}


def test_a_dm_share_sets_how_many_messages_go_by_dm() -> None:
    # Given a town where one message in ten is a DM (the shipped mix is about a third)
    town = SimulatedTown(config(), seed=23, rate_per_hour=100, outage_after=None, dm_share=0.1)
    run(town, MemorySink(), hours=20, step=timedelta(hours=1))
    # Then about a tenth of its messages are DMs (emergencies are mentions), within 5 sigma
    dms = sum(1 for m in town.sent if m.route == "dm")
    expected = 0.1 * len(town.sent)
    assert abs(dms - expected) < 5 * expected**0.5
    assert {m.route for m in town.sent} == {"dm", "mention"}


def test_mentions_tag_the_account_they_reach() -> None:
    cfg = config()
    sink = MemorySink()
    town = SimulatedTown(cfg, seed=17, rate_per_hour=20)
    run(town, sink, hours=12, step=timedelta(minutes=10))
    handles = {sink.users[a.handle]: a.handle for a in cfg.accounts.values()}
    for message in (m for m in town.sent if m.route == "mention"):
        assert message.text.startswith(f"@{handles[message.to_account_id]} ")


def test_one_outage_brings_a_burst_under_a_shared_hashtag() -> None:
    town = SimulatedTown(config(), seed=19, rate_per_hour=4, outage_after=timedelta(hours=2))
    run(town, MemorySink(), hours=6, step=timedelta(minutes=5))
    burst = [m for m in town.sent if m.incident == "outage-1"]
    assert len(burst) == 12
    assert len({m.at for m in burst}) == 1
    assert all("#ApagónJun" in m.text or "#EndesaMeEstresa" in m.text for m in burst)


def test_staff_reply_in_the_resident_s_thread_after_a_delay() -> None:
    cfg = config()
    sink = MemorySink()
    town = SimulatedTown(cfg, seed=23, rate_per_hour=10)
    run(town, sink, hours=24, step=timedelta(minutes=5))
    sent = {m.platform_id: m for m in town.sent}
    assert town.staff_replies
    for reply in town.staff_replies:
        original = sent[reply.in_reply_to_id]
        assert original.route == "mention"
        assert reply.at - original.at >= timedelta(minutes=10)
        post = next(p for p in sink.posts if p.id == reply.post_id)
        assert post.in_reply_to_id == original.platform_id
        if reply.resolved:
            assert any(tag in post.text for tag in cfg.cases.resolved_hashtags)
    assert any(r.resolved for r in town.staff_replies)


def test_hostile_text_turns_up_at_a_small_rate() -> None:
    town = SimulatedTown(config(), seed=29, rate_per_hour=30, hostile_share=0.05)
    run(town, MemorySink(), hours=48, step=timedelta(minutes=30))
    hostile = [m for m in town.sent if m.hostile]
    assert 0 < len(hostile) < len(town.sent) * 0.15
    texts = "".join(m.text for m in hostile)
    assert any(len(m.text) == 10_000 for m in hostile) or "\u202e" in texts or "\x07" in texts


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rate_per_hour"):
        SimulatedTown(config(), seed=1, rate_per_hour=-1)
