"""outbox channel: every outbox item and attempt names the channel it goes out on.

`account_id` stays as it is and now reads "the sending account's id on that channel". Rows
written before this revision were all sent on X, so they get channel 'x'.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("outbox", "outbox_attempt")


def _channel() -> sa.Enum:
    return sa.Enum(
        "x", "line", name="channel", native_enum=False, create_constraint=True, length=32
    )


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("channel", _channel(), nullable=False, server_default="x")
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("channel", server_default=None)
    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attempt_account_id_started_at")
        batch_op.create_index(
            "ix_outbox_attempt_channel_account_id_started_at",
            ["channel", "account_id", "started_at"],
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attempt_channel_account_id_started_at")
        batch_op.create_index(
            "ix_outbox_attempt_account_id_started_at", ["account_id", "started_at"]
        )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if op.get_bind().dialect.name == "sqlite":  # PostgreSQL drops it with the column
                batch_op.drop_constraint(op.f(f"ck_{table}_channel"), type_="check")
            batch_op.drop_column("channel")
