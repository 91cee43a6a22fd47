"""resident events (RESIDENTS helper): `resident_event` is each resident's history (enrolled,
code issued, verified, unbound, handle changed, revoked, erased) and remembers every X account a
resident used, for moving to a new account and for erasure.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 08:39:37.478899
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('resident_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('x_user_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_event_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_event'))
    )
    with op.batch_alter_table('resident_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_event_resident_id_at'), ['resident_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_event_x_user_id'), ['x_user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resident_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_event_x_user_id'))
        batch_op.drop_index(batch_op.f('ix_resident_event_resident_id_at'))

    op.drop_table('resident_event')
