"""comments and replies: kind, parent, thread and author role of a stored post

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Add the comment columns to `post` (existing rows are posts by the account)."""
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", AutoString(length=10), nullable=False, server_default="post")
        )
        batch_op.add_column(sa.Column("parent_external_id", AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column("thread_external_id", AutoString(length=300), nullable=True))
        batch_op.add_column(
            sa.Column(
                "author_role", AutoString(length=10), nullable=False, server_default="account"
            )
        )
        batch_op.create_index(
            batch_op.f("ix_post_thread_external_id"), ["thread_external_id"], unique=False
        )


def downgrade() -> None:
    """Drop the comment columns."""
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_thread_external_id"))
        batch_op.drop_column("author_role")
        batch_op.drop_column("thread_external_id")
        batch_op.drop_column("parent_external_id")
        batch_op.drop_column("kind")
