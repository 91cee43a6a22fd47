"""LINE intake and answers: what a message carries besides text (a map pin, photos, a pressed
button), accounts that blocked the town, outbox retry keys and buttons
(choices), and LINE's reply tokens.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("place_label", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attachments", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("action", sa.Text(), nullable=True))
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.alter_column("attachments", server_default=None)
    with op.batch_alter_table("resident_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_since", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_key", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("choices", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("choices", server_default=None)
    op.create_table(
        "line_reply_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("platform_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("token", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "platform_id"),
    )


def downgrade() -> None:
    op.drop_table("line_reply_token")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("choices")
        batch_op.drop_column("retry_key")
    with op.batch_alter_table("resident_identity", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        for column in ("action", "attachments", "place_label", "longitude", "latitude"):
            batch_op.drop_column(column)
