"""Where bulk input comes from: files (gzip read transparently), stdin, URLs and WARC web archives."""

import glob
import gzip
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.domain import Hints
from app.errors import BroadsheetError
from app.fetch.client import Fetcher
from app.ingestion import archives
from app.ingestion.service import fetch
from app.reader.pipeline import Document, Failed

SUFFIXES = (".txt", ".html", ".htm", ".json", ".xml", ".rss", ".atom", ".gz", ".warc", ".ndjson", ".jsonl")
STDIN = "-"


def expand(locations: Sequence[str]) -> Iterator[str]:
    """Files named directly, found under directories (recursively), matched by globs; URLs and '-' as given."""
    for raw in locations:
        if raw == STDIN or is_url(raw):
            yield raw
            continue
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        for match in matches:
            path = Path(match)
            if path.is_dir():
                yield from sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            else:
                yield match


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read(location: str, *, url_hint: str | None = None, fetcher: Fetcher | None = None) -> Iterator[Document | Failed]:
    """The documents one location holds: one for a file or URL, every HTML response record for a WARC."""
    try:
        if location == STDIN:
            yield Document(STDIN, sys.stdin.buffer.read(), Hints(url=url_hint))
        elif is_url(location):
            data, hints = fetch(fetcher, location)
            yield Document(location, data, hints)
        elif archives.is_warc(location):
            for record in archives.html_records(location):
                name = f"{location}#{record.url}"
                yield Failed(name, record.error) if record.error else Document(name, record.data, record.hints)
        else:
            yield Document(location, _read_file(Path(location)), Hints(content_type=_type_of(location), url=url_hint))
    except BroadsheetError as exc:
        yield Failed(location, exc.detail)
    except Exception as exc:  # one unreadable location (warcio can raise anything) is a failure, not the run's end
        yield Failed(location, f"{type(exc).__name__}: {exc}"[:500])


def _read_file(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _type_of(name: str) -> str | None:
    name = name.removesuffix(".gz")
    if name.endswith((".html", ".htm")):
        return "text/html"
    return None
