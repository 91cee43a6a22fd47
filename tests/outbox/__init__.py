"""Tests of the durable outbox: splitting, enqueueing, sending exactly once, pacing."""
