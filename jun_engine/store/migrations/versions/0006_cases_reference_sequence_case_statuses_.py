"""cases (CASES helper): `case_sequence` numbers references per prefix and year; `case` gains
the statuses routed, answered, reopened, rerouted, merged and forwarded (its CHECK constraints
are rebuilt), the author's X id, the case it was merged into, the outside body it was forwarded
to, and when it escalated and when its survey went out; `case_event.ref` records the platform id
behind an event (a staff reply's post) so it is recorded once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:40:44.401713
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ('open', 'acknowledged', 'in_progress', 'waiting_resident', 'resolved', 'closed')
NEW_STATUSES = (*OLD_STATUSES, 'routed', 'answered', 'reopened', 'rerouted', 'merged', 'forwarded')
BACK = {'routed': 'open', 'answered': 'in_progress', 'reopened': 'in_progress',
        'rerouted': 'in_progress', 'merged': 'closed', 'forwarded': 'resolved'}


def upgrade() -> None:
    op.create_table('case_sequence',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('last', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_case_sequence'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('external_body', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_merged_into_id_case'), 'case', ['merged_into_id'], ['id'], ondelete='SET NULL')
        _statuses(batch_op, 'ck_case_case_status', 'status', NEW_STATUSES)

    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_event_ref'), ['ref'], unique=False)
        _statuses(batch_op, 'ck_case_event_from_status', 'from_status', NEW_STATUSES)
        _statuses(batch_op, 'ck_case_event_to_status', 'to_status', NEW_STATUSES)


def downgrade() -> None:
    # Cases in a new status go back to the nearest old one, so the old constraint holds.
    for new, old in BACK.items():
        op.execute(sa.text(f"UPDATE \"case\" SET status = '{old}' WHERE status = '{new}'"))
        for column in ('from_status', 'to_status'):
            op.execute(sa.text(f"UPDATE case_event SET {column} = '{old}' WHERE {column} = '{new}'"))
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        _statuses(batch_op, 'ck_case_event_to_status', 'to_status', OLD_STATUSES)
        _statuses(batch_op, 'ck_case_event_from_status', 'from_status', OLD_STATUSES)
        batch_op.drop_index(batch_op.f('ix_case_event_ref'))
        batch_op.drop_column('ref')

    with op.batch_alter_table('case', schema=None) as batch_op:
        _statuses(batch_op, 'ck_case_case_status', 'status', OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_case_merged_into_id_case'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_case_author_id'))
        batch_op.drop_column('survey_sent_at')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('external_body')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('author_id')

    op.drop_table('case_sequence')


def _statuses(batch_op: object, name: str, column: str, values: Sequence[str]) -> None:
    """Rebuild the CHECK constraint that lists a status column's values."""
    batch_op.drop_constraint(op.f(name), type_='check')  # type: ignore[attr-defined]
    batch_op.create_check_constraint(  # type: ignore[attr-defined]
        op.f(name), sa.column(column).in_(values)
    )
