"""Article ids are 64-bit on PostgreSQL and never re-used on SQLite.

PostgreSQL: `articles.id` (and `article_tags.article_id`, and the id sequence) become BIGINT, since the API
takes ids up to 2^63 - 1 and a 32-bit column made `GET /articles/2147483648` a 500.

SQLite: INTEGER PRIMARY KEY re-uses the largest id after it is deleted, so an old link would show another
article. AUTOINCREMENT forbids that; SQLite only sets it when a table is created, so `articles` and
`article_tags` are rebuilt (children first, so no ON DELETE CASCADE fires) and renamed into place. Row ids are
kept, so the FTS5 index (content_rowid='id') stays valid; its triggers are recreated on the new table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
_FTS_TRIGGERS = {
    "articles_fts_ai": "AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "articles_fts_ad": "AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "articles_fts_au": "AFTER UPDATE OF title, summary, body ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO articles_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE article_tags ALTER COLUMN article_id TYPE BIGINT")
        op.execute("ALTER TABLE articles ALTER COLUMN id TYPE BIGINT")
        op.execute("ALTER SEQUENCE articles_id_seq AS BIGINT MAXVALUE 9223372036854775807")
    else:
        _sqlite_rebuild()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE articles_id_seq AS INTEGER MAXVALUE 2147483647")
        op.execute("ALTER TABLE articles ALTER COLUMN id TYPE INTEGER")
        op.execute("ALTER TABLE article_tags ALTER COLUMN article_id TYPE INTEGER")
    # SQLite: AUTOINCREMENT is kept on the way down. It changes no column or query of revision 0001, and
    # taking it away would let deleted ids be handed out again, the defect this revision fixes.


def _sqlite_rebuild() -> None:
    _articles_table("articles_new")
    op.execute("INSERT INTO articles_new SELECT * FROM articles")
    op.create_table(
        "article_tags_new",
        sa.Column("tag_id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("sort_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tag_id", "article_id", name="pk_article_tags"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_article_tags_tag_id_tags", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles_new.id"], name="fk_article_tags_article_id_articles", ondelete="CASCADE"
        ),
    )
    op.execute("INSERT INTO article_tags_new SELECT tag_id, article_id, sort_at FROM article_tags")
    for trigger in _FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("article_tags")
    op.drop_table("articles")
    # Renaming also rewrites article_tags_new's foreign key to name `articles` (legacy_alter_table is off).
    op.rename_table("articles_new", "articles")
    op.rename_table("article_tags_new", "article_tags")
    op.create_index("ix_articles_sort", "articles", ["sort_at", "id"])
    op.create_index("ix_articles_source_sort", "articles", ["source", "sort_at", "id"])
    op.create_index("ix_articles_language_sort", "articles", ["language", "sort_at", "id"])
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_index("ix_article_tags_tag_sort", "article_tags", ["tag_id", "sort_at", "article_id"])
    op.create_index("ix_article_tags_article", "article_tags", ["article_id"])
    for trigger, definition in _FTS_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {trigger} {definition}")


def _articles_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("url_key", sa.String(2048), nullable=False),
        sa.Column("original_url", sa.String(2048)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("section", sa.String(200)),
        sa.Column("language", sa.String(8)),
        sa.Column("site_name", sa.String(200)),
        sa.Column("publisher", sa.String(200)),
        sa.Column("image_url", sa.String(2048)),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("published_at", TS),
        sa.Column("modified_at", TS),
        sa.Column("ingested_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("sort_at", TS, nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("url_key", name="uq_articles_url_key"),
        sqlite_autoincrement=True,
    )
