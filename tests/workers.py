"""Parse functions for worker-pool tests; module level so spawned workers can import them."""

import os
import sys
import time

from app.ingestion.pool import Parsed, parse_document
from app.reader.pipeline import Document, Failed

# What a parser worker must never load: it only reads bytes (see app/reader/__init__.py).
FORBIDDEN_IN_WORKERS = ("sqlalchemy", "httpx", "app.storage", "app.api", "app.fetch")


def hang_or_crash(doc: Document) -> Parsed:
    if doc.name == "hang":
        time.sleep(600)
    if doc.name == "crash":
        os._exit(3)
    return parse_document(doc)


def parse_and_report_modules(doc: Document) -> Parsed:
    """The document's articles, then the worker's pid and the forbidden modules it has loaded, as reports."""
    parsed = parse_document(doc)
    loaded = forbidden_modules_loaded()
    return [*parsed, Failed("pid", str(os.getpid())), Failed("forbidden modules", ",".join(loaded))]


def forbidden_modules_loaded() -> list[str]:
    """The modules of FORBIDDEN_IN_WORKERS this process has loaded."""
    return sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_WORKERS))
