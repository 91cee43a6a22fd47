"""resident identities: a resident's accounts move from `resident.x_user_id` / `x_handle` into
`resident_identity` (channel, user id, handle), and the attempt, stranger-answer and event
tables name an account by channel and user id instead of an X user id.

Downgrading puts the X identities back on the resident and drops what only another channel
could have said (such accounts, their attempts and answers; an event keeps no user id for them).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
COUNTED = ("verification_attempt", "stranger_answer")
"""The tables that count an account's tries and answers: (channel, user_id, at) indexed."""


def _channel() -> sa.Enum:
    return sa.Enum(
        "x", "line", name="channel", native_enum=False, create_constraint=True, length=32
    )


def upgrade() -> None:
    op.create_table(
        "resident_identity",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("channel", _channel(), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_resident_identity_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_identity")),
        sa.UniqueConstraint(
            "channel", "user_id", name=op.f("uq_resident_identity_channel_user_id")
        ),
        sa.UniqueConstraint(
            "resident_id", "channel", name=op.f("uq_resident_identity_resident_id_channel")
        ),
    )
    op.execute(
        "INSERT INTO resident_identity (resident_id, channel, user_id, handle, bound_at) "
        "SELECT id, 'x', x_user_id, x_handle, COALESCE(verified_at, enrolled_at) "
        "FROM resident WHERE x_user_id IS NOT NULL"
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_resident_x_user_id"), type_="unique")
        batch_op.drop_column("x_handle")
        batch_op.drop_column("x_user_id")
    for table in COUNTED:
        op.drop_index(op.f(f"ix_{table}_x_user_id_at"), table_name=table)
        _add_channel(table, nullable=False)
        op.create_index(op.f(f"ix_{table}_channel_user_id_at"), table, ["channel", "user_id", "at"])
    op.drop_index(op.f("ix_resident_event_x_user_id"), table_name="resident_event")
    _add_channel("resident_event", nullable=True)
    op.create_index(
        op.f("ix_resident_event_channel_user_id"), "resident_event", ["channel", "user_id"]
    )


def _add_channel(table: str, *, nullable: bool) -> None:
    """`x_user_id` becomes `user_id` beside a `channel` column, 'x' wherever an id is."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", _channel(), nullable=True))
        batch_op.alter_column(
            "x_user_id", new_column_name="user_id", existing_type=ID, existing_nullable=nullable
        )
    op.execute(f"UPDATE {table} SET channel = 'x' WHERE user_id IS NOT NULL")
    if not nullable:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("channel", existing_type=_channel(), nullable=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_resident_event_channel_user_id"), table_name="resident_event")
    op.execute("UPDATE resident_event SET user_id = NULL WHERE channel <> 'x'")
    _drop_channel("resident_event", nullable=True)
    op.create_index(op.f("ix_resident_event_x_user_id"), "resident_event", ["x_user_id"])
    for table in COUNTED:
        op.drop_index(op.f(f"ix_{table}_channel_user_id_at"), table_name=table)
        op.execute(f"DELETE FROM {table} WHERE channel <> 'x'")
        _drop_channel(table, nullable=False)
        op.create_index(op.f(f"ix_{table}_x_user_id_at"), table, ["x_user_id", "at"])
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("x_user_id", ID, nullable=True))
        batch_op.add_column(sa.Column("x_handle", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_resident_x_user_id"), ["x_user_id"])
    op.execute(
        "UPDATE resident SET "
        "x_user_id = (SELECT i.user_id FROM resident_identity i "
        "WHERE i.resident_id = resident.id AND i.channel = 'x'), "
        "x_handle = (SELECT i.handle FROM resident_identity i "
        "WHERE i.resident_id = resident.id AND i.channel = 'x')"
    )
    op.drop_table("resident_identity")


def _drop_channel(table: str, *, nullable: bool) -> None:
    """`user_id` becomes `x_user_id` again, without its `channel` column."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"ck_{table}_channel"), type_="check")
        batch_op.drop_column("channel")
        batch_op.alter_column(
            "user_id", new_column_name="x_user_id", existing_type=ID, existing_nullable=nullable
        )
