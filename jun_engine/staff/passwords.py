"""Passwords as argon2id hashes (memory-hard): hashing, checking, and refusing weak ones. The
cost parameters are configuration (`Hashing`), passed down from the edge: production uses
`PRODUCTION`; tests pass a cheap `Hashing` so their hundreds of sign-ins take milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_LENGTH = 12
MAX_LENGTH = 1024
"""Longer inputs are refused before hashing (a megabyte password is a denial of service)."""


@dataclass(frozen=True, slots=True)
class Hashing:
    """argon2id's cost: passes, memory in KiB, lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int


PRODUCTION = Hashing(
    RFC_9106_LOW_MEMORY.time_cost, RFC_9106_LOW_MEMORY.memory_cost, RFC_9106_LOW_MEMORY.parallelism
)
"""RFC 9106's low-memory profile (argon2-cffi's default): 3 passes over 64 MiB, 4 lanes."""


class WeakPasswordError(ValueError):
    """A new password the desk refuses (too short, too long, blank)."""


def check_new(password: str) -> None:
    """Refuse a password too short or too long to be set."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"a password has at most {MAX_LENGTH} characters")
    if not password.strip():
        raise WeakPasswordError("a password cannot be only spaces")


@dataclass(frozen=True)
class Passwords:
    """Hashing and checking with one set of argon2id parameters."""

    hashing: Hashing = PRODUCTION
    _hasher: PasswordHasher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hasher = PasswordHasher(
            time_cost=self.hashing.time_cost,
            memory_cost=self.hashing.memory_kib,
            parallelism=self.hashing.parallelism,
        )
        object.__setattr__(self, "_hasher", hasher)

    @cached_property
    def _dummy(self) -> str:
        """A hash of nobody's password, made on first need (not at import)."""
        return self._hasher.hash("not a password of anyone")

    def hash(self, password: str) -> str:
        """The argon2id hash to store (salted; never the password)."""
        check_new(password)
        return self._hasher.hash(password)

    def matches(self, stored_hash: str, password: str) -> bool:
        """Whether `password` is the one `stored_hash` was made from."""
        if len(password) > MAX_LENGTH:
            return False
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def spend_time_like_a_check(self, password: str) -> None:
        """Hash against a dummy, so an unknown username takes as long as a wrong password."""
        self.matches(self._dummy, password[:MAX_LENGTH])

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the hash was made with other parameters than these."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return False
