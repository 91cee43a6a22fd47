"""intake billing and stream health (INTAKE helper): `billed_resource` remembers what X billed
today per app (a resource is billed once per UTC day), and `poll_checkpoint` gains each stream's
health for `jun-engine status` (failures, rate limit, paused or stopped).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:39:25.366173
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('billed_resource',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('app', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', 'app', 'kind', 'resource_id', name=op.f('pk_billed_resource'))
    )
    with op.batch_alter_table('poll_checkpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rate_limit_remaining', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rate_limit_reset_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('poll_checkpoint', schema=None) as batch_op:
        batch_op.drop_column('stopped_at')
        batch_op.drop_column('paused_until')
        batch_op.drop_column('rate_limit_reset_at')
        batch_op.drop_column('rate_limit_remaining')
        batch_op.drop_column('failures')

    op.drop_table('billed_resource')
