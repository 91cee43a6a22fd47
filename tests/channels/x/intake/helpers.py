"""Building blocks for the X intake tests: gateways and readers pointed at a test emulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.channels.x.billing import Prices
from jun_engine.channels.x.intake.streams import StreamRef, own_account_ids, streams_of
from jun_engine.channels.x.intake.sweep import OVERLAP, StreamReader, fetcher
from jun_engine.clock import FollowedClock
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.store.tables import InboundMessageRow


def ref_of(config: Config, account_key: str, stream: PollStream) -> StreamRef:
    """The stream of one account, as the daemon would poll it."""
    return next(
        r for r in streams_of(config) if r.account_key == account_key and r.stream is stream
    )


@contextmanager
def reader_for(
    emulator: Emulator,
    config: Config,
    engine: Engine,
    account_key: str,
    stream: PollStream,
    *,
    backfill: bool = False,
    overlap: timedelta = OVERLAP,
) -> Iterator[StreamReader]:
    """A `StreamReader` for one account's stream against the emulator, on the emulator's time."""
    credentials = credentials_for(config, account_key, emulator.credentials_env())
    with XGateway(credentials, base_url=emulator.base_url, timeout=(2.0, 5.0)) as gateway:
        ref = ref_of(config, account_key, stream)
        yield StreamReader(
            ref,
            fetcher(gateway, ref),
            engine,
            FollowedClock(emulator.base_url, resync_seconds=0.0),
            Prices.of(config),
            own_account_ids(config),
            backfill=backfill,
            overlap=overlap,
        )


def stored_ids(engine: Engine) -> list[str]:
    """The platform ids of every stored message, with repeats if any were stored twice."""
    with Session(engine) as session:
        return list(session.exec(select(InboundMessageRow.platform_id)).all())
