"""outbox attempts and failure code (OUTBOX helper): one row per send request, for pacing and
look-before-retry; `outbox.failure` holds a machine-readable reason.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:39:00.767953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_attempt',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('post', 'reply', 'dm', name='outbox_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_outbox_attempt_outbox_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempt'))
    )
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempt_account_id_started_at'), ['account_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_attempt_outbox_id'), ['outbox_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure', sa.String(length=40), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('failure')

    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attempt_outbox_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_attempt_account_id_started_at'))

    op.drop_table('outbox_attempt')
