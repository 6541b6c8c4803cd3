"""Bulk store throughput: `broadsheet ingest file.ndjson` beside raw batched writes, on SQLite and PostgreSQL.

N generated, pre-parsed articles (~500-word bodies, 3-8 tags out of 3,000) are written to an NDJSON file, then
on each engine, into a freshly migrated schema (every index and constraint present):
  raw       plain SQLAlchemy Core executemany INSERTs of the same rows, their tags and article_tags (batched
            into multi-row VALUES), one transaction per batch, no checks; the file is read and json-decoded
            as well, the least any loader does;
  ingest    `broadsheet ingest file.ndjson --batch-size B` called in-process (validation, canonical URLs,
            hashes, the set-based upsert, tags);
  again     the same command on the same file once stored (every article unchanged);
  update    a file in which every article changed (new title, later modified_at);
  per-article  the store step bulk ingest used before (a savepoint and ~10 statements per
            article) on the first --per-article articles, for reference.
raw and ingest alternate for --rounds rounds on fresh databases, so a noisy machine slows both alike; the
best of each is reported.
"""

import argparse
import contextlib
import functools
import io
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from app.cli import main as cli_main
from app.config import Settings, get_settings
from app.ingestion import ndjson, service
from app.reader import pipeline
from app.storage.batch import ARTICLE_TAGS, ARTICLES, TAGS
from app.storage.db import Writer, make_engine
from app.storage.tables import ArticleChange
from bench.storage import fresh
from tests.live import server as live

