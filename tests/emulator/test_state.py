"""The emulated X's state: ids, conversations, mentions, the 800 window, DM history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.ids import Snowflakes, time_of
from jun_engine.emulator.state import DM_HISTORY, MENTIONS_WINDOW, State, UserCounts

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def state() -> State:
    return State(Clock.stepped(START))


def test_ids_grow_with_time_and_carry_it() -> None:
    ids = Snowflakes()
    first, second = ids.next_id(START), ids.next_id(START)
    later = ids.next_id(START + timedelta(seconds=1))
    assert int(first) < int(second) < int(later)
    assert time_of(later) == START + timedelta(seconds=1)


def test_a_stepped_clock_stands_still_until_stepped() -> None:
    clock = Clock.stepped(START)
    assert clock.now() == START
    assert clock.step(timedelta(minutes=5)) == START + timedelta(minutes=5)
    with pytest.raises(ValueError, match="forward"):
        clock.step(timedelta(seconds=-1))


def test_a_fast_clock_runs_faster_than_real_time() -> None:
    real = iter([0.0, 10.0])
    clock = Clock(START, speed=60.0, monotonic=lambda: next(real))
    assert clock.now() == START + timedelta(minutes=10)


def test_replies_join_the_root_conversation_and_mention_the_parent_author(state: State) -> None:
    town = state.add_user("AytoJun", "Ayto", user_id="1130425167")
    lola = state.add_user("lola", "Lola")
    notice = state.create_post(town.id, "Corte de agua")
    reply = state.create_post(lola.id, "¿hasta cuándo?", in_reply_to_id=notice.id)
    deeper = state.create_post(town.id, "Hasta las 14:00", in_reply_to_id=reply.id)
    assert reply.conversation_id == deeper.conversation_id == notice.id
    assert reply.mentioned_ids == {town.id}
    assert reply.mentions == ()
    assert deeper.in_reply_to_user_id == lola.id


def test_handles_resolve_case_insensitively_and_unknown_ones_stay_unresolved(state: State) -> None:
    town = state.add_user("AytoJun", "Ayto")
    lola = state.add_user("lola", "Lola")
    post = state.create_post(lola.id, "@aytojun y @nadie")
    assert [(m.value, m.user_id) for m in post.mentions] == [("aytojun", town.id), ("nadie", None)]


def test_only_the_newest_800_mentions_are_reachable(state: State) -> None:
    town = state.add_user("AytoJun", "Ayto")
    lola = state.add_user("lola", "Lola")
    posts = [state.create_post(lola.id, f"@AytoJun {n}") for n in range(MENTIONS_WINDOW + 5)]
    reachable = state.mentions_of(town.id, state.clock.now())
    assert len(reachable) == MENTIONS_WINDOW
    assert reachable[-1].id == posts[5].id


def test_dm_history_keeps_30_days(state: State) -> None:
    town = state.add_user("AytoJun", "Ayto")
    lola = state.add_user("lola", "Lola")
    old = state.create_dm(lola.id, town.id, "antiguo", via_api=False)
    state.clock.step(DM_HISTORY)
    new = state.create_dm(lola.id, town.id, "nuevo", via_api=False)
    state.clock.step(timedelta(seconds=1))
    assert [e.id for e in state.dm_events_of(town.id, state.clock.now())] == [new.id]
    assert old.conversation_id == new.conversation_id


def test_counts_match_what_is_stored_deletions_and_self_dms_included(state: State) -> None:
    town = state.add_user("AytoJun", "Ayto")
    lola = state.add_user("lola", "Lola")
    state.create_post(lola.id, "@AytoJun uno")
    gone = state.create_post(lola.id, "@AytoJun dos")
    state.delete_post(gone.id)
    state.create_post(town.id, "Bando")
    state.create_dm(lola.id, town.id, "hola", via_api=False)
    state.create_dm(town.id, lola.id, "buenas", via_api=True)
    state.create_dm(town.id, lola.id, "y otra", via_api=True)
    town_counts, lola_counts = state.counts(town.id), state.counts(lola.id)
    assert town_counts == UserCounts(mentions_received=2, dms_received=1, posts_sent=1, dms_sent=2)
    assert (lola_counts.posts_sent, lola_counts.dms_received) == (1, 2)
    assert town_counts.dms_sent == len(state.dms_sent_by(town.id))
    assert lola_counts.dms_received == len(state.dms_received_by(lola.id))
    assert lola_counts.posts_sent == len(state.posts_by(lola.id))
    assert state.counts("404") == UserCounts(0, 0, 0, 0)
