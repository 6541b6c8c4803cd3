"""Articles, tags and full-text search on SQLite (FTS5) and PostgreSQL (weighted tsvector + GIN).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
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
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url_key", name="uq_articles_url_key"),
    )
    op.create_index("ix_articles_sort", "articles", ["sort_at", "id"])
    op.create_index("ix_articles_source_sort", "articles", ["source", "sort_at", "id"])
    op.create_index("ix_articles_language_sort", "articles", ["language", "sort_at", "id"])
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("display", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("key", name="uq_tags_key"),
    )
    op.create_table(
        "article_tags",
        sa.Column("tag_id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("sort_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tag_id", "article_id", name="pk_article_tags"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_article_tags_tag_id_tags", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_tags_article_id_articles", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_article_tags_tag_sort", "article_tags", ["tag_id", "sort_at", "article_id"])
    op.create_index("ix_article_tags_article", "article_tags", ["article_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search_up()
    else:
        _sqlite_search_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search_down()
    else:
        _sqlite_search_down()
    op.drop_table("article_tags")
    op.drop_table("tags")
    op.drop_table("articles")


# SQLite: an external-content FTS5 table kept in step by triggers, in the same transaction as the row
# (the pattern of sqlite-utils' enable_fts). Porter stemming over unicode61; no diacritic folding, so
# that both engines match the same words.
def _sqlite_search_up() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, body, content='articles', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 0')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
        "VALUES ('delete', old.id, old.title, old.summary, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
        "VALUES ('delete', old.id, old.title, old.summary, old.body); "
        "INSERT INTO articles_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END"
    )


def _sqlite_search_down() -> None:
    for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS articles_fts")


# PostgreSQL: English snowball stemming without a stop-word list (FTS5's porter keeps stop words too), and
# text split on anything that is not a letter or digit first, so 'multi-agent' and '20.04' tokenise as on
# SQLite. The generated column is computed in the row's own transaction.
def _vector_part(column: str, weight: str) -> str:
    return (
        f"setweight(to_tsvector('broadsheet'::regconfig, "
        f"regexp_replace(coalesce({column}, ''), '[^[:alnum:]]+', ' ', 'g')), '{weight}')"
    )


def _postgres_search_up() -> None:
    op.execute("CREATE TEXT SEARCH DICTIONARY broadsheet_stem (TEMPLATE = snowball, Language = english)")
    op.execute("CREATE TEXT SEARCH CONFIGURATION broadsheet (COPY = simple)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION broadsheet ALTER MAPPING FOR "
        "asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart "
        "WITH broadsheet_stem"
    )
    vector = " || ".join([_vector_part("title", "A"), _vector_part("summary", "B"), _vector_part("body", "C")])
    op.execute(f"ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
    op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")


def _postgres_search_down() -> None:
    op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS broadsheet")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS broadsheet_stem")
