"""LINE answers: which outbox item spent a reply token (`line_reply_token.used_by`), and every
send that landed on LINE with the monthly quota it spent (`line_send`).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def upgrade() -> None:
    with op.batch_alter_table("line_reply_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_by", sa.Integer(), nullable=True))
    op.create_table(
        "line_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("quota", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name="fk_line_send_outbox_id_outbox", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_line_send"),
        sa.UniqueConstraint("outbox_id", name="uq_line_send_outbox_id"),
    )
    op.create_index("ix_line_send_account_id_sent_at", "line_send", ["account_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_line_send_account_id_sent_at", table_name="line_send")
    op.drop_table("line_send")
    with op.batch_alter_table("line_reply_token", schema=None) as batch_op:
        batch_op.drop_column("used_by")
