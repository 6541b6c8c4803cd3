"""The `broadsheet` command: serve, migrate, ingest and parse.

Start-up stays fast (`broadsheet --help` included): each subcommand imports what it needs when it runs,
so the heavy libraries (SQLAlchemy, httpx, lxml, trafilatura, feedparser, warcio) load only for the
commands that use them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Settings
    from app.fetch.client import Fetcher
    from app.ingestion import bulk
    from app.reader.pipeline import Document, Failed
    from app.storage.db import Writer

log = logging.getLogger("broadsheet")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from app import logs
    from app.config import get_settings

    settings = get_settings()
    logs.configure(args.log_level or settings.log_level, as_json=settings.log_json)
    code: int = args.run(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="Parsed news articles over HTTP. The database is DATABASE_URL "
        "(default: SQLite at ./data/broadsheet.db).",
    )
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (default: BROADSHEET_LOG_LEVEL or INFO)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP API", description="Run the HTTP API with uvicorn.")
    # Defaults from the environment, so a container's settings take effect without a shell in its CMD.
    serve.add_argument(
        "--host", default=os.environ.get("BROADSHEET_HOST", "127.0.0.1"), help="address (BROADSHEET_HOST or 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="port (PORT or 8000)")
    serve.add_argument(
        "--workers", type=int, default=int(os.environ.get("WORKERS", "1")), help="worker processes (WORKERS or 1)"
    )
    serve.add_argument(
        "--migrate", action="store_true", help="apply migrations first (one replica only; replicas race otherwise)"
    )
    serve.set_defaults(run=_serve)

    mig = commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply Alembic migrations up to the code's head (safe to re-run).",
    )
    mig.set_defaults(run=_migrate)

    ingest = commands.add_parser(
        "ingest",
        help="parse documents and store them",
        description="Parse documents and upsert them by canonical URL: text dumps, HTML, JSON, RSS/Atom/JSON "
        "feeds (one article per entry), WARC archives (.warc/.warc.gz: every HTML response record) and "
        "http(s) URLs (fetched through the guarded client), and NDJSON files of articles in Broadsheet's schema "
        "(.ndjson/.jsonl: one article per line, stored without parsing). .gz files are read transparently. "
        "Parsing runs in --jobs processes (NDJSON lines are validated in --jobs - 1, at most 2, beside the one "
        "that writes); each batch is written in one transaction. Exits 1 when any document or line failed.",
    )
    ingest.add_argument("paths", nargs="+", help="files, directories (recursive), globs, URLs, or - for stdin")
    ingest.add_argument("--url", help="URL hint for documents that do not carry their own")
    ingest.add_argument("--batch-size", type=int, default=200, help="documents per transaction (default 200)")
    ingest.add_argument("--jobs", type=int, default=0, help="parser processes (default: one per CPU core)")
    ingest.add_argument(
        "--time-limit", type=float, default=30.0, help="seconds one document may take to parse (default 30)"
    )
    ingest.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    ingest.set_defaults(run=_ingest)

    reindex = commands.add_parser(
        "reindex",
        help="rebuild the search index from the database",
        description="Build a new generation of the search index from the articles table, catch it up with the "
        "change log and switch searches to it; a running server keeps answering from the old one meanwhile and "
        "follows the new one afterwards. The index is derived data: delete its folder (BROADSHEET_INDEX_DIR; "
        "default beside the SQLite file, or ./data/index/<database>) and this or the next server start rebuilds it.",
    )
    reindex.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    reindex.set_defaults(run=_reindex)

    parse = commands.add_parser(
        "parse",
        help="print parsed articles as JSON lines, store nothing",
        description="Parse documents and print one JSON line per document, in input order: the article with "
        'its "source" and "warnings", or {"source": ..., "error": ...}. A feed gives a line per entry '
        "(source FILE#N), a WARC archive a line per HTML record. A document without its own URL is parsed "
        "all the same (--url supplies one; storing needs one). Exits 1 when any document failed.",
    )
    parse.add_argument("paths", nargs="+", help="files, directories, globs, URLs, WARC files, or - for stdin")
    parse.add_argument("--url", help="URL hint for documents that do not carry their own")
    parse.set_defaults(run=_parse)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.migrate:
        _migrate(args)
    uvicorn.run(
        "app.main:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        http="app.server:GuardedH11Protocol",  # uvicorn's h11 with a deadline for request headers
        proxy_headers=False,  # X-Forwarded-* from any client is not trusted (set up a proxy's own rules instead)
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.storage import migrate
    from app.storage.db import make_engine

    engine = make_engine(get_settings())
    migrate.upgrade(engine)
    log.info("database is up to date")
    engine.dispose()
    return 0


def _reindex(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from app.config import get_settings, index_path
    from app.storage import migrate
    from app.storage.db import make_engine
    from app.storage.search.directory import IndexDirectory
    from app.storage.search.feeder import rebuild

    settings = get_settings()
    engine = make_engine(settings)
    migrate.require_current(engine)
    started = time.monotonic()
    with tqdm(unit="article", disable=args.no_progress or None, desc="indexing", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        generation, count = rebuild(engine, IndexDirectory(index_path(settings)), threads=2, progress=progress)
    log.info(
        "search index rebuilt",
        extra={"generation": generation, "articles": count, "seconds": round(time.monotonic() - started, 1)},
    )
    engine.dispose()
    return 0


def _fetcher(settings: Settings) -> Fetcher | None:
    from app.fetch.client import Fetcher

    return Fetcher.from_settings(settings)


def _documents(locations: Iterable[str], url: str | None, fetcher: Fetcher | None) -> Iterator[Document | Failed]:
    from app.ingestion import documents

    for location in locations:
        yield from documents.read(location, url_hint=url, fetcher=fetcher)


def _parse(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.ingestion import documents, pool, service
    from app.reader.pipeline import Failed, ParsedArticle

    failed = 0
    fetcher = _fetcher(get_settings())
    try:
        for doc in _documents(documents.expand(args.paths), args.url, fetcher):
            if isinstance(doc, Failed):
                items: list[ParsedArticle | Failed] = [doc]
            else:
                # Only read, never stored: a document that names no URL is still worth its article.
                items = pool.parse_document(replace(doc, hints=replace(doc.hints, url_optional=True)))
            if fetcher is not None:
                items = service.complete_feed_entries(items, fetcher, service.InThreadParsers().parse, limit=None)
            for number, item in enumerate(items, start=1):
                name = doc.name if len(items) == 1 or isinstance(doc, Failed) else f"{doc.name}#{number}"
                if isinstance(item, Failed):
                    failed += 1
                    print(json.dumps({"source": name, "error": item.reason}, ensure_ascii=False))
                else:
                    line = {"source": name, **item.article.model_dump(mode="json"), "warnings": item.warnings}
                    print(json.dumps(line, ensure_ascii=False))
    finally:
        if fetcher is not None:
            fetcher.close()
    return 1 if failed else 0


def _ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from app.config import get_settings
    from app.ingestion import archives, bulk, documents, ndjson
    from app.storage import migrate
    from app.storage.db import Writer, make_engine

    settings = get_settings()
    engine = make_engine(settings)
    try:
        migrate.require_current(engine)
    except migrate.SchemaBehind as exc:
        print(exc, file=sys.stderr)
        return 2
    locations = list(documents.expand(args.paths))
    articles = [s for s in locations if ndjson.is_ndjson(s)]
    locations = [s for s in locations if not ndjson.is_ndjson(s)]
    known = not articles and all(not (documents.is_url(s) or archives.is_warc(s)) for s in locations)
    bar = tqdm(total=len(locations) if known else None, unit="doc", disable=args.no_progress or None, file=sys.stderr)

    def progress(done: int, totals: bulk.Totals) -> None:
        bar.update(done)
        bar.set_postfix(totals.counts)
        # Called after each batch committed: the log of a run killed at any point says what is stored.
        log.info("batch committed; stored so far: %s", json.dumps(totals.summary()))

    writer, totals, batch_size = Writer(engine), bulk.Totals(), max(1, args.batch_size)
    try:
        # Pre-parsed articles skip the parsers: they are only validated, by --jobs - 1 processes beside this one.
        workers = min(2, (args.jobs or os.cpu_count() or 1) - 1)  # more would only wait: the writes set the pace
        bulk.store_files(writer, articles, batch_size=batch_size, workers=workers, on_batch=progress, totals=totals)
        if locations:
            _parse_and_store(args, settings, writer, locations, batch_size, progress, totals)
    finally:
        bar.close()
        engine.dispose()
    for failure in totals.failures:
        print(f"failed: {failure.name}: {failure.reason}", file=sys.stderr)
    print(json.dumps(totals.summary()))
    return 1 if totals.failures else 0


def _parse_and_store(
    args: argparse.Namespace,
    settings: Settings,
    writer: Writer,
    locations: list[str],
    batch_size: int,
    progress: Callable[[int, bulk.Totals], None],
    totals: bulk.Totals,
) -> None:
    from app.ingestion import bulk, pool

    parsers = pool.ParserPool(args.jobs or os.cpu_count() or 1, args.time_limit)
    fetcher = _fetcher(settings)
    try:
        docs = _documents(locations, args.url, fetcher)
        bulk.ingest(writer, docs, parsers, batch_size=batch_size, fetcher=fetcher, on_batch=progress, totals=totals)
    finally:
        parsers.close()
        if fetcher is not None:
            fetcher.close()


if __name__ == "__main__":
    sys.exit(main())
