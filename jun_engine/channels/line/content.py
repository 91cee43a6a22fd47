"""Photos residents sent on LINE: fetched from LINE's content endpoint (`api-data.line.me`,
`MessagingApiBlob.get_message_content_with_http_info`) soon after they arrive, since LINE deletes
content after a while, and kept in the media store.

The chain records a pending `case_photo` row for each image message (`attachments`); the
`PhotoFetcher` takes the due ones, fetches each outside any transaction, and settles it in one:

    kept        JPEG or PNG within `line.photo_max_bytes` ──> a file in the media store, STORED
    refused     larger (by its Content-Length or its bytes), or not a JPEG/PNG ──> REFUSED,
                nothing kept, and the resident is told by a private message
    gone        404: LINE no longer has it ──> GONE
    failed      5xx, timeouts, 429 ──> tried again when `retry.decide` says (the row keeps its
                attempts and next time); after MAX_ATTEMPTS ──> GONE

Fetching is idempotent: a settled row is never fetched again, and the same bytes are one file.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import urllib3
from linebot.v3.messaging import ApiException, MessagingApiBlob
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.attachments.media import MediaStore, media_root
from jun_engine.attachments.texts import say
from jun_engine.channels.line.client import TIMEOUT, LineClients
from jun_engine.channels.line.errors import channel_error
from jun_engine.config.schema import Config
from jun_engine.domain.attachments import PHOTO_TYPES, PhotoStatus
from jun_engine.domain.errors import ChannelError, NotFound
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.retry import Action, decide
from jun_engine.store.tables import CasePhotoRow, CaseRow

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10_000_000
"""The size limit of a town without a `line` section (`line.photo_max_bytes`' default)."""
BATCH = 20
"""Photos fetched per run at most (the rest wait for the next run)."""
MAX_ATTEMPTS = 8
"""Failed fetches of one photo before it is given up as gone."""
STOPPED_WAIT = timedelta(hours=1)
"""How long a photo waits after an error no retry can cure (a bad token) before another try."""
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
"""How each kept type begins: the bytes must be what the header says."""


class PhotoRefusedError(Exception):
    """Content that is not kept: `reason` is `too_large` or `not_a_photo`."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo as fetched: its bytes and content type."""

    data: bytes
    content_type: str


def fetch_photo(blob: MessagingApiBlob, content_id: str, max_bytes: int, now: datetime) -> Photo:
    """Fetch one message's content: a Photo, PhotoRefusedError, or a ChannelError (LINE's
    errors mapped as everywhere else, by `errors.channel_error`)."""
    try:
        response = blob.get_message_content_with_http_info(content_id, _request_timeout=TIMEOUT)
    except (ApiException, urllib3.exceptions.HTTPError) as exc:
        raise channel_error(exc, now) from exc
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PhotoRefusedError("too_large", f"{declared} bytes declared, over {max_bytes}")
    data = bytes(response.raw_data or b"")
    if len(data) > max_bytes:
        raise PhotoRefusedError("too_large", f"{len(data)} bytes, over {max_bytes}")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in PHOTO_TYPES or not data.startswith(MAGIC[content_type]):
        raise PhotoRefusedError("not_a_photo", f"content type {content_type or 'none'!r}")
    return Photo(data, content_type)


def photo_fetcher(
    engine: Engine, config: Config, config_dir: Path, clients: Sequence[LineClients]
) -> PhotoFetcher:
    """The fetcher of a town's LINE accounts (`clients`, one per account key), keeping photos in
    the town's media store (`line.media_dir`). The LINE runtime calls its `run_once` from its
    periodic upkeep, so a photo is fetched within a tick of its message being processed."""
    assert config.line is not None
    blobs = {config.line.accounts[c.account].bot_user_id: c.blob for c in clients}
    return PhotoFetcher(engine, config, blobs, MediaStore(media_root(config, config_dir)))


class PhotoFetcher:
    """Fetches the pending photos of every LINE account the engine runs (`blobs`: the bot user
    id a photo was sent to -> that account's MessagingApiBlob) into `media`."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        blobs: Mapping[str, MessagingApiBlob],
        media: MediaStore,
        rng: random.Random | None = None,
        *,
        max_bytes: int | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._blobs = blobs
        self._media = media
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        limit = config.line.photo_max_bytes if config.line is not None else DEFAULT_MAX_BYTES
        self._max = max_bytes if max_bytes is not None else limit

    def run_once(self, now: datetime) -> int:
        """Fetch the photos due at `now`; how many were settled (kept, refused or gone)."""
        settled = 0
        for photo_id, account, content_id in self._due(now):
            blob = self._blobs.get(account)
            if blob is not None:
                settled += self._fetch(photo_id, blob, content_id, now)
        return settled

    def _due(self, now: datetime) -> list[tuple[int, str, str]]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(CasePhotoRow)
                .where(
                    CasePhotoRow.channel == Channel.LINE,
                    CasePhotoRow.status == PhotoStatus.PENDING,
                    col(CasePhotoRow.next_attempt_at) <= now,
                )
                .order_by(col(CasePhotoRow.id))
                .limit(BATCH)
            )
            return [(r.id, r.account_id, r.content_id) for r in rows if r.id is not None]

    def _fetch(self, photo_id: int, blob: MessagingApiBlob, content_id: str, now: datetime) -> int:
        try:
            photo = fetch_photo(blob, content_id, self._max, now)
        except PhotoRefusedError as refused:
            return self._settle(photo_id, now, refused=refused)
        except NotFound:
            return self._settle(photo_id, now, gone="LINE no longer has it")
        except ChannelError as error:
            return self._failed(photo_id, error, now)
        return self._settle(photo_id, now, photo=photo)

    def _settle(
        self,
        photo_id: int,
        now: datetime,
        *,
        photo: Photo | None = None,
        refused: PhotoRefusedError | None = None,
        gone: str | None = None,
    ) -> int:
        with Session(self._engine) as session, session.begin():
            row = session.get(CasePhotoRow, photo_id)
            if row is None or row.status is not PhotoStatus.PENDING:
                return 0  # erased meanwhile, or settled by another run
            row.attempts += 1
            if photo is not None:
                kept = self._media.put(photo.data, photo.content_type)
                row.status, row.path, row.size = PhotoStatus.STORED, kept.path, kept.size
                row.sha256, row.content_type, row.stored_at = kept.sha256, photo.content_type, now
            elif refused is not None:
                row.status, row.detail = PhotoStatus.REFUSED, str(refused)
                self._tell(session, row, refused.reason)
            else:
                row.status, row.detail = PhotoStatus.GONE, gone
            session.add(row)
            status = row.status
        log.info("photo %s: %s", photo_id, status.value)
        return 1

    def _failed(self, photo_id: int, error: ChannelError, now: datetime) -> int:
        with Session(self._engine) as session, session.begin():
            row = session.get(CasePhotoRow, photo_id)
            if row is None or row.status is not PhotoStatus.PENDING:
                return 0
            row.attempts += 1
            row.detail = str(error)
            decision = decide(error, row.attempts, now, self._rng)
            if row.attempts >= MAX_ATTEMPTS:
                row.status = PhotoStatus.GONE
            elif decision.action is Action.STOP or decision.at is None:
                row.next_attempt_at = now + STOPPED_WAIT
            else:
                row.next_attempt_at = decision.at
            session.add(row)
            gave_up = row.status is PhotoStatus.GONE
        log.warning("photo %s: fetch failed (%s)", photo_id, error)
        return 1 if gave_up else 0

    def _tell(self, session: Session, row: CasePhotoRow, reason: str) -> None:
        """Tell the resident privately why their photo was not kept."""
        case = session.get(CaseRow, row.case_id) if row.case_id is not None else None
        language = case.language if case is not None else self._config.town.default_language
        key = "photo_too_large" if reason == "too_large" else "photo_not_a_photo"
        limit = f"{self._max / 1_000_000:g}"
        enqueue(
            session,
            key=f"photo:{row.id}:refused",
            account_id=row.account_id,
            kind=OutboxKind.DM,
            text=say(self._config, key, language, limit=limit),
            target=row.author_id,
            priority=Priority.ACK,
            private=True,
            case_id=row.case_id,
            channel=Channel.LINE,
        )
