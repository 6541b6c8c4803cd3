"""canonical_url: the address an article's page declares for itself, beside the one it is stored under.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column is added in place on both engines: no table rebuild.
    op.add_column("articles", sa.Column("canonical_url", sa.String(2048), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch rebuild of the whole table (and of its triggers).
    op.drop_column("articles", "canonical_url")
