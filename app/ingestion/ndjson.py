"""NDJSON files of articles (`.ndjson`, `.jsonl`, either gzipped): one article per line, in Broadsheet's schema.

A line is an `ArticleCreate` object, or an article as the API returns it (`ArticleRead`): the fields the
server owns (id, timestamps, hash, word count, source, snippet) are ignored, and an exported `original_url`
is kept as the address it was first submitted under. Lines are read one at a time, so a file of any size
streams in bounded memory; each is validated on its own and a bad one is a failure named `file:line`.
"""

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from app.models import MAX_URL, SERVER_FIELDS, ArticleCreate, is_web_url
from app.reader.outcomes import Failed, ParsedArticle

SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz")


class Line(NamedTuple):
    """One line of a file, as read, and its name in reports (`file:line`)."""

    name: str
    data: bytes


def is_ndjson(location: str) -> bool:
    return location.endswith(SUFFIXES)


def read(location: str) -> Iterator[ParsedArticle | Failed]:
    """Each line of an NDJSON file as an article, or as a failure named `file:line`; blank lines are skipped."""
    for line in lines(location):
        yield line if isinstance(line, Failed) else article(line)


def lines(location: str) -> Iterator[Line | Failed]:
    """Each non-blank line of an NDJSON file, not yet decoded, with its `file:line` name; a failure when the
    file cannot be read. Decoding and validating a line (`article`) is the costly part: bulk ingest does it
    in worker processes."""
    try:
        with _open(location) as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield Line(f"{location}:{number}", line)
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # missing, unreadable, or a cut gzip stream
        yield Failed(location, f"{type(exc).__name__}: {exc}"[:500])


def _open(location: str) -> io.BufferedIOBase:
    return gzip.open(location, "rb") if location.endswith(".gz") else Path(location).open("rb")


def article(line: Line) -> ParsedArticle | Failed:
    """One line as an article, or why it is none."""
    name = line.name
    try:
        data: Any = json.loads(line.data)
    except (ValueError, RecursionError) as exc:
        return Failed(name, f"not a JSON line: {exc}"[:300])
    if not isinstance(data, dict):
        return Failed(name, "a line must be one JSON object: an article")
    original = data.get("original_url")
    if original is not None and not (isinstance(original, str) and is_web_url(original) and len(original) <= MAX_URL):
        return Failed(name, "original_url: must be an absolute http(s) URL")
    try:
        created = ArticleCreate.model_validate({k: v for k, v in data.items() if k not in SERVER_FIELDS})
    except ValidationError as exc:
        first = exc.errors()[0]
        return Failed(name, f"{'.'.join(map(str, first['loc'])) or 'article'}: {first['msg']}")
    return ParsedArticle(created, (), original)
