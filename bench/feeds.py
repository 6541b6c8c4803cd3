"""Feed entries against hand-written expectations: `python -m bench feeds [--misses]`.

tests/fixtures/feeds/ holds one small feed per form seen in the wild (prologs, author forms, content
types, missing titles, ill-formed XML) and expectations.json says, per feed and entry, what a reader of
the feed expects: url, title (or title_prefix when it is derived), authors, the body's start, the
publication instant. Every stated value is one expectation, and so is each feed's entry count.
"""

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from app.domain import Hints
from app.errors import BroadsheetError
from app.reader import pipeline

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "feeds"
EXPECTATIONS = FIXTURES / "expectations.json"


def load_expectations() -> dict[str, list[dict[str, Any]]]:
    return {name: entries for name, entries in json.loads(EXPECTATIONS.read_text()).items() if name[0] != "_"}


def read_feed(name: str) -> list[dict[str, Any]] | str:
    """Each entry of a fixture feed as plain values, or the reason the whole feed failed."""
    try:
        items = pipeline.parse_feed((FIXTURES / name).read_bytes(), hints=Hints())
    except BroadsheetError as exc:
        return exc.detail
    entries: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, pipeline.Failed):
            entries.append({"error": item.reason})
            continue
        article = item.article
        entries.append(
            {
                "url": article.url,
                "title": article.title,
                "authors": article.authors,
                "body": article.body or "",
                "published": article.published_at,
            }
        )
    return entries


def misses(name: str, expected: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """How many expectations a feed has, and a line for each one not met."""
    got = read_feed(name)
    total = 1 + sum(len(e) for e in expected)
    if isinstance(got, str):
        return total, [f"{name}: the feed failed: {got}"]
    missed = [] if len(got) == len(expected) else [f"{name}: {len(got)} entries, expected {len(expected)}"]
    for number, (want, have) in enumerate(zip(expected, got + [{}] * len(expected), strict=False), start=1):
        for key, value in want.items():
            if not _met(key, value, have):
                missed.append(f"{name} #{number} {key}: expected {value!r}, got {_shown(key, have)!r}")
    return total, missed


def _met(key: str, value: Any, have: dict[str, Any]) -> bool:
    if key == "title_prefix":
        title = have.get("title") or ""
        return bool(title.startswith(value)) and len(title) < len(have.get("body") or "")
    if key == "body_prefix":
        return bool((have.get("body") or "").startswith(value))
    if key == "published":
        return have.get("published") == datetime.fromisoformat(value)
    return bool(have.get(key) == value)


def _shown(key: str, have: dict[str, Any]) -> Any:
    if key.startswith("body"):
        return (have.get("body") or "")[:80]
    return have.get(key.removesuffix("_prefix"), have.get("error"))


def score() -> tuple[int, int, list[str]]:
    """Expectations met, expectations in all, and the misses."""
    met = total = 0
    missed: list[str] = []
    for name, expected in load_expectations().items():
        count, lines = misses(name, expected)
        total += count
        met += count - len(lines)
        missed += lines
    return met, total, missed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench feeds", description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every expectation not met")
    args = parser.parse_args(argv)
    met, total, missed = score()
    print(f"\nfeeds: {met}/{total} per-entry expectations met ({met / total:.1%}) on {len(load_expectations())} feeds")
    if args.misses:
        print("\n".join(missed) or "  none missed")


if __name__ == "__main__":
    main()
