"""Column types that make SQLite and PostgreSQL store and return exactly the same values.

- `UtcDateTime`: timezone-aware UTC datetimes in, timezone-aware UTC datetimes out, on both.
- `StoredText`, `StoredString`: text stored as given, except the two things no UTF-8
  PostgreSQL text can hold (U+0000 and lone surrogates): both databases store U+FFFD for them.
- `enum_type`: a StrEnum as a VARCHAR with a named CHECK constraint (no native ENUM types).
"""

import re
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(value: str) -> str:
    """The text as the store keeps it: U+0000 and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, value)


class NaiveDateTimeError(ValueError):
    """A datetime without a time zone reached the store; the engine only stores aware UTC."""

    def __init__(self, value: datetime) -> None:
        super().__init__(f"refusing to store naive datetime {value.isoformat()}: attach a tzinfo")


class UtcDateTime(TypeDecorator[datetime]):
    """DateTime(timezone=True) that always returns aware UTC; SQLite stores naive UTC text."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDateTimeError(value)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StoredText(TypeDecorator[str]):
    """Unbounded text that both databases store identically."""

    impl: type[sa.String] = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else storable_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return value


class StoredString(StoredText):
    """VARCHAR(length) that both databases store identically (ids, handles, keys)."""

    impl = sa.String
    cache_ok = True


def enum_type(enum: type[StrEnum], name: str, length: int = 32) -> sa.Enum:
    """A StrEnum stored as its values in a VARCHAR(length) with the CHECK constraint `name`."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
