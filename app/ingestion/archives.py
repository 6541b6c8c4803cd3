"""WARC web archives (as Common Crawl's news crawl writes them: gzip per record), read with warcio.

warcio is the Webrecorder/Common Crawl reference reader: it handles per-record gzip, chunked and
compressed HTTP payloads and ARC files, which a hand-written reader would get subtly wrong.
"""

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from app.domain import Hints
from app.errors import ParseError
from app.reader.dates import parse_loose_date

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_RECORD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Record:
    url: str
    data: bytes
    hints: Hints
    error: str | None = None  # set for a record we will not parse (reported, never silently skipped)


def is_warc(name: str) -> bool:
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def html_records(path: str | Path) -> Iterator[Record]:
    """Every successful HTML response record, with its target URI and WARC-Date as hints.

    Raises ParseError (after yielding the records before it) when the file is truncated or corrupt:
    Python's gzip reader, unlike warcio's own, refuses a member that ends early, so a cut archive is
    reported instead of silently ending at the last complete record.
    """
    name = str(path)
    records = 0
    with gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb") as raw:
        stream = _Remembering(raw)
        try:
            for record in ArchiveIterator(stream, arc2warc=True):
                records += 1
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                content_type = record.http_headers.get_header("Content-Type") or ""
                if status != "200" or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                data = record.content_stream().read(MAX_RECORD_BYTES + 1)
                if len(data) <= MAX_RECORD_BYTES and getattr(record.raw_stream, "limit", 0) > 0:
                    raise EOFError("the last record is cut short")
                if not url:
                    continue
                if len(data) > MAX_RECORD_BYTES:
                    yield Record(url, b"", Hints(url=url), error=f"record over {MAX_RECORD_BYTES} bytes")
                    continue
                fetched_at = parse_loose_date(record.rec_headers.get_header("WARC-Date"))
                yield Record(url, data, Hints(content_type=content_type, url=url, fetched_at=fetched_at))
        except ArchiveLoadFailed as exc:
            raise ParseError(f"{path} is not a readable WARC file: {exc}") from exc
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ParseError(f"{path} is truncated or corrupt after {records} records: {exc}") from exc
        if stream.error is not None:  # warcio ends the iteration quietly on a read error
            raise ParseError(f"{path} is truncated or corrupt after {records} records: {stream.error}")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Remembering:
    """A binary stream that keeps the error a read raised, since warcio swallows it."""

    def __init__(self, stream: _Readable) -> None:
        self._stream = stream
        self.error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except (EOFError, OSError, zlib.error) as exc:
            self.error = exc
            raise
