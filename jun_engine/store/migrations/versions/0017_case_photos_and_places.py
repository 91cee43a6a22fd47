"""Case attachments: the map pin of a case and its district (`case_place`), and the photos
residents sent, kept as files outside the database (`case_photo`).

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
TIME = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "case_place",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("district", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_place_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["inbound_message.id"],
            name=op.f("fk_case_place_message_id_inbound_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_place")),
    )
    op.create_index(op.f("ix_case_place_message_id"), "case_place", ["message_id"])
    op.create_table(
        "case_photo",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", _enum("channel", "x", "line"), nullable=False),
        sa.Column("content_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _enum("photo_status", "pending", "stored", "refused", "gone"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("path", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("stored_at", TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_photo_case_id_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["inbound_message.id"],
            name=op.f("fk_case_photo_message_id_inbound_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photo")),
        sa.UniqueConstraint(
            "channel", "content_id", name=op.f("uq_case_photo_channel_content_id")
        ),
    )
    op.create_index(op.f("ix_case_photo_case_id"), "case_photo", ["case_id"])
    op.create_index(op.f("ix_case_photo_message_id"), "case_photo", ["message_id"])
    op.create_index(
        op.f("ix_case_photo_status_next_attempt_at"), "case_photo", ["status", "next_attempt_at"]
    )
    op.create_index(
        op.f("ix_case_photo_channel_author_id_received_at"),
        "case_photo",
        ["channel", "author_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_table("case_photo")
    op.drop_table("case_place")
