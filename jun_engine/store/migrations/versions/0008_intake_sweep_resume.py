"""intake sweep resume (INTAKE helper): a sweep that stopped midway (a crash, a failed page)
is continued from its page token instead of started over, so a backlog is read to the end
even when the daemon restarts often.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 09:20:05.371953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('poll_checkpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resume_token', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('resume_top', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('poll_checkpoint', schema=None) as batch_op:
        batch_op.drop_column('resume_top')
        batch_op.drop_column('resume_token')

