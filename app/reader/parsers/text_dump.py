"""The flattened text dump: a URL line, meta-tag and JSON-LD values one per line, then the body.

No line position or site is assumed. Each line is classified (lines.py); the body is the suffix of the
document that scores best as prose (a maximum-suffix-sum over per-line scores), and every field is picked
from the metadata part by what its lines look like, how often they repeat and how they agree with the URL.
"""

from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from app.domain import ArticleDraft, Hints
from app.errors import ParseError
from app.reader.parsers import dump_fields
from app.reader.parsers.lines import STRONG_META, WORD, Kind, Line, classify


def parse(text: str, hints: Hints) -> ArticleDraft:
    """Parse a flattened dump into a draft."""
    lines = [classify(i, raw.strip()) for i, raw in enumerate(_nonblank(text.splitlines()))]
    if not lines:
        raise ParseError("the document is empty")
    url_line = next((ln for ln in lines[:3] if ln.kind is Kind.URL), None)
    url = url_line.text if url_line else hints.url
    start = body_start(lines, host=_host(url))
    meta = [ln for ln in lines[:start] if ln is not url_line]
    body = [ln.text for ln in lines[start:]]
    draft = ArticleDraft(url=url, body="\n\n".join(body) or None)
    dump_fields.fill(draft, meta, slug_words=_slug_words(url))
    return draft


def _nonblank(raw_lines: Iterable[str]) -> Iterable[str]:
    return (line for line in raw_lines if line.strip())


def _host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


def _slug_words(url: str | None) -> set[str]:
    if not url:
        return set()
    return {w for w in WORD.findall(urlsplit(url).path.casefold()) if not w.isdigit()}


# A short line stated once costs the body this much: enough to keep a run of metadata values out, little
# enough that a table or subheadings after the first paragraph ("Ticker Security Last Change") do not cut it
# off. Picked by site cross-validation (python -m bench dumps: -1.0 and -0.5 are both tried per fold).
UNIQUE_SHORT_SCORE = -0.5


def body_start(lines: list[Line], *, host: str = "") -> int:
    """Index of the first body line: where the suffix of best total prose score begins."""
    scores = _line_scores(lines)
    best_start, best_total, total = len(lines), 0.0, 0.0
    for index in range(len(lines) - 1, -1, -1):
        total += scores[index]
        if total > best_total:
            best_start, best_total = index, total
    if best_start == len(lines):
        # A body that lists links or credits between its paragraphs ("1) Item" / "http://amzn.to/..."
        # twenty times) scores below zero as a whole: it starts where its best run of prose does.
        best_start = _best_run_start(scores)
    if 0 < best_start < len(lines) and _capital_opening(lines[best_start - 1], lines):
        return best_start - 1
    # "morebikes.co.uk features the latest bike reviews...": the publisher describing itself, not the article.
    while host and best_start < len(lines) - 1 and lines[best_start].text.casefold().startswith(host):
        best_start += 1
    return best_start


def _capital_opening(line: Line, lines: list[Line]) -> bool:
    """A kicker ("LOOK WHAT YOU MADE ME DO") or dateline ("BAAR, SWITZERLAND") in capitals right before the
    prose opens the body. Metadata in capitals is a name ("USA TODAY", "NFL"): short, without a comma, or
    stated again elsewhere in the dump."""
    letters = [ch for ch in line.text if ch.isalpha()]
    if line.kind is not Kind.SHORT or len(letters) < 4 or not all(ch.isupper() for ch in letters):
        return False
    if line.words < 3 and "," not in line.text:
        return False
    return sum(1 for other in lines if other.key == line.key) == 1


def _best_run_start(scores: list[float]) -> int:
    """Start of the contiguous run of lines with the highest total score (Kadane), or the end if none is positive."""
    best_start, best_total, run_start, total = len(scores), 0.0, 0, 0.0
    for index, score in enumerate(scores):
        if total <= 0:
            run_start, total = index, 0.0
        total += score
        if total > best_total:
            best_start, best_total = run_start, total
    return best_start


def _line_scores(lines: list[Line]) -> list[float]:
    keys = [ln.key for ln in lines]
    seen: Counter[str] = Counter()
    scores: list[float] = []
    for index, line in enumerate(lines):
        repeated = seen[keys[index]] > 0
        seen[keys[index]] += 1
        scores.append(_score(line, repeated, _echoed_later(index, keys)))
    return scores


def _score(line: Line, repeated: bool, echoed_later: bool) -> float:
    if line.kind in STRONG_META:
        return -6.0
    if line.kind is Kind.PROSE:
        if repeated:
            # A description copied into the body's first paragraph stays in the body when its
            # neighbours are prose, but a repeat never pulls metadata into the body on its own.
            return 0.5
        if echoed_later:
            return -3.0
        return 3.0 if line.words >= 12 else 2.0
    return -4.0 if repeated else UNIQUE_SHORT_SCORE


# Metadata sits at the top (at most 233 lines in the 88 real dumps) and its copies follow soon after, so
# echoes are looked for in a bounded window: the check stays linear in the size of the document.
_ECHO_SCAN_LINES = 1000
_ECHO_WINDOW = 500


def _echoed_later(index: int, keys: list[str]) -> bool:
    """True when a later line repeats, contains or is contained in this one (a description, say)."""
    key = keys[index]
    if len(key) < 30 or index >= _ECHO_SCAN_LINES:
        return False
    window = keys[index + 1 : index + 1 + _ECHO_WINDOW]
    return any(len(later) >= 30 and (key in later or later in key) for later in window)
