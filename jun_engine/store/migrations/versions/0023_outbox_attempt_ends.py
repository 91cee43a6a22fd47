"""outbox attempts by their end: pacing counts an attempt from when it ended, and looks up the
window's attempts on this index instead of walking two minutes of starts (`outbox.pacing`).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 22:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_outbox_attempt_channel_account_id_finished_at"


def upgrade() -> None:
    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["channel", "account_id", "finished_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
