"""The change log: every committed create, update and delete of an article, in commit order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_changes",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("article_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_article_changes"),
        sqlite_autoincrement=True,
    )
    # Articles stored before the log existed enter it once, so a consumer replaying from the start sees them.
    op.execute(
        "INSERT INTO article_changes (article_id, kind, changed_at) "
        "SELECT id, 'upsert', updated_at FROM articles ORDER BY updated_at, id"
    )


def downgrade() -> None:
    op.drop_table("article_changes")
