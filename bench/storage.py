"""Ingest throughput and read-path latency at 10,000 articles, on SQLite and PostgreSQL, in one run.

The read-path ratio compares a tag-filtered page of 20 served from the database with the same 20 articles
served from memory by the same app and the same response model, measured interleaved so that a noisy
machine slows both sides alike.
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.domain import Hints
from app.ingestion import service
from app.main import create_app
from app.models import ArticlePage
from app.reader import pipeline
from app.storage import migrate
from app.storage.db import make_engine, write_session, write_session_factory
from tests.live import server as live

WORDS = [
    "harbour",
    "port",
    "ship",
    "pilot",
    "union",
    "strike",
    "pay",
    "talks",
    "week",
    "minister",
    "budget",
    "vote",
    "election",
    "court",
    "judge",
    "ruling",
    "energy",
    "wind",
    "solar",
    "grid",
    "price",
    "market",
    "bank",
    "rate",
    "inflation",
    "school",
    "teacher",
    "library",
    "train",
    "rail",
    "station",
    "river",
    "flood",
    "storm",
    "rain",
    "heat",
    "summer",
    "winter",
    "city",
    "council",
    "road",
    "bridge",
    "hospital",
    "doctor",
    "nurse",
    "patient",
]


def document(n: int, rng: random.Random) -> bytes:
    tags = rng.sample([f"topic-{i}" for i in range(200)], k=rng.randint(3, 5))
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(8))
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(6)]
    # The dump parser keeps a run of short lines as tags only when the article mentions them.
    paragraphs.append("Filed under " + ", ".join(tags) + ".")
    day, hour = 1 + n % 28, n % 24
    lines = [
        f"https://bench.example.com/news/{n}/story-{n}",
        title,
        title,
        "Bench Times",
        f"{paragraphs[0][:150]}",
        f"2026-{1 + n % 12:02d}-{day:02d}T{hour:02d}:00:00Z",
        *tags,
        "en",
        *paragraphs,
    ]
    return "\n".join(lines).encode()


def ingest_all(url: str, count: int) -> float:
    engine = make_engine(Settings(DATABASE_URL=url))
    sessions = write_session_factory(engine)
    rng = random.Random(7)
    docs = [document(n, rng) for n in range(count)]
    started = time.perf_counter()
    for start in range(0, count, 500):
        with write_session(sessions) as session:
            for data in docs[start : start + 500]:
                service.store(session, pipeline.parse(data, hints=Hints(content_type="text/plain")))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def latencies(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def read_path(url: str, requests: int) -> dict[str, float]:
    app = create_app(Settings(DATABASE_URL=url, log_json=False))
    results: dict[str, float] = {}
    with TestClient(app) as client:
        page = client.get("/articles", params={"tag": "topic-7", "limit": 20}).json()
        if len(page["items"]) != 20:
            raise SystemExit(f"the tag page has {len(page['items'])} items, not 20: the ratio would mean nothing")
        cached = {"items": page["items"], "next_cursor": page["next_cursor"]}

        @app.get("/bench/memory", response_model=ArticlePage)
        def memory_page() -> ArticlePage:
            return ArticlePage.model_validate(cached)

        calls = {
            "list": lambda: client.get("/articles", params={"limit": 20}),
            "tag": lambda: client.get("/articles", params={"tag": "topic-7", "limit": 20}),
            "search": lambda: client.get("/articles", params={"q": "harbour strike", "limit": 20}),
        }
        for name, call in calls.items():
            call()
            lat = latencies(call, requests)
            results[f"{name}_p50"], results[f"{name}_p95"] = pct(lat, 50), pct(lat, 95)
        db_time = mem_time = 0.0
        for _ in range(requests):  # interleaved, so both sides see the same machine
            t = time.perf_counter()
            calls["tag"]()
            db_time += time.perf_counter() - t
            t = time.perf_counter()
            client.get("/bench/memory")
            mem_time += time.perf_counter() - t
        results["tag_rps"], results["memory_rps"] = requests / db_time, requests / mem_time
    return results


def fresh(url: str) -> None:
    engine = make_engine(Settings(DATABASE_URL=url))
    migrate.upgrade(engine)
    engine.dispose()


def postgres_url() -> str | None:
    """A new database of its own on the server the tests use (tests/live/server.py), or None when absent."""
    try:
        return live.create_postgres_database("broadsheet_bench")
    except OperationalError as exc:
        print(f"PostgreSQL skipped: {exc.orig}")
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench storage", description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    engines = {"sqlite": f"sqlite:///{tmp / 'bench.db'}", "postgresql": postgres_url()}
    rows = []
    for name, url in engines.items():
        if url is None:
            continue
        fresh(url)
        rate = ingest_all(url, args.articles)
        reads = read_path(url, args.requests)
        rows.append((name, rate, reads))
    print(f"\n{args.articles} articles, {args.requests} requests per figure (latencies in ms, TestClient in-process)\n")
    header = (
        "engine",
        "ingest/s",
        "list p50",
        "list p95",
        "tag p50",
        "tag p95",
        "search p50",
        "search p95",
        "tag page rps",
        "memory rps",
        "ratio",
    )
    print(" | ".join(f"{h:>12}" for h in header))
    print("-" * (15 * len(header)))
    for name, rate, r in rows:
        cells = [
            name,
            f"{rate:.0f}",
            *(f"{r[k]:.2f}" for k in ("list_p50", "list_p95", "tag_p50", "tag_p95", "search_p50", "search_p95")),
            f"{r['tag_rps']:.0f}",
            f"{r['memory_rps']:.0f}",
            f"{r['tag_rps'] / r['memory_rps']:.0%}",
        ]
        print(" | ".join(f"{c:>12}" for c in cells))


if __name__ == "__main__":
    main()
