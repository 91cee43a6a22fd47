"""Photos residents send on LINE, fetched with the real line-bot-sdk from the LINE emulator's
content endpoint: kept in the media store by their digest, refused over the size limit or when
not a JPEG/PNG (nothing kept, the resident told), given up once LINE deleted them, and tried
again later after a 5xx, on every database."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.attachments.media import MediaStore
from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.channels.line.content import STOPPED_WAIT, PhotoFetcher, photo_fetcher
from jun_engine.config.environment import LineCredentials
from jun_engine.config.schema import LineSettings
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.faults import LineFaults
from jun_engine.emulator.testing import TEST_START, emulator_test_config
from jun_engine.store.tables import CasePhotoRow, OutboxRow
from tests.emulator.line.clients import friend

CONFIG = emulator_test_config()


def png_of(size: int) -> bytes:
    """A real PNG of about `size` bytes (noise does not compress)."""
    width = max(size // 3, 1)
    rng = random.Random(size)
    row = b"\x00" + bytes(rng.getrandbits(8) for _ in range(width * 3))
    header = struct.pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def clients(line_emulator: LineEmulator) -> Iterator[LineClients]:
    made = _clients_of(line_emulator)
    yield made
    made.close()


def _clients_of(line: LineEmulator) -> LineClients:
    credentials = LineCredentials(
        "jun_line", line.state.channel.secret, line.state.channel.access_token
    )
    return line_clients(credentials, line.base_url)


def pending(session: Session, line: LineEmulator, user: str, sent: dict[str, object]) -> int:
    """The row the chain records for an image message."""
    row = CasePhotoRow(
        channel=Channel.LINE,
        content_id=str(sent["messageId"]),
        account_id=line.state.channel.bot_user_id,
        author_id=user,
        received_at=TEST_START,
        next_attempt_at=TEST_START,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def fetcher(engine: Engine, line: LineEmulator, clients: LineClients, media: Path) -> PhotoFetcher:
    return PhotoFetcher(
        engine,
        CONFIG,
        {line.state.channel.bot_user_id: clients.blob},
        MediaStore(media),
        random.Random(0),
        max_bytes=10_000,
    )


def photo_row(engine: Engine, photo_id: int) -> CasePhotoRow:
    with Session(engine) as session:
        row = session.get(CasePhotoRow, photo_id)
        assert row is not None
        return row


def test_a_photo_is_kept_in_the_media_store_by_its_digest_once(
    engine: Engine, line_emulator: LineEmulator, clients: LineClients, tmp_path: Path
) -> None:
    # Given a resident's PNG waiting to be fetched
    user = friend(line_emulator)
    photo = png_of(4_000)
    sent = line_emulator.residents.image(user, photo, "image/png")
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)
    # When the fetcher runs (twice)
    run = fetcher(engine, line_emulator, clients, tmp_path / "media")
    assert run.run_once(TEST_START) == 1
    assert run.run_once(TEST_START) == 0
    # Then the bytes are a file named by their digest, and the row says so
    row = photo_row(engine, photo_id)
    digest = hashlib.sha256(photo).hexdigest()
    assert row.status is PhotoStatus.STORED
    assert (row.sha256, row.size, row.content_type) == (digest, len(photo), "image/png")
    assert row.path == f"{digest[:2]}/{digest}.png"
    assert (tmp_path / "media" / row.path).read_bytes() == photo
    assert [p.name for p in (tmp_path / "media").rglob("*") if p.is_file()] == [f"{digest}.png"]


def test_a_photo_over_the_limit_is_not_kept_and_the_resident_is_told(
    engine: Engine, line_emulator: LineEmulator, clients: LineClients, tmp_path: Path
) -> None:
    user = friend(line_emulator)
    sent = line_emulator.residents.image(user, png_of(12_000), "image/png")
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)

    assert fetcher(engine, line_emulator, clients, tmp_path / "media").run_once(TEST_START) == 1

    row = photo_row(engine, photo_id)
    assert row.status is PhotoStatus.REFUSED
    assert row.path is None
    assert "over 10000" in (row.detail or "")
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.png"))
    with Session(engine) as session:
        [told] = session.exec(select(OutboxRow)).all()
    assert (told.kind, told.target, told.channel) == (OutboxKind.DM, user, Channel.LINE)
    assert told.private
    assert told.idempotency_key == f"photo:{photo_id}:refused"
    assert "0.01 MB" in told.text


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"GIF89a" + bytes(200), "image/gif"), (b"%PDF-1.7" + bytes(200), "image/png")],
    ids=["gif", "png-that-is-not"],
)
def test_what_is_not_a_jpeg_or_png_is_refused(
    engine: Engine,
    line_emulator: LineEmulator,
    clients: LineClients,
    tmp_path: Path,
    data: bytes,
    content_type: str,
) -> None:
    user = friend(line_emulator)
    sent = line_emulator.residents.image(user, data, content_type)
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)

    fetcher(engine, line_emulator, clients, tmp_path / "media").run_once(TEST_START)

    row = photo_row(engine, photo_id)
    assert row.status is PhotoStatus.REFUSED
    assert "content type" in (row.detail or "")
    with Session(engine) as session:
        [told] = session.exec(select(OutboxRow)).all()
    assert "JPEG" in told.text


def test_a_photo_line_deleted_is_given_up_as_gone(
    engine: Engine, line_emulator: LineEmulator, clients: LineClients, tmp_path: Path
) -> None:
    user = friend(line_emulator)
    sent = line_emulator.residents.image(user, png_of(1_000), "image/png")
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)
    # LINE keeps content for a while only
    line_emulator.step(timedelta(days=8).total_seconds())

    fetcher(engine, line_emulator, clients, tmp_path / "media").run_once(TEST_START)

    row = photo_row(engine, photo_id)
    assert row.status is PhotoStatus.GONE
    with Session(engine) as session:
        assert session.exec(select(OutboxRow)).all() == []


def test_a_server_error_is_tried_again_later_then_the_photo_is_kept(
    engine: Engine, line_webhook_inbox: object, tmp_path: Path
) -> None:
    # Given LINE failing every call with a 5xx
    faulty = LineEmulator(seed=0, clock=Clock.stepped(TEST_START), faults=LineFaults.parse("5xx=1"))
    with faulty:
        user = friend(faulty)
        photo = png_of(2_000)
        sent = faulty.residents.image(user, photo, "image/png")
        with Session(engine) as session:
            photo_id = pending(session, faulty, user, sent)
        made = _clients_of(faulty)
        run = fetcher(engine, faulty, made, tmp_path / "media")
        # When the fetcher runs: nothing settled, a later attempt scheduled by the retry policy
        assert run.run_once(TEST_START) == 0
        row = photo_row(engine, photo_id)
        assert row.status is PhotoStatus.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at is not None
        assert row.next_attempt_at > TEST_START
        assert "server error 5" in (row.detail or "")
        # And before then it is not asked for again
        assert run.run_once(TEST_START) == 0
        assert photo_row(engine, photo_id).attempts == 1
        made.close()
    # When LINE answers again, the next attempt keeps it
    healthy = LineEmulator(seed=0, clock=Clock.stepped(TEST_START))
    with healthy:
        again = friend(healthy)
        resent = healthy.residents.image(again, photo, "image/png")
        with Session(engine) as session:
            stored = session.get(CasePhotoRow, photo_id)
            assert stored is not None
            stored.content_id = str(resent["messageId"])
            session.add(stored)
            session.commit()
        made = _clients_of(healthy)
        later = row.next_attempt_at
        assert fetcher(engine, healthy, made, tmp_path / "media").run_once(later) == 1
        made.close()
    assert photo_row(engine, photo_id).status is PhotoStatus.STORED


def test_the_towns_fetcher_reads_its_accounts_and_keeps_photos_beside_accounts_yaml(
    engine: Engine, line_emulator: LineEmulator, clients: LineClients, tmp_path: Path
) -> None:
    # Given a town whose LINE account is the emulator's channel, media in `photos/`
    channel = line_emulator.state.channel
    line = LineSettings.model_validate(
        {
            "accounts": {
                "jun_line": {
                    "channel_id": channel.channel_id,
                    "bot_user_id": channel.bot_user_id,
                    "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                    "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
                }
            },
            "media_dir": "photos",
        }
    )
    town = CONFIG.model_copy(update={"line": line})
    user = friend(line_emulator)
    photo = png_of(3_000)
    sent = line_emulator.residents.image(user, photo, "image/png")
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)

    fetched = photo_fetcher(engine, town, tmp_path, [clients]).run_once(TEST_START)

    assert fetched == 1
    row = photo_row(engine, photo_id)
    assert row.path is not None
    assert (tmp_path / "photos" / row.path).read_bytes() == photo


def test_a_revoked_token_is_lines_401_as_every_line_call_maps_it_and_waits_an_hour(
    engine: Engine, line_emulator: LineEmulator, tmp_path: Path
) -> None:
    # Given a photo to fetch with an access token LINE no longer honours
    user = friend(line_emulator)
    sent = line_emulator.residents.image(user, png_of(1_000), "image/png")
    with Session(engine) as session:
        photo_id = pending(session, line_emulator, user, sent)
    revoked = LineCredentials("jun_line", line_emulator.state.channel.secret, "revoked-token")
    made = line_clients(revoked, line_emulator.base_url)
    # When the fetcher runs
    try:
        settled = fetcher(engine, line_emulator, made, tmp_path / "media").run_once(TEST_START)
    finally:
        made.close()
    # Then it is LINE's 401 with LINE's own words (errors.channel_error), not retried soon
    assert settled == 0
    row = photo_row(engine, photo_id)
    assert row.status is PhotoStatus.PENDING
    assert "401: Authentication failed" in (row.detail or "")
    assert row.next_attempt_at == TEST_START + STOPPED_WAIT
