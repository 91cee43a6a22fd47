"""Enrolling a resident at the town hall and issuing the one-time code they DM to the town.

Values are checked against accounts.yaml (districts, topics, languages) with clear errors. Only
a salted hash of the code is stored; the code itself is returned once, for staff to hand over.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, update

from jun_engine.config.schema import Config
from jun_engine.domain.residents import IssuedCode, ResidentEventKind
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.residents.codes import generate_code, grouped, hash_code
from jun_engine.residents.errors import InvalidEnrolmentError, ResidentErasedError
from jun_engine.residents.repository import add_event, row_by_id
from jun_engine.store.tables import ResidentRow, ResidentTopicRow, VerificationCodeRow

NAME_MAX = 200
OLDEST_BIRTH_YEAR = 1900


def enrol(
    session: Session,
    config: Config,
    *,
    name: str,
    district: str,
    now: datetime,
    actor: str,
    birth_year: int | None = None,
    topics: Iterable[str] = (),
    language: str | None = None,
) -> IssuedCode:
    """Record a resident (pending until verified) and issue their first code."""
    row = ResidentRow(
        name=checked_name(name),
        district=canonical_district(config, district),
        birth_year=checked_birth_year(birth_year, now),
        language=checked_language(config, language),
        status=ResidentStatus.PENDING,
        enrolled_at=now,
    )
    chosen = checked_topics(config, topics)
    session.add(row)
    session.flush()
    resident_id = _id(row)
    for topic in chosen:
        session.add(ResidentTopicRow(resident_id=resident_id, topic=topic))
    add_event(session, resident_id, ResidentEventKind.ENROLLED, now, actor)
    return issue_code(session, config, resident_id, now=now, actor=actor)


def issue_code(
    session: Session, config: Config, resident_id: int, *, now: datetime, actor: str
) -> IssuedCode:
    """A fresh code for a resident (a lost code, or moving to a new X account); any code issued
    before and not used yet stops working. The current binding stays until the new code is used.
    """
    row = row_by_id(session, resident_id)
    if row.status is ResidentStatus.ERASED:
        raise ResidentErasedError(resident_id, row.erased_at)
    withdraw_codes(session, resident_id, now)
    code = generate_code(config.verification.code_length)
    expires_at = now + config.verification.code_ttl
    session.add(
        VerificationCodeRow(
            resident_id=resident_id,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=expires_at,
        )
    )
    add_event(session, resident_id, ResidentEventKind.CODE_ISSUED, now, actor)
    return IssuedCode(resident_id=resident_id, code=grouped(code), expires_at=expires_at)


def withdraw_codes(session: Session, resident_id: int, now: datetime) -> None:
    """Make every unused code of a resident expire now."""
    session.execute(
        update(VerificationCodeRow)
        .where(
            col(VerificationCodeRow.resident_id) == resident_id,
            col(VerificationCodeRow.used_at).is_(None),
            col(VerificationCodeRow.expires_at) > now,
        )
        .values(expires_at=now)
    )


def checked_name(name: str) -> str:
    """The name as given, without surrounding spaces; refused if empty, too long or with
    control characters (a terminal escape sequence is not part of anyone's name)."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidEnrolmentError("name", name, "it is empty")
    if len(cleaned) > NAME_MAX:
        raise InvalidEnrolmentError("name", f"{cleaned[:20]}...", f"longer than {NAME_MAX}")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidEnrolmentError("name", cleaned, "it holds control characters")
    return cleaned


def canonical_district(config: Config, district: str) -> str:
    """The district as accounts.yaml spells it (matched without regard to case or spaces)."""
    wanted = " ".join(district.split()).casefold()
    for known in config.town.districts:
        if known.casefold() == wanted:
            return known
    raise InvalidEnrolmentError(
        "district", district, "not a district of accounts.yaml", config.town.districts
    )


def checked_topics(config: Config, topics: Iterable[str]) -> list[str]:
    """The topics, each a key under `notices.topics`, without repeats."""
    chosen: list[str] = []
    for topic in topics:
        key = topic.strip().lower()
        if key not in config.notices.topics:
            raise InvalidEnrolmentError(
                "topic", topic, "not a topic under notices.topics", config.notices.topics
            )
        if key not in chosen:
            chosen.append(key)
    return chosen


def checked_birth_year(birth_year: int | None, now: datetime) -> int | None:
    """A birth year between 1900 and this year, or None."""
    if birth_year is None:
        return None
    if not OLDEST_BIRTH_YEAR <= birth_year <= now.year:
        raise InvalidEnrolmentError(
            "birth year", birth_year, f"expected {OLDEST_BIRTH_YEAR} to {now.year}"
        )
    return birth_year


def checked_language(config: Config, language: str | None) -> str:
    """One of the town's languages (default: the town's default language)."""
    if language is None:
        return config.town.default_language
    code = language.strip().lower()
    if code not in config.town.languages:
        raise InvalidEnrolmentError(
            "language", language, "not one of town.languages", config.town.languages
        )
    return code


def _id(row: ResidentRow) -> int:
    if row.id is None:  # pragma: no cover - flushed just before
        raise ValueError("resident row was not flushed")
    return row.id
