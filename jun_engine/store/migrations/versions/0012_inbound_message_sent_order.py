"""inbound message sent order: an index for taking new messages in the order they were sent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_inbound_message_status_created_at_id"),
        "inbound_message",
        ["status", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_message_status_created_at_id"), table_name="inbound_message")
