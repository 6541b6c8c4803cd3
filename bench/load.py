"""Mixed load on a live `broadsheet serve`: 16 clients, 30 % writes, for N seconds, on SQLite and PostgreSQL.

`python -m bench load [--seconds 20] [--clients 16] [--writes 0.3] [--engines sqlite,postgres]`

Writes are a third each: ingest a new text dump (POST /ingest), update a stored article (POST /articles, same
URL, new body), delete one. Reads are a list page, a tag page, a search, an article by id, a URL lookup and
/tags. Every request goes over TCP to a real server (SQLite with 1 worker, PostgreSQL with 2), with the
production parser processes on. Prints requests, 5xx, read and write p50/p99 and requests/s per engine.
"""

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.exc import OperationalError

from tests.factories import article_json
from tests.live import server as live
from tests.live.server import LiveServer

WORKERS = {"sqlite": 1, "postgres": 2}
WORDS = [
    "harbour",
    "pilot",
    "union",
    "strike",
    "pay",
    "talks",
    "minister",
    "budget",
    "vote",
    "court",
    "energy",
    "grid",
    "price",
    "rail",
    "river",
    "flood",
]


@contextmanager
def fresh_database(engine: str, tmp: Path, name: str) -> Iterator[str]:
    """A new, migrated database for one engine; a PostgreSQL one is dropped afterwards."""
    if engine == "sqlite":
        url = f"sqlite:///{tmp / f'{name}.db'}"
        live.migrate(url)
        yield url
        return
    db = f"{name}_{os.getpid()}"
    url = live.create_postgres_database(db)
    try:
        live.migrate(url)
        yield url
    finally:
        live.drop_postgres_database(db)


def dump(rng: random.Random, key: str) -> bytes:
    """A flattened text dump with its own URL, title, date, tags and a body of a few paragraphs."""
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(7)) + f" {key}"
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(50)) + "." for _ in range(4)]
    tags = [f"topic-{rng.randrange(40)}" for _ in range(3)]
    lines = [f"https://load.example.com/news/{key}", title, title, "Load Times", "2026-03-02T08:15:00Z", *tags]
    return "\n".join([*lines, "en", *paragraphs, "Filed under " + ", ".join(tags) + "."]).encode()


@dataclass
class Shared:
    """Articles the clients know about (id, url), shared under a lock."""

    known: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, rng: random.Random, remove: bool = False) -> tuple[int, str] | None:
        with self.lock:
            if not self.known:
                return None
            index = rng.randrange(len(self.known))
            return self.known.pop(index) if remove else self.known[index]

    def add(self, item: tuple[int, str]) -> None:
        with self.lock:
            self.known.append(item)


@dataclass
class Sample:
    kind: str  # "read" or "write"
    status: int  # 0 for a transport error
    ms: float


def _write(client: httpx.Client, shared: Shared, rng: random.Random, key: str) -> httpx.Response | None:
    choice = rng.random()
    if choice < 1 / 3 or not shared.known:
        response = client.post("/ingest", content=dump(rng, key), headers={"content-type": "text/plain"})
        if response.status_code == 201:
            shared.add((response.json()["article"]["id"], response.json()["article"]["url"]))
        return response
    if choice < 2 / 3:
        picked = shared.pick(rng)
        if picked is None:
            return None
        body = " ".join(rng.choice(WORDS) for _ in range(80)) + "."
        return client.post("/articles", json=article_json(1, url=picked[1], title=f"Updated {key}", body=body))
    picked = shared.pick(rng, remove=True)
    return None if picked is None else client.delete(f"/articles/{picked[0]}")


def _read(client: httpx.Client, shared: Shared, rng: random.Random) -> httpx.Response:
    choice = rng.randrange(6)
    picked = shared.pick(rng)
    if choice == 0:
        return client.get("/articles", params={"limit": 20})
    if choice == 1:
        return client.get("/articles", params={"tag": f"topic-{rng.randrange(40)}"})
    if choice == 2:
        return client.get("/articles", params={"q": f"{rng.choice(WORDS)} {rng.choice(WORDS)}"})
    if choice == 3 and picked:
        return client.get(f"/articles/{picked[0]}")
    if choice == 4 and picked:
        return client.get("/articles/lookup", params={"url": picked[1]})
    return client.get("/tags", params={"limit": 20})


