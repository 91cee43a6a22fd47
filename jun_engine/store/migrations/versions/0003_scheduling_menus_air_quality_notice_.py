"""scheduling (SCHEDULER helper): school_menu and air_quality_day tables; notice DM targets
(dm, districts, age_groups), priority and recipients on scheduled_item; delivery.outbox_id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 08:39:18.175718
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('scheduled', 'done', 'cancelled', 'failed', 'skipped')
"""scheduled_item.status gains 'skipped' (the misfire policy's verdict)."""


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    op.create_table('air_quality_day',
    sa.Column('day', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('exceeded', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_air_quality_day'))
    )
    op.create_table('school_menu',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('school', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dishes', sa.Text(), nullable=False),
    sa.Column('allergens', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'queued', 'skipped', name='menu_status', native_enum=False, create_constraint=True, length=32), server_default='scheduled', nullable=False),
    sa.Column('source', sa.String(length=255), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_menu')),
    sa.UniqueConstraint('school', 'day', name=op.f('uq_school_menu_school_day'))
    )
    with op.batch_alter_table('school_menu', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_menu_status_day'), ['status', 'day'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_delivery_outbox_id_outbox'), 'outbox', ['outbox_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('scheduled_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dm', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('districts', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('age_groups', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('recipients', sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f('ck_scheduled_item_scheduled_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_scheduled_item_scheduled_status'), f"status IN ({_quoted(STATUSES)})"
        )



def downgrade() -> None:
    op.execute("UPDATE scheduled_item SET status = 'failed' WHERE status = 'skipped'")
    with op.batch_alter_table('scheduled_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_scheduled_item_scheduled_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_scheduled_item_scheduled_status'), f"status IN ({_quoted(STATUSES[:-1])})"
        )
        batch_op.drop_column('recipients')
        batch_op.drop_column('priority')
        batch_op.drop_column('age_groups')
        batch_op.drop_column('districts')
        batch_op.drop_column('dm')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_delivery_outbox_id_outbox'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_delivery_outbox_id'))
        batch_op.drop_column('outbox_id')

    with op.batch_alter_table('school_menu', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_menu_status_day'))

    op.drop_table('school_menu')
    op.drop_table('air_quality_day')
