"""Relevance searches of several words in two halves of the id range beside one pass, on a scale index.

    python -m bench halves [--index DIR] [--requests 50]

Opens a scale benchmark's search index (by default the 1M SQLite one that `python -m bench scale` leaves
under /tmp/broadsheet-scale; the index is the same for both engines) and runs the same requests both ways,
alternated request by request so a noisy machine slows both alike: p50 / p95 ms of the index call alone (no
HTTP, no database) and the CPU seconds each way spent, both cores counted.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.storage.filters import ArticleFilters, Sort
from app.storage.search import index as search_index
from app.storage.search.directory import IndexDirectory
from app.storage.search.index import ArticleIndex, Snapshot
from app.storage.search.query import parse_query
from bench.scale import CACHE
from bench.scale_corpus import word_by_rank


def _queries(n: int) -> dict[str, list[str]]:
    # The scale benchmark's "q two common" requests, then a third common word, then a mid-frequency second.
    two = [f"{word_by_rank(1 + i % 5)} {word_by_rank(2 + (i + 1) % 5)}" for i in range(n)]
    return {
        "two common words": two,
        "three common words": [f"{pair} {word_by_rank(6 + i % 5)}" for i, pair in enumerate(two)],
        "common + mid word": [f"{word_by_rank(1 + i % 5)} {word_by_rank(80 + i % 20)}" for i in range(n)],
    }


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, time.process_time() - cpu


def run(snapshot: Snapshot, texts: list[str]) -> dict[str, tuple[list[float], float]]:
    out: dict[str, tuple[list[float], float]] = {"one pass": ([], 0.0), "two halves": ([], 0.0)}
    for text in texts:
        filters = ArticleFilters(query=parse_query(text, max_chars=500, max_terms=20))
        for name, threshold in (("one pass", 10**12), ("two halves", 0)):
            search_index.SPLIT_SEARCH_DOCS = threshold
            ms, cpu = _timed(lambda f=filters: snapshot.page(f, sort=Sort.RELEVANCE, limit=21, offset=0))
            times, total_cpu = out[name]
            times.append(ms)
            out[name] = (times, total_cpu + cpu)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench halves", description=__doc__)
    parser.add_argument("--index", type=Path, default=CACHE / "sqlite-1000000" / "index")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    index = ArticleIndex(IndexDirectory(args.index))
    snapshot = index.snapshot()
    print(f"\n{snapshot.searcher.num_docs} articles, {args.requests} requests a class, alternated\n")
    print("| class | one pass p50 / p95 ms | two halves p50 / p95 ms | CPU s one pass / halves |")
    print("| --- | --- | --- | --- |")
    for name, texts in _queries(args.requests).items():
        run(snapshot, texts[:3])  # warm both ways
        result = run(snapshot, texts)
        cells = []
        for times, _ in result.values():
            p95 = statistics.quantiles(times, n=20)[18]
            cells.append(f"{statistics.median(times):.1f} / {p95:.1f}")
        cpu = " / ".join(f"{c:.2f}" for _, c in result.values())
        print(f"| {name} | {cells[0]} | {cells[1]} | {cpu} |")


if __name__ == "__main__":
    main()
