"""The durable outbox: every post, reply and DM the engine makes is written here first and sent
by `OutboxSender` exactly once per idempotency key."""
