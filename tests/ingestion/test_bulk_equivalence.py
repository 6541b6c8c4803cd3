"""The bulk store (NDJSON through ingestion.bulk) stores exactly the rows single-article writes store, both engines."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from app.errors import Conflict
from app.ingestion import bulk, ndjson, service
from app.reader.pipeline import ParsedArticle
from app.storage.db import Writer
from tests.factories import article_json

LONG = " ".join(["Harbour pilots walked out over pay, leaving 12 ships at anchor."] * 8)
# Bodies whose word counts and hashes are easy to get subtly wrong: non-ASCII letters and digits, curly
# quotes, underscores, non-breaking spaces, CJK, combining marks, emoji, numbers with separators.
BODIES = [
    LONG,
    "“Quoted” words — and a dash; l’été à Zürich, naïve café.\n\nSecond paragraph_with_underscores 3.14 1,000.",
    "Ein Straßenbahnfahrer sagte: „Es reicht!“\u00a0Dann\u00a0ging er.",
    "東京の港で 水先人が ストライキ。数字は ١٢٣ and ½ and ²; e\u0301clair, 🚢🚢 ships.",
    "snake_case __dunder__ _lead trail_ a_b-c d--e",
    "",
]


def lines() -> list[dict[str, Any]]:
    """Articles as an export holds them: variants of one URL, duplicates, dates with offsets, awkward text."""
    out: list[dict[str, Any]] = []
    for n, body in enumerate(BODIES, start=1):
        out.append(article_json(n, body=body or None, tags=["World", "world ", f"Série {n}", "ports"]))
    out += [
        # Variants of story 1's address (scheme, www., tracking, trailing slash): one row, decided in order.
        article_json(1, url="http://www.news.example.com/world/2026/01/01/story-1/?utm_source=x", body=LONG),
        article_json(1, url="https://news.example.com/world/2026/01/01/story-1#top", title="Corrected", body=LONG),
        article_json(1, body="A paywall.", title="Teaser"),  # a worse reading of a stored body: kept
        article_json(7, url="https://Example.COM:443/a?b=1&utm_medium=y&c=%20", published_at=None),
        article_json(8, modified_at="2026-03-01T10:00:00-05:00", original_url="https://t.example/x"),
        article_json(8, title="An older reading", modified_at="2026-02-01T00:00:00Z"),  # older: unchanged
        article_json(9, tags=[], authors=[], summary=None, language=None),
    ]
    return out


def write(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every stored value except ids and the times of the write itself (ingested_at, updated_at)."""
    volatile = {"id", "ingested_at", "updated_at", "sort_at"}
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(text("SELECT * FROM articles ORDER BY url_key")).mappings()]
        links = conn.execute(
            text(
                "SELECT a.url_key, t.key, t.display, l.sort_at = a.sort_at FROM article_tags l "
                "JOIN tags t ON t.id = l.tag_id JOIN articles a ON a.id = l.article_id ORDER BY a.url_key, t.key"
            )
        ).all()
        logged = conn.execute(
            text("SELECT DISTINCT a.url_key FROM article_changes c JOIN articles a ON a.id = c.article_id ORDER BY 1")
        ).all()
    articles = []
    for row in rows:
        # sort_at is published_at, else the first-ingested time: compared as that rule, not as a clock reading.
        by_rule = row["sort_at"] == (row["published_at"] or row["ingested_at"])
        articles.append({**{k: v for k, v in row.items() if k not in volatile and k != "search"}, "sort_rule": by_rule})
    return {"articles": articles, "links": [tuple(link) for link in links], "logged": [key for (key,) in logged]}


def store_one_by_one(engine: Engine, path: Path) -> list[str]:
    writer, outcomes = Writer(engine), []
    for item in ndjson.read(str(path)):
        assert isinstance(item, ParsedArticle)
        try:
            outcomes.append(service.store_article(writer, item).outcome.value)
        except Conflict:  # a single write refuses a worse reading (409); bulk reports it as kept
            outcomes.append("kept")
    return outcomes


def clear(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in ("article_tags", "tags", "articles", "article_changes"):
            conn.execute(text(f"DELETE FROM {table}"))


def test_bulk_and_single_writes_store_identical_rows(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "export.ndjson", lines())
    for batch_size in (500, 3):  # one batch, and batches that split the duplicates of one URL
        clear(engine)
        totals = bulk.store_articles(Writer(engine), ndjson.read(str(path)), batch_size=batch_size)
        in_bulk, bulk_counts = snapshot(engine), totals.summary()
        clear(engine)
        singles = store_one_by_one(engine, path)
        assert in_bulk == snapshot(engine)
        assert bulk_counts == {k: singles.count(k) for k in ("created", "updated", "unchanged", "kept")} | {"failed": 0}
    assert bulk_counts == {"created": 9, "updated": 2, "unchanged": 1, "kept": 1, "failed": 0}
    assert len(in_bulk["articles"]) == 9 and all(a["sort_rule"] for a in in_bulk["articles"])


def test_an_update_pass_stores_what_single_writes_store(engine: Engine, tmp_path: Path) -> None:
    first = write(tmp_path / "first.ndjson", lines())
    changed = [{**a, "title": a["title"] + " (updated)", "modified_at": "2026-06-01T00:00:00Z"} for a in lines()]
    second = write(tmp_path / "second.ndjson", changed)
    clear(engine)
    bulk.store_articles(Writer(engine), ndjson.read(str(first)), batch_size=4)
    bulk.store_articles(Writer(engine), ndjson.read(str(second)), batch_size=4)
    in_bulk = snapshot(engine)
    clear(engine)
    store_one_by_one(engine, first)
    store_one_by_one(engine, second)
    assert in_bulk == snapshot(engine)
