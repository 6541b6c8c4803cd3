"""The `broadsheet` command: serve, migrate, ingest and parse."""

import argparse
import glob
import gzip
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from app import logs
from app.config import get_settings
from app.domain import Hints
from app.errors import BroadsheetError
from app.ingestion import service
from app.storage import migrate
from app.storage.db import make_engine, write_session, write_session_factory

log = logging.getLogger("broadsheet")
SUFFIXES = (".txt", ".html", ".htm", ".json", ".gz")


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    data: bytes


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
        description="Parse files (text dumps, HTML, JSON; .gz read transparently) and upsert them by URL. "
        "Exits 1 when any document failed.",
    )
    ingest.add_argument("paths", nargs="+", help="files, directories (recursive), globs, or - for stdin")
    ingest.add_argument("--url", help="URL hint for documents that do not carry their own")
    ingest.add_argument("--batch-size", type=int, default=200, help="documents per transaction (default 200)")
    ingest.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    ingest.set_defaults(run=_ingest)

    parse = commands.add_parser(
        "parse",
        help="print parsed articles as JSON lines, store nothing",
        description="Parse documents and print one JSON article per line.",
    )
    parse.add_argument("paths", nargs="+", help="files, directories, globs, or - for stdin")
    parse.add_argument("--url", help="URL hint for documents that do not carry their own")
    parse.set_defaults(run=_parse)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "app.main:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers, log_config=None
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    engine = make_engine(get_settings())
    migrate.upgrade(engine)
    log.info("database is up to date")
    engine.dispose()
    return 0


def expand(paths: Sequence[str]) -> Iterator[Path | None]:
    """Files named directly, found under directories, or matched by globs; None stands for stdin."""
    for raw in paths:
        if raw == "-":
            yield None
            continue
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        for match in matches:
            path = Path(match)
            if path.is_dir():
                yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            else:
                yield path


def read(path: Path | None) -> Document:
    if path is None:
        return Document("-", sys.stdin.buffer.read())
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return Document(str(path), data)


def _hints(doc: Document, url: str | None) -> Hints:
    name = doc.name.removesuffix(".gz")
    content_type = "text/html" if name.endswith((".html", ".htm")) else None
    return Hints(content_type=content_type, url=url)


def _parse(args: argparse.Namespace) -> int:
    failed = 0
    for path in expand(args.paths):
        try:
            doc = read(path)
            article, _warnings = service.extract(doc.data, hints=_hints(doc, args.url))
        except (OSError, BroadsheetError) as exc:
            failed += 1
            print(f"{path or '-'}: {_reason(exc)}", file=sys.stderr)
            continue
        print(article.model_dump_json())
    return 1 if failed else 0


def _reason(exc: Exception) -> str:
    return exc.detail if isinstance(exc, BroadsheetError) else f"{type(exc).__name__}: {exc}"


def _ingest(args: argparse.Namespace) -> int:
    engine = make_engine(get_settings())
    if migrate.pending(engine):
        print("the database schema is behind; run `broadsheet migrate` first", file=sys.stderr)
        return 2
    sessions = write_session_factory(engine)
    paths = list(expand(args.paths))
    totals: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    bar = tqdm(total=len(paths), unit="doc", disable=args.no_progress or None, file=sys.stderr)
    for start in range(0, len(paths), max(1, args.batch_size)):
        batch = paths[start : start + args.batch_size]
        outcomes, batch_failures = _ingest_batch(sessions, batch, args.url)
        # Counted only after the batch committed: what we report as stored, is stored.
        totals.update(outcomes)
        failures.extend(batch_failures)
        totals["failed"] += len(batch_failures)
        bar.update(len(batch))
        bar.set_postfix(totals)
    bar.close()
    engine.dispose()
    for name, reason in failures:
        print(f"failed: {name}: {reason}", file=sys.stderr)
    summary = {k: totals.get(k, 0) for k in ("created", "updated", "unchanged", "failed")}
    print(json.dumps(summary))
    return 1 if failures else 0


def _ingest_batch(
    sessions: sessionmaker[Session], batch: list[Path | None], url: str | None
) -> tuple[list[str], list[tuple[str, str]]]:
    outcomes: list[str] = []
    failures: list[tuple[str, str]] = []
    try:
        with write_session(sessions) as session:
            for path in batch:
                name = str(path or "-")
                try:
                    doc = read(path)
                    with session.begin_nested():
                        result = service.ingest(session, doc.data, hints=_hints(doc, url))
                    outcomes.append(result.outcome.value)
                except (OSError, BroadsheetError) as exc:
                    failures.append((name, _reason(exc)))
    except Exception as exc:  # the commit itself failed: nothing of this batch is stored
        log.exception("batch failed")
        return [], [(str(p or "-"), f"batch not stored: {type(exc).__name__}") for p in batch]
    return outcomes, failures


if __name__ == "__main__":
    sys.exit(main())
