"""The outbox's own errors; each builds its message from what went wrong."""


class OutboxError(Exception):
    """Anything the outbox refuses or cannot do."""


class InvalidOutboxItemError(OutboxError, ValueError):
    """An item that cannot be enqueued as given (no target for a reply, private text posted...)."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"cannot enqueue outbox item {key[:80]!r}: {reason}")
