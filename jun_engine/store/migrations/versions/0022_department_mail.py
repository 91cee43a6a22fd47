"""department mail: each e-mail to a department (a new private case, the day's digest), recorded
in the transaction that causes it and sent at most once (`jun_engine.mail.departments`).

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-04 23:29:45
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("unsent", "sending", "retrying", "sent", "unconfirmed", "failed")


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "department_mail",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("kind", _enum("case", "digest", name="department_mail_kind"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            _enum(*STATUSES, name="department_mail_status"),
            server_default="unsent",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
            name=op.f("fk_department_mail_case_id_case"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_mail")),
        sa.UniqueConstraint("key", name=op.f("uq_department_mail_key")),
    )
    with op.batch_alter_table("department_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_department_mail_case_id"), ["case_id"])
        batch_op.create_index(
            batch_op.f("ix_department_mail_status_department"), ["status", "department"]
        )


def downgrade() -> None:
    with op.batch_alter_table("department_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_mail_status_department"))
        batch_op.drop_index(batch_op.f("ix_department_mail_case_id"))
    op.drop_table("department_mail")
