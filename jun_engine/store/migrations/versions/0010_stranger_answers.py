"""stranger answers: what the engine said to accounts that are not verified, for its bounds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stranger_answer',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('x_user_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('outbox_key', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stranger_answer'))
    )
    op.create_index(op.f('ix_stranger_answer_at'), 'stranger_answer', ['at'])
    op.create_index(op.f('ix_stranger_answer_x_user_id_at'), 'stranger_answer', ['x_user_id', 'at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_stranger_answer_x_user_id_at'), table_name='stranger_answer')
    op.drop_index(op.f('ix_stranger_answer_at'), table_name='stranger_answer')
    op.drop_table('stranger_answer')
