"""WARC web archives (as Common Crawl's news crawl writes them: gzip per record), read with warcio.

warcio is the Webrecorder/Common Crawl reference reader: it handles per-record gzip, chunked and
compressed HTTP payloads and ARC files, which a hand-written reader would get subtly wrong.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from app.domain import Hints
from app.errors import ParseError
from app.ingestion.dates import parse_loose_date

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
    """Every successful HTML response record, with its target URI and WARC-Date as hints."""
    with open(path, "rb") as stream:
        try:
            for record in ArchiveIterator(stream, arc2warc=True):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                content_type = record.http_headers.get_header("Content-Type") or ""
                if status != "200" or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                data = record.content_stream().read(MAX_RECORD_BYTES + 1)
                if not url:
                    continue
                if len(data) > MAX_RECORD_BYTES:
                    yield Record(url, b"", Hints(url=url), error=f"record over {MAX_RECORD_BYTES} bytes")
                    continue
                fetched_at = parse_loose_date(record.rec_headers.get_header("WARC-Date"))
                yield Record(url, data, Hints(content_type=content_type, url=url, fetched_at=fetched_at))
        except ArchiveLoadFailed as exc:
            raise ParseError(f"{path} is not a readable WARC file: {exc}") from exc
