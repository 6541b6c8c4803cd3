"""SQLAlchemy 2 typed tables. The search index lives outside the database, fed by `article_changes`."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UTC_DATETIME = DateTime(timezone=True)
# 64-bit ids (the API accepts up to 2^63 - 1); SQLite's INTEGER PRIMARY KEY is already 64-bit and must stay
# spelled INTEGER to be the rowid.
ARTICLE_ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTC_DATETIME, dict[str, Any]: JSON, list[str]: JSON}


class Article(Base):
    """One article. Lists (authors, tags, keywords) live on the row so a page is one indexed read."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(ARTICLE_ID, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048))
    url_key: Mapped[str] = mapped_column(String(2048), unique=True)
    original_url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    section: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    site_name: Mapped[str | None] = mapped_column(String(200))
    publisher: Mapped[str | None] = mapped_column(String(200))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    ingested_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The listing order: published_at when known, else ingested_at. Stored so keyset pages use one index.
    sort_at: Mapped[datetime]
    word_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_articles_sort", "sort_at", "id"),
        Index("ix_articles_source_sort", "source", "sort_at", "id"),
        Index("ix_articles_language_sort", "language", "sort_at", "id"),
        Index("ix_articles_published_at", "published_at"),
        {"sqlite_autoincrement": True},  # a deleted article's id is never handed out again
    )


class Tag(Base):
    """A tag's matching key (case-folded) and the display form it was first seen in."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    display: Mapped[str] = mapped_column(String(200))


class ArticleTag(Base):
    """Article ↔ tag, carrying the article's sort key so a tag page is an index range scan."""

    __tablename__ = "article_tags"

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ARTICLE_ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    sort_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_article_tags_tag_sort", "tag_id", "sort_at", "article_id"),
        Index("ix_article_tags_article", "article_id"),
    )


class ArticleChange(Base):
    """The change log: one row per committed create, update or delete of an article, in commit order.

    Written in the same transaction as the change itself (storage.changes), so a consumer that reads it in
    `seq` order — a search index, a sync client — never misses a committed change and never sees one that
    rolled back. Deleted articles keep their rows here.
    """

    __tablename__ = "article_changes"

    seq: Mapped[int] = mapped_column(ARTICLE_ID, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ARTICLE_ID)
    kind: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime]

    __table_args__ = ({"sqlite_autoincrement": True},)
