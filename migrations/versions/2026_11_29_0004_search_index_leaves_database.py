"""Full-text search moves to the derived index (app/storage/search): drop FTS5 and the tsvector column.

The index is rebuilt from the articles table and kept current from the change log, so the database no
longer pays for a second copy of every text on each write (FTS5 242 MB, tsvector + GIN ≈ 400 MB per 100k
articles, measured in issue 11). Downgrading recreates them from the rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    initial = _initial()
    if op.get_bind().dialect.name == "postgresql":
        initial._postgres_search_down()
    else:
        initial._sqlite_search_down()


def downgrade() -> None:
    initial = _initial()
    if op.get_bind().dialect.name == "postgresql":
        initial._postgres_search_up()
    else:
        initial._sqlite_search_up()
        op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def _initial() -> ModuleType:
    # Reuse the exact statements of the revision that created them.
    path = next(Path(__file__).parent.glob("*_0001_initial.py"))
    spec = importlib.util.spec_from_file_location("broadsheet_migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
