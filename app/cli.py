"""The `broadsheet` command: serve, migrate, ingest and parse."""

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence

from tqdm import tqdm

from app import logs
from app.config import Settings, get_settings
from app.fetch.client import Fetcher, FetchPolicy
from app.ingestion import archives, bulk, documents, ndjson, pool, service
from app.ingestion.documents import Document
from app.ingestion.service import Extracted, Failed
from app.storage import migrate
from app.storage.db import Writer, make_engine

log = logging.getLogger("broadsheet")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
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
        "Parsing runs in --jobs processes; each batch is written in one transaction. Exits 1 when any document "
        "or line failed.",
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

    parse = commands.add_parser(
        "parse",
        help="print parsed articles as JSON lines, store nothing",
        description="Parse documents and print one JSON article per line.",
    )
    parse.add_argument("paths", nargs="+", help="files, directories, globs, URLs, WARC files, or - for stdin")
    parse.add_argument("--url", help="URL hint for documents that do not carry their own")
    parse.set_defaults(run=_parse)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

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
    engine = make_engine(get_settings())
    migrate.upgrade(engine)
    log.info("database is up to date")
    engine.dispose()
    return 0


def _fetcher(settings: Settings) -> Fetcher | None:
    return Fetcher(FetchPolicy.from_settings(settings)) if settings.fetch_enabled else None


def _documents(sources: Iterable[str], url: str | None, fetcher: Fetcher | None) -> Iterator[Document | Failed]:
    for source in sources:
        yield from documents.read(source, url_hint=url, fetcher=fetcher)


def _parse(args: argparse.Namespace) -> int:
    settings = get_settings()
    failed = 0
    fetcher = _fetcher(settings)
    try:
        for doc in _documents(documents.expand(args.paths), args.url, fetcher):
            items: list[Extracted | Failed] = [doc] if isinstance(doc, Failed) else pool.parse_document(doc)
            if fetcher is not None:
                items = service.complete_feed_entries(items, fetcher, service.parse_page, limit=None)
            for item in items:
                if isinstance(item, Failed):
                    failed += 1
                    print(f"{item.name}: {item.reason}", file=sys.stderr)
                else:
                    print(item.article.model_dump_json())
    finally:
        if fetcher is not None:
            fetcher.close()
    return 1 if failed else 0


def _ingest(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings)
    if migrate.pending(engine):
        print("the database schema is behind; run `broadsheet migrate` first", file=sys.stderr)
        return 2
    sources = list(documents.expand(args.paths))
    articles = [s for s in sources if ndjson.is_ndjson(s)]
    sources = [s for s in sources if not ndjson.is_ndjson(s)]
    known = not articles and all(not (documents.is_url(s) or archives.is_warc(s)) for s in sources)
    bar = tqdm(total=len(sources) if known else None, unit="doc", disable=args.no_progress or None, file=sys.stderr)

    def progress(done: int, totals: bulk.Totals) -> None:
        bar.update(done)
        bar.set_postfix(totals.counts)
        # Called after each batch committed: the log of a run killed at any point says what is stored.
        log.info("batch committed; stored so far: %s", json.dumps(totals.summary()))

    writer, totals, batch_size = Writer(engine), bulk.Totals(), max(1, args.batch_size)
    try:
        # Pre-parsed articles go straight to the store step: no parser processes are started for them.
        lines = (item for source in articles for item in ndjson.read(source))
        bulk.store_articles(writer, lines, batch_size=batch_size, on_batch=progress, totals=totals)
        if sources:
            _parse_and_store(args, settings, writer, sources, batch_size, progress, totals)
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
    sources: list[str],
    batch_size: int,
    progress: Callable[[int, bulk.Totals], None],
    totals: bulk.Totals,
) -> None:
    parsers = pool.ParserPool(args.jobs or os.cpu_count() or 1, args.time_limit)
    fetcher = _fetcher(settings)
    try:
        docs = _documents(sources, args.url, fetcher)
        bulk.ingest(writer, docs, parsers, batch_size=batch_size, fetcher=fetcher, on_batch=progress, totals=totals)
    finally:
        parsers.close()
        if fetcher is not None:
            fetcher.close()


if __name__ == "__main__":
    sys.exit(main())
