"""Sweeps against the emulator: what is stored, what is dropped, where the checkpoint lands."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.x.intake.baseline import record_baselines
from jun_engine.channels.x.intake.sweep import OVERLAP, snowflake_at, time_of
from jun_engine.config.schema import Config
from jun_engine.domain.errors import ServerError
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.testing import TEST_START
from jun_engine.store.repository import get_checkpoint, get_message
from tests.channels.x.intake.helpers import reader_for, ref_of, stored_ids


def town_id(config: Config) -> str:
    return config.town_account().user_id


def test_snowflakes_round_trip() -> None:
    assert time_of(snowflake_at(TEST_START)) == TEST_START


def test_a_first_start_reads_no_history_and_starts_from_now(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given a mention from before the daemon ever ran
    lola = x_emulator.sink.add_user("lola", "Lola")
    x_emulator.sink.tweet(lola, "@AytoJun old news")
    x_emulator.step(5)
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        # When the first sweep runs, then a new mention arrives and a second sweep runs
        first = reader.sweep()
        x_emulator.step(5)
        new_id = x_emulator.sink.tweet(lola, "@AytoJun la farola no funciona")
        x_emulator.step(5)
        second = reader.sweep()
    # Then only the new one is stored, and the first sweep made no request at all
    assert first.requests == 0
    assert second.stored == 1
    assert stored_ids(engine) == [new_id]


def test_backfill_reads_history_across_pages(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    lola = x_emulator.sink.add_user("lola", "Lola")
    posted = [x_emulator.sink.tweet(lola, f"@AytoJun aviso {n}") for n in range(250)]
    x_emulator.step(1)
    with reader_for(
        x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS, backfill=True
    ) as reader:
        sweep = reader.sweep()
    assert sweep.requests == 3  # ceil(250 / 100) pages
    assert sorted(stored_ids(engine)) == sorted(posted)
    with Session(engine) as session:
        checkpoint = get_checkpoint(session, town_id(x_emulator_config), PollStream.MENTIONS)
    # the watermark: everything written an overlap before the sweep began has been read
    assert checkpoint is not None
    assert checkpoint.cursor == str(snowflake_at(x_emulator.clock.now() - OVERLAP))


def test_overlap_catches_late_mentions_and_stores_each_once(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given late arrivals: every mention becomes visible 20 s after it was written
    x_emulator.dice.spec = FaultSpec(late=1.0, late_by=timedelta(seconds=20))
    lola = x_emulator.sink.add_user("lola", "Lola")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        reader.sweep()
        posted: list[str] = []
        for _ in range(6):
            posted.append(x_emulator.sink.tweet(lola, f"@AytoJun {len(posted)}"))
            x_emulator.step(10)
            reader.sweep()
        x_emulator.step(30)
        reader.sweep()
        reader.sweep()
    # Then every late mention was found, and none is stored twice
    ids = stored_ids(engine)
    assert Counter(ids) == Counter(posted)


def test_own_posts_and_dms_are_dropped_and_dms_stop_at_the_checkpoint(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    town = town_id(x_emulator_config)
    works = x_emulator_config.accounts["public_works"].user_id
    lola = x_emulator.sink.add_user("lola", "Lola")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.DMS) as reader:
        reader.sweep()
        x_emulator.step(1)
        theirs = x_emulator.sink.dm(lola, town, "mi DNI es 12345678Z")
        x_emulator.sink.dm(town, lola, "Gracias, lo vemos")
        x_emulator.sink.tweet(works, "@AytoJun coordinating")
        x_emulator.step(1)
        sweep = reader.sweep()
        again = reader.sweep()
    assert (sweep.stored, sweep.dropped_own) == (1, 1)
    assert again.stored == 0
    with Session(engine) as session:
        message = get_message(session, Channel.X, MessageKind.DM, theirs)
    assert message is not None
    assert message.text == "mi DNI es 12345678Z"
    assert stored_ids(engine) == [theirs]


def test_implicit_mentions_are_stored_flagged(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    town = town_id(x_emulator_config)
    lola = x_emulator.sink.add_user("lola", "Lola")
    pepe = x_emulator.sink.add_user("pepe", "Pepe")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        reader.sweep()
        x_emulator.step(1)
        root = x_emulator.sink.tweet(lola, "@AytoJun bache en la calle Real")
        reply = x_emulator.sink.tweet(pepe, "yo también lo he visto", in_reply_to_id=root)
        x_emulator.step(1)
        reader.sweep()
    with Session(engine) as session:
        explicit = get_message(session, Channel.X, MessageKind.MENTION, root)
        implicit = get_message(session, Channel.X, MessageKind.MENTION, reply)
    assert explicit is not None
    assert explicit.explicitly_mentions
    if implicit is not None:  # X includes reply-chain mentions; stored, but flagged as implicit
        assert not implicit.explicitly_mentions
        assert implicit.account_id == town


def test_a_failed_page_leaves_the_checkpoint_where_it_was(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    lola = x_emulator.sink.add_user("lola", "Lola")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        reader.sweep()
        with Session(engine) as session:
            before = get_checkpoint(session, town_id(x_emulator_config), PollStream.MENTIONS)
        x_emulator.step(1)
        posted = [x_emulator.sink.tweet(lola, f"@AytoJun {n}") for n in range(150)]
        x_emulator.step(1)
        # When every request fails, a sweep raises and moves nothing
        x_emulator.dice.spec = FaultSpec(server_error=1.0)
        with pytest.raises(ServerError):
            reader.sweep()
        with Session(engine) as session:
            during = get_checkpoint(session, town_id(x_emulator_config), PollStream.MENTIONS)
        x_emulator.dice.spec = FaultSpec()
        reader.sweep()
    assert before is not None
    assert during is not None
    assert during.cursor == before.cursor
    assert sorted(stored_ids(engine)) == sorted(posted)


def test_a_sweep_stopped_midway_is_continued_from_its_page_not_started_over(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    requests: list[str] = []
    x_emulator.observe(lambda e: requests.append(e.request.path))
    lola = x_emulator.sink.add_user("lola", "Lola")
    no_overlap = timedelta(0)  # so that only the backlog's own pages are read again
    with reader_for(
        x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS, overlap=no_overlap
    ) as reader:
        reader.sweep()
        x_emulator.step(1)
        posted = [x_emulator.sink.tweet(lola, f"@AytoJun {n}") for n in range(350)]
        x_emulator.step(1)
        # Given a sweep whose third page failed after two were stored
        fail_on = [3]
        real_fetch = reader._fetch

        def flaky(since: str | None, token: str | None, size: int) -> object:
            fail_on[0] -= 1
            if fail_on[0] == 0:
                raise ServerError(503)
            return real_fetch(since, token, size)

        reader._fetch = flaky  # type: ignore[assignment]
        with pytest.raises(ServerError):
            reader.sweep()
        reader._fetch = real_fetch
        requests.clear()
        # When the next turn runs
        reader.sweep()
    # Then it read the two remaining pages, then one fresh page: not the whole backlog again
    assert len(requests) == 3
    assert sorted(stored_ids(engine)) == sorted(posted)
    with Session(engine) as session:
        checkpoint = get_checkpoint(session, town_id(x_emulator_config), PollStream.MENTIONS)
    assert checkpoint is not None
    assert checkpoint.cursor is not None
    assert int(checkpoint.cursor) > int(max(posted, key=int))


def test_a_first_start_stores_no_dm_from_before_it_even_on_a_page_that_reaches_it(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given three DMs from before the daemon ever ran
    town = town_id(x_emulator_config)
    lola = x_emulator.sink.add_user("lola", "Lola")
    for n in range(3):
        x_emulator.sink.dm(lola, town, f"mensaje antiguo {n}")
    x_emulator.step(5)
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.DMS) as reader:
        # When the first sweep sets the checkpoint, then one new DM arrives
        first = reader.sweep()
        x_emulator.step(5)
        new_id = x_emulator.sink.dm(lola, town, "mensaje nuevo")
        x_emulator.step(5)
        # And the next sweep reads a page holding the new DM and the old ones below it
        second = reader.sweep()
    # Then only the new DM is stored: what lies at or below the checkpoint was covered
    assert first.requests == 0
    assert second.seen == 4
    assert (second.stored, stored_ids(engine)) == (1, [new_id])


def test_a_backfill_baseline_is_kept_by_a_restart_without_backfill(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given history, and a first start with --backfill that recorded its baselines and stopped
    lola = x_emulator.sink.add_user("lola", "Lola")
    town = town_id(x_emulator_config)
    old = [x_emulator.sink.tweet(lola, "@AytoJun antiguo"), x_emulator.sink.dm(lola, town, "hola")]
    x_emulator.step(1)
    refs = [ref_of(x_emulator_config, "town", s) for s in (PollStream.MENTIONS, PollStream.DMS)]
    assert record_baselines(engine, refs, x_emulator.clock.now(), backfill=True) == refs
    # When it restarts without --backfill: nothing is recorded again, and the sweeps read it all
    assert record_baselines(engine, refs, x_emulator.clock.now()) == []
    for stream in (PollStream.MENTIONS, PollStream.DMS):
        with reader_for(x_emulator, x_emulator_config, engine, "town", stream) as reader:
            reader.sweep()
    assert sorted(stored_ids(engine)) == sorted(old)


def test_a_sweep_stops_at_a_spent_window_and_goes_on_after_its_reset_without_a_429(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    statuses: list[int] = []
    x_emulator.observe(
        lambda e: statuses.append(e.status) if "mentions" in (e.route or "") else None
    )
    lola = x_emulator.sink.add_user("lola", "Lola")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        reader.sweep()
        x_emulator.step(1)
        posted = [x_emulator.sink.tweet(lola, f"@AytoJun {n}") for n in range(350)]
        x_emulator.step(1)
        # Given an account whose 15-minute window of mentions reads has two calls left
        fetch, left = reader._fetch, None
        while left != 2:
            limit = fetch(None, None, 5).rate_limit
            assert limit is not None
            left = limit.remaining
        # When it sweeps a backlog of four pages
        first = reader.sweep()
        # Then it reads two, keeps its place and stops instead of being refused
        assert first.requests == 2
        assert not first.finished
        assert 429 not in statuses
        # And after the window's reset the next sweep reads the rest
        x_emulator.step(15 * 60)
        rest = reader.sweep()
    assert rest.finished
    assert 429 not in statuses
    assert sorted(stored_ids(engine)) == sorted(posted)
