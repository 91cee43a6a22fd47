"""web desk: staff accounts, private-view audit, weekly reports, inbox and analytics indexes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "department",
                "triage",
                "mayor",
                "admin",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_account")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_account_username")),
    )
    op.create_table(
        "weekly_report",
        sa.Column("week_start", sa.Date(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("week_start", name=op.f("pk_weekly_report")),
    )
    op.create_table(
        "private_view",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_private_view_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_account.id"],
            name=op.f("fk_private_view_staff_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_view")),
    )
    op.create_index(op.f("ix_private_view_case_id_at"), "private_view", ["case_id", "at"])
    op.create_index(op.f("ix_private_view_staff_id"), "private_view", ["staff_id"])
    op.create_index(
        "ix_case_analytics",
        "case",
        [
            "opened_at",
            "department",
            "category",
            "channel",
            "resident_id",
            "first_response_at",
            "first_response_due",
            "resolved_at",
            "resolution_due",
            "satisfaction",
        ],
    )
    op.create_index(
        "ix_case_inbox",
        "case",
        [
            "department",
            "status",
            "urgency",
            "first_response_at",
            "first_response_due",
            "resolution_due",
            "opened_at",
            "id",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_case_inbox", table_name="case")
    op.drop_index("ix_case_analytics", table_name="case")
    op.drop_index(op.f("ix_private_view_staff_id"), table_name="private_view")
    op.drop_index(op.f("ix_private_view_case_id_at"), table_name="private_view")
    op.drop_table("private_view")
    op.drop_table("weekly_report")
    op.drop_table("staff_account")
