"""open311: the channel value `open311` in every channel column, and the Open311 clients' keys.

Channel columns are CHECK-constrained strings: each constraint is dropped and made again with
the new value. Downgrading deletes what came in through Open311 (its messages, cases and outbox
rows) before putting the old constraints back.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "inbound_message",
    "case",
    "appointment",
    "conversation",
    "resident_identity",
    "verification_attempt",
    "stranger_answer",
    "resident_event",
    "outbox",
    "outbox_attempt",
)
"""Every table with a `channel` column."""
BEFORE = ("x", "line")
AFTER = ("x", "line", "open311")


def _check(table: str, values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_channel"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_channel"), f"channel IN ({listed})")


def upgrade() -> None:
    for table in TABLES:
        _check(table, AFTER)
    op.create_table(
        "open311_client",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_client")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_client_name")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_client_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("open311_client")
    opened = "SELECT id FROM \"case\" WHERE channel = 'open311'"
    op.execute(f"DELETE FROM case_event WHERE case_id IN ({opened})")
    op.execute(f"DELETE FROM private_view WHERE case_id IN ({opened})")
    op.execute(f"UPDATE outbox SET case_id = NULL WHERE case_id IN ({opened})")
    op.execute(f"UPDATE routing_example SET case_id = NULL WHERE case_id IN ({opened})")
    op.execute(f"UPDATE \"case\" SET merged_into_id = NULL WHERE merged_into_id IN ({opened})")
    for table in reversed(TABLES):
        op.execute(f"DELETE FROM \"{table}\" WHERE channel = 'open311'")
    for table in TABLES:
        _check(table, BEFORE)
