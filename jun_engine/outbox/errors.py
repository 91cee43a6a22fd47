"""The outbox's own errors; each builds its message from what went wrong."""


class OutboxError(Exception):
    """Anything the outbox refuses or cannot do."""


class InvalidOutboxItemError(OutboxError, ValueError):
    """An item that cannot be enqueued as given (no target for a reply, private text posted...)."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"cannot enqueue outbox item {key[:80]!r}: {reason}")


class LookInconclusiveError(OutboxError):
    """The account's history could not be read back far enough to tell whether an item landed."""

    def __init__(self, item_id: int, pages: int) -> None:
        self.item_id = item_id
        super().__init__(
            f"outbox item {item_id}: {pages} pages of history read without reaching its first "
            "attempt; cannot tell whether it was sent"
        )
