"""LINE casts and quota: multicasts, narrowcasts and broadcasts with their retry keys
(line_cast), each LINE account's monthly quota meter (line_quota), and the channels a notice
goes out on (scheduled_item.channels, .line_account).

Revision ID: 0018
Revises: 0021 (written on 0016; re-chained after merging main)
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def _moment(name: str, nullable: bool = True) -> "sa.Column[datetime]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "line_cast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column(
            "how",
            sa.Enum(
                "multicast", "narrowcast", "broadcast",
                name="cast_kind", native_enum=False, create_constraint=True, length=32,
            ),
            nullable=False,
        ),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), server_default="10", nullable=False),
        sa.Column("retry_key", sa.String(length=36), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "sending", "accepted", "sent", "failed",
                name="cast_status", native_enum=False, create_constraint=True, length=32,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _moment("not_before"),
        _moment("expires_at"),
        _moment("created_at", nullable=False),
        _moment("first_attempt_at"),
        _moment("sent_at"),
        sa.Column("request_id", ID, nullable=True),
        sa.Column("progress", sa.String(length=16), nullable=True),
        sa.Column("delivered", sa.Integer(), nullable=True),
        sa.Column("undelivered", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["scheduled_item.id"],
            name=op.f("fk_line_cast_notice_id_scheduled_item"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_cast")),
        sa.UniqueConstraint("key", name=op.f("uq_line_cast_key")),
    )
    with op.batch_alter_table("line_cast", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_cast_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_line_cast_status_priority_not_before"),
            ["status", "priority", "not_before"],
            unique=False,
        )
    op.create_table(
        "line_quota",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("spent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reported_used", sa.Integer(), nullable=True),
        sa.Column("reported_limit", sa.Integer(), nullable=True),
        _moment("reported_at"),
        _moment("warned_at"),
        sa.Column("plan_warning", sa.Text(), nullable=True),
        _moment("plan_checked_at"),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_line_quota")),
    )
    with op.batch_alter_table("scheduled_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channels", sa.String(length=40), server_default="x", nullable=False)
        )
        batch_op.add_column(sa.Column("line_account", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_item", schema=None) as batch_op:
        batch_op.drop_column("line_account")
        batch_op.drop_column("channels")
    op.drop_table("line_quota")
    with op.batch_alter_table("line_cast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_cast_status_priority_not_before"))
        batch_op.drop_index(batch_op.f("ix_line_cast_notice_id"))
    op.drop_table("line_cast")
