"""self-service (SELF-SERVICE helper): `appointment_slot` (a seat counter per bookable time,
CHECK booked <= capacity), `appointment` (a resident's booking, with its reference), `slot_day`
(days staff closed or opened), `conversation` (where a resident is in a DM dialogue, so it survives
restarts) and `self_service_answer` (messages answered without a department).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 08:41:19.123914
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appointment_slot',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_appointment_slot_booked_within_capacity')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_appointment_slot_capacity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_slot')),
    sa.UniqueConstraint('department', 'starts_at', name=op.f('uq_appointment_slot_department_starts_at'))
    )
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.Enum('x', 'line', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation')),
    sa.UniqueConstraint('channel', 'user_id', name=op.f('uq_conversation_channel_user_id'))
    )
    op.create_table('slot_day',
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('department', 'day', name=op.f('pk_slot_day'))
    )
    op.create_table('appointment',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.Enum('x', 'line', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('booked', 'cancelled', name='appointment_status', native_enum=False, create_constraint=True, length=32), server_default='booked', nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['inbound_message.id'], name=op.f('fk_appointment_message_id_inbound_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_appointment_resident_id_resident')),
    sa.ForeignKeyConstraint(['slot_id'], ['appointment_slot.id'], name=op.f('fk_appointment_slot_id_appointment_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('reference', name=op.f('uq_appointment_reference'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_resident_id_status'), ['resident_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_slot_id'), ['slot_id'], unique=False)

    op.create_table('self_service_answer',
    sa.Column('message_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['inbound_message.id'], name=op.f('fk_self_service_answer_message_id_inbound_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_self_service_answer'))
    )
    with op.batch_alter_table('self_service_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_service_answer_at'), ['at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('self_service_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_service_answer_at'))

    op.drop_table('self_service_answer')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_slot_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_resident_id_status'))
        batch_op.drop_index(batch_op.f('ix_appointment_message_id'))

    op.drop_table('appointment')
    op.drop_table('slot_day')
    op.drop_table('conversation')
    op.drop_table('appointment_slot')