CHANGES = ArticleChange.__table__
SYLLABLES = ["ka", "lo", "mer", "tin", "sa", "vo", "ren", "dal", "pi", "cor", "hu", "nes", "ta", "bri", "go", "lim"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def articles(count: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    words, tags = vocabulary(rng, 3000), [f"Topic {i}" for i in range(3000)]
    people = [f"{rng.choice(words).title()} {rng.choice(words).title()}" for _ in range(200)]
    for n in range(count):
        paragraphs = [" ".join(rng.choices(words, k=100)).capitalize() + "." for _ in range(5)]
        yield {
            "url": f"https://site{n % 40}.example.com/news/{n}/story-{n}",
            "title": " ".join(rng.choices(words, k=8)).title(),
            "summary": " ".join(rng.choices(words, k=25)).capitalize() + ".",
            "body": "\n\n".join(paragraphs),
            "authors": rng.sample(people, k=rng.randint(1, 2)),
            "tags": rng.sample(tags, k=rng.randint(3, 8)),
            "section": rng.choice(["World", "Business", "Sport", "Culture"]),
            "language": "en",
            "site_name": f"Site {n % 40}",
            "published_at": (START + timedelta(minutes=17 * n)).isoformat(),
            "modified_at": (START + timedelta(minutes=17 * n + 5)).isoformat(),
        }


def write_files(directory: Path, count: int) -> tuple[Path, Path]:
    first, changed = directory / "articles.ndjson", directory / "changed.ndjson"
    with first.open("w") as out, changed.open("w") as out_changed:
        for article in articles(count):
            out.write(json.dumps(article) + "\n")
            modified = datetime.fromisoformat(article["modified_at"]) + timedelta(days=1)
            edit = {"title": article["title"] + " (updated)", "modified_at": modified.isoformat()}
            out_changed.write(json.dumps({**article, **edit}) + "\n")
    return first, changed


def raw(url: str, path: Path, batch_size: int) -> int:
    """Plain Core executemany INSERTs of articles, tags, links and change-log rows, one transaction per batch,
    no checks.

    Ids are assigned here (the database is fresh). Each statement asks for RETURNING only because that makes
    SQLAlchemy batch the rows into multi-row VALUES statements ("insertmanyvalues"), which measured 2.5x
    faster than a plain DB-API executemany on SQLite: the fastest plain Core path is the baseline to beat.
    """
    engine = make_engine(Settings(DATABASE_URL=url)).execution_options(sqlite_write=True)
    tag_ids: dict[str, int] = {}
    stored = 0
    with path.open("rb") as lines:
        for batch in _chunks((json.loads(line) for line in lines), batch_size):
            now = datetime.now(UTC)
            rows = [{**_raw_row(a, now), "id": stored + n} for n, a in enumerate(batch, start=1)]
            with engine.begin() as conn:
                new_tags = sorted({t.casefold() for a in batch for t in a["tags"]} - set(tag_ids))
                for key in new_tags:
                    tag_ids[key] = len(tag_ids) + 1
                if new_tags:
                    tag_rows = [{"id": tag_ids[k], "key": k, "display": k} for k in new_tags]
                    conn.execute(insert(TAGS).returning(TAGS.c.id), tag_rows).all()
                conn.execute(insert(ARTICLES).returning(ARTICLES.c.id), rows).all()
                links = [
                    {"tag_id": tag_ids[t.casefold()], "article_id": row["id"], "sort_at": row["sort_at"]}
                    for row, a in zip(rows, batch, strict=True)
                    for t in a["tags"]
                ]
                conn.execute(insert(ARTICLE_TAGS).returning(ARTICLE_TAGS.c.tag_id), links).all()
                # The change log is part of the schema's contract (the search index follows it): a loader
                # that skipped it would leave its articles unsearchable, so the baseline writes it too.
                changes = [{"article_id": row["id"], "kind": "upsert", "changed_at": now} for row in rows]
                conn.execute(insert(CHANGES).returning(CHANGES.c.seq), changes).all()
            stored += len(batch)
    engine.dispose()
    return stored


def _raw_row(article: dict[str, Any], now: datetime) -> dict[str, Any]:
    published = datetime.fromisoformat(article["published_at"])
    return {
        **article,
        "url_key": article["url"],
        "original_url": article["url"],
        "keywords": [],
        "publisher": None,
        "image_url": None,
        "source": urlsplit(article["url"]).hostname,
        "published_at": published,
        "modified_at": datetime.fromisoformat(article["modified_at"]),
        "ingested_at": now,
        "updated_at": now,
        "sort_at": published,
        "word_count": article["body"].count(" ") + 1,
        "content_hash": "",
    }


def ingest(url: str, path: Path, batch_size: int) -> dict[str, int]:
    """`broadsheet ingest path --batch-size B`, in this process; its summary line."""
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(
            ["--log-level", "WARNING", "ingest", str(path), "--batch-size", str(batch_size), "--no-progress"]
        )
    if code != 0:
        raise SystemExit(f"broadsheet ingest failed: {out.getvalue()}")
    summary: dict[str, int] = json.loads(out.getvalue().strip().splitlines()[-1])
    return summary


def per_article(url: str, path: Path, batch_size: int, limit: int) -> int:
    """The store step bulk ingest used before: a savepoint and ORM upsert per article."""
    engine = make_engine(Settings(DATABASE_URL=url))
    writer = Writer(engine)
    items = [item for item, _ in zip(ndjson.read(str(path)), range(limit), strict=False)]
    for batch in _chunks(iter(items), batch_size):
        writer.run(functools.partial(_store_all, batch))
    engine.dispose()
    return len(items)


def _store_all(batch: list[Any], session: Any) -> object:
    """The old store step, kept here as the benchmark's reference: a savepoint and an upsert per article."""
    results: list[object] = []
    for item in batch:
        if isinstance(item, pipeline.ParsedArticle):
            with session.begin_nested():
                results.append(service.store(session, item))
    return results


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def timed(count: int, call: Callable[..., object], *args: Any) -> float:
    started = time.perf_counter()
    call(*args)
    return count / (time.perf_counter() - started)


def postgres_url(name: str) -> str | None:
    """A new database of its own on the server the tests use (tests/live/server.py), or None when absent."""
    try:
        return live.create_postgres_database(name)
    except OperationalError as exc:
        print(f"PostgreSQL skipped: {exc.orig}")
        return None


def run_engine(new_url: Callable[[], str], files: tuple[Path, Path], args: argparse.Namespace) -> dict[str, float]:
    first, changed = files
    n, size = args.articles, args.batch_size
    best = {"raw": 0.0, "ingest": 0.0}
    for _ in range(max(1, args.rounds)):
        best["raw"] = max(best["raw"], timed(n, raw, new_url(), first, size))
        url = new_url()
        best["ingest"] = max(best["ingest"], timed(n, ingest, url, first, size))
    best["again"] = timed(n, ingest, url, first, size)
    best["update"] = timed(n, ingest, url, changed, size)
    if args.per_article:
        best["per-article"] = timed(args.per_article, per_article, new_url(), first, size, args.per_article)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench bulk", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--per-article", type=int, default=500, help="articles for the old path (0: skip it)")
    parser.add_argument("--pg-db", default="broadsheet_bench_bulk", help="PostgreSQL database to use (recreated)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    files = write_files(tmp, args.articles)
    counter = iter(range(1_000_000))

    def sqlite_url() -> str:
        url = f"sqlite:///{tmp / f'bulk{next(counter)}.db'}"
        fresh(url)
        return url

    engines: dict[str, Callable[[], str]] = {"sqlite": sqlite_url}
    if postgres_url(args.pg_db) is not None:

        def postgres() -> str:
            url = live.create_postgres_database(args.pg_db)  # dropped and created again: a fresh database
            fresh(url)
            return url

        engines["postgresql"] = postgres
    results = {name: run_engine(new_url, files, args) for name, new_url in engines.items()}
    print(f"\n{args.articles} articles of ~500 words, batches of {args.batch_size}, best of {args.rounds} (docs/s)\n")
    header = ("engine", "raw", "ingest", "ingest/raw", "re-ingest", "update", "per-article")
    print(" | ".join(f"{h:>11}" for h in header))
    print("-" * (14 * len(header)))
    for name, r in results.items():
        cells = [name, f"{r['raw']:.0f}", f"{r['ingest']:.0f}", f"{r['ingest'] / r['raw']:.0%}"]
        cells += [f"{r['again']:.0f}", f"{r['update']:.0f}", f"{r.get('per-article', 0):.0f}"]
        print(" | ".join(f"{c:>11}" for c in cells))


if __name__ == "__main__":
    main()
