"""weekly report e-mail: each report records its e-mail's state and attempts, so it is sent at
most once across crashes (`jun_engine.mail.delivery`).

Reports made before this revision are `unsent`; only the newest is ever e-mailed.

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("unsent", "sending", "retrying", "sent", "unconfirmed", "failed")
TIMES = ("mail_attempted_at", "mail_next_at", "mail_sent_at")


def upgrade() -> None:
    with op.batch_alter_table("weekly_report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mail_status",
                sa.Enum(
                    *STATUSES,
                    name="report_mail_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="unsent",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("mail_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        for name in TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("mail_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_report", schema=None) as batch_op:
        if op.get_bind().dialect.name == "sqlite":  # PostgreSQL drops it with the column
            batch_op.drop_constraint(op.f("ck_weekly_report_report_mail_status"), type_="check")
        for name in ("mail_error", *reversed(TIMES), "mail_attempts", "mail_status"):
            batch_op.drop_column(name)
