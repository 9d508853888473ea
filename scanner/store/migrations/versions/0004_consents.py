"""consent register and follower checks (policy item 3)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from scanner.store.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Create `consent` and `follower_check`."""
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", AutoString(length=100), nullable=False),
        sa.Column("account_id", AutoString(length=100), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("filed_at", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("source", AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_consent_student_id"), "consent", ["student_id"], unique=False)
    op.create_table(
        "follower_check",
        sa.Column("account_id", AutoString(length=100), nullable=False),
        sa.Column("source", AutoString(length=40), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("students", sa.Integer(), nullable=False),
        sa.Column("without_consent", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    """Drop the consent register and the follower checks."""
    op.drop_table("follower_check")
    op.drop_index(op.f("ix_consent_student_id"), table_name="consent")
    op.drop_table("consent")