def client_loop(base_url: str, shared: Shared, seed: int, until: float, write_share: float) -> list[Sample]:
    rng = random.Random(seed)
    samples: list[Sample] = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        n = 0
        while time.monotonic() < until:
            n += 1
            kind = "write" if rng.random() < write_share else "read"
            started = time.perf_counter()
            try:
                if kind == "write":
                    response = _write(client, shared, rng, f"{seed}-{n}")
                    if response is None:
                        continue
                else:
                    response = _read(client, shared, rng)
                status = response.status_code
            except httpx.TransportError:
                status = 0
            samples.append(Sample(kind, status, (time.perf_counter() - started) * 1000))
    return samples


def preload(base_url: str, shared: Shared, count: int) -> None:
    rng = random.Random(1)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for n in range(count):
            response = client.post("/ingest", content=dump(rng, f"pre-{n}"), headers={"content-type": "text/plain"})
            response.raise_for_status()
            shared.add((response.json()["article"]["id"], response.json()["article"]["url"]))


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def run_engine(engine: str, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    with fresh_database(engine, tmp, "bench_load") as url:
        server = LiveServer(
            engine,
            url,
            tmp / f"load-{engine}.log",
            workers=WORKERS[engine],
            env={"BROADSHEET_PARSE_WORKERS": str(args.parse_workers)},
        )
        server.start()
        try:
            shared = Shared()
            preload(server.base_url, shared, args.preload)
            until = time.monotonic() + args.seconds
            results: list[list[Sample]] = [[] for _ in range(args.clients)]

            def run(i: int) -> Callable[[], None]:
                def target() -> None:
                    results[i] = client_loop(server.base_url, shared, 1000 + i, until, args.writes)

                return target

            threads = [threading.Thread(target=run(i)) for i in range(args.clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            tracebacks = len(server.tracebacks())
        finally:
            server.stop()
    samples = [s for chunk in results for s in chunk]
    reads = [s.ms for s in samples if s.kind == "read"]
    writes = [s.ms for s in samples if s.kind == "write"]
    return {
        "engine": f"{engine} ({WORKERS[engine]}w)",
        "requests": len(samples),
        "writes": len(writes),
        "4xx": sum(1 for s in samples if 400 <= s.status < 500),
        "5xx": sum(1 for s in samples if s.status >= 500),
        "5xx writes": sum(1 for s in samples if s.status >= 500 and s.kind == "write"),
        "conn err": sum(1 for s in samples if s.status == 0),
        "read p50": percentile(reads, 50),
        "read p99": percentile(reads, 99),
        "write p50": percentile(writes, 50),
        "write p99": percentile(writes, 99),
        "req/s": len(samples) / elapsed,
        "tracebacks": tracebacks,
    }


def print_table(rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    header = list(rows[0])
    print(" | ".join(f"{h:>13}" for h in header))
    print("-" * (16 * len(header)))
    for row in rows:
        print(" | ".join(f"{v:>13.1f}" if isinstance(v, float) else f"{v!s:>13}" for v in row.values()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--writes", type=float, default=0.3, help="share of requests that write (default 0.3)")
    parser.add_argument("--preload", type=int, default=200, help="articles stored before the clock starts")
    parser.add_argument("--parse-workers", type=int, default=1, help="BROADSHEET_PARSE_WORKERS (production: 1)")
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    rows = []
    for engine in args.engines.split(","):
        try:
            rows.append(run_engine(engine, tmp, args))
        except OperationalError as exc:
            print(f"{engine}: skipped, database not reachable ({exc.orig})")
    print(f"\n{args.clients} clients, {args.writes:.0%} writes, {args.seconds:.0f} s per engine; latencies in ms")
    print(f"server logs: {tmp}\n")
    print_table(rows)


if __name__ == "__main__":
    main()
