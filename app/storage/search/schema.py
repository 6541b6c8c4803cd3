"""What the search index holds for an article, and how text is cut into terms (the same way for queries).

Text fields are indexed but not stored: the database is the source of truth, and snippets are cut from the
row's own body. Facet fields are fast (column-oriented) so counting them over a match set reads no document.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import tantivy

from app.domain import as_utc, tag_key

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TEXT_TOKENIZER = "broadsheet"
PAIR_TOKENIZER = "pairs"
# Bumped whenever the fields change: a generation of another format is rebuilt, never opened.
FORMAT = 2
# English stemming without stop words and with diacritics folded: `cafés` finds `cafe`, `talks` finds `talk`.
ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
PAIR_ANALYZER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
TEXT_FIELDS = ("title", "summary", "body")
# Each text field's common-word pairs (search/pairs.py), weighted like the field.
PAIR_FIELDS = {name: f"{name}_pairs" for name in TEXT_FIELDS}
# Field weights for ranking: a match in the title counts most, then the summary, then the body.
BOOSTS = {"title": 10.0, "summary": 4.0, "body": 1.0}
# Facet name → (indexed key field, fast display field). Keys are case-folded so filters ignore case.
FACETS = {
    "tag": ("tag", "tag"),
    "source": ("source", "source"),
    "language": ("language", "language"),
    "author": ("author_key", "author"),
    "section": ("section_key", "section"),
}
# The columns a document is built from (the rest of the row never reaches the index).
COLUMNS = (
    "id",
    "title",
    "summary",
    "body",
    "tags",
    "authors",
    "section",
    "source",
    "language",
    "published_at",
    "sort_at",
)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # i64, not u64: the bindings delete by an int term as i64, so a u64 id could never be deleted.
    builder.add_integer_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TEXT_TOKENIZER, index_option="position")
        builder.add_text_field(PAIR_FIELDS[name], tokenizer_name=PAIR_TOKENIZER, index_option="freq")
    for name in ("tag", "source", "language", "author_key", "section_key"):
        builder.add_text_field(name, tokenizer_name="raw", fast=name in ("tag", "source", "language"))
    for name in ("author", "section"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    # Instants as microseconds since the epoch: tantivy's date type stops at 1677 and 2262, articles may not.
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_integer_field("sort_at", indexed=True, fast=True)
    builder.add_integer_field("dated", indexed=True, fast=True)
    return builder.build()


SCHEMA = build_schema()


def to_document(row: Mapping[str, Any], pairs: Callable[[str], str]) -> tantivy.Document:
    """The index document of one article row (a mapping with COLUMNS); `pairs` gives a text's pair terms."""
    doc = tantivy.Document()
    doc.add_integer("id", int(row["id"]))
    for name in TEXT_FIELDS:
        if row[name]:
            doc.add_text(name, row[name])
            if terms := pairs(row[name]):
                doc.add_text(PAIR_FIELDS[name], terms)
    for key in dict.fromkeys(k for k in map(tag_key, row["tags"] or ()) if k):
        doc.add_text("tag", key)
    for author in dict.fromkeys(row["authors"] or ()):
        doc.add_text("author", author)
        doc.add_text("author_key", fold(author))
    if row["section"]:
        doc.add_text("section", row["section"])
        doc.add_text("section_key", fold(row["section"]))
    doc.add_text("source", row["source"])
    if row["language"]:
        doc.add_text("language", row["language"])
    published = row["published_at"]
    if published is not None:
        doc.add_integer("published", micros(published))
    doc.add_integer("dated", int(published is not None))
    doc.add_integer("sort_at", micros(row["sort_at"]))
    return doc


def micros(value: datetime) -> int:
    """An instant as whole microseconds since the epoch (exact for years 1-9999)."""
    delta = as_utc(value) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def fold(value: str) -> str:
    """The matching form of a whole value (an author, a section): case-folded, spaces collapsed."""
    return " ".join(value.split()).casefold()


def analyze(text: str) -> list[str]:
    """The index terms of `text`, as the text fields store them."""
    return list(ANALYZER.analyze(text))
