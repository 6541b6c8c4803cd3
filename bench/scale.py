"""Scale benchmark: a generated corpus loaded through `broadsheet ingest`, then every request class over HTTP.

    python -m bench scale --sizes 100000,300000 --engines sqlite,postgresql [--requests 50] [--fresh]
    python -m bench scale generate --size 100000 --out DIR [--jobs 2]

For each size and engine: the corpus (bench/scale_corpus.py; NDJSON files cached under --cache) is loaded with
`broadsheet migrate` and `broadsheet ingest FILES --jobs 2` into a fresh SQLite file or PostgreSQL database
`bench_scale_<size>`, timed (docs/s) and measured on disk (SQLite file + WAL, `pg_database_size`, and any
`*.index`/`index` directory beside the database). A database loaded before with the same size is reused unless
--fresh. Then a live `broadsheet serve` (1 worker, port --port) answers each request class of
bench/scale_requests.py --requests times in a row, each request followed by a raw replay of the SQL it sends
(p50/p95 of both), and the common-word search and the newest page under --clients concurrent clients for
--seconds each. Prints one Markdown table per section.
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.config import Settings, index_path
from app.storage.search.directory import IndexDirectory
from bench import scale_corpus
from bench.scale_requests import Result, classes, concurrent, pct, record, sequential
from tests.live import server as live
from tests.live.server import LiveServer

CACHE = Path("/tmp/broadsheet-scale")
ENGINES = ("sqlite", "postgresql")


@dataclass
class Loaded:
    engine: str
    size: int
    url: str
    seconds: float
    docs_per_s: float
    db_mb: float = 0.0
    index_mb: float | None = None
    reused: bool = False
    index_s: float | None = None  # `broadsheet reindex`: the derived search index built from the table
    grown_from: int = 0  # loaded as a copy of this smaller size plus the articles it lacked


def _data_dir(cache: Path, engine: str, size: int) -> Path:
    return cache / f"{engine}-{size}"


def _pg_name(size: int) -> str:
    return f"bench_scale_{size}"


def _pg_url(size: int) -> str:
    return live.PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + _pg_name(size)


def _stored(url: str) -> int | None:
    """Articles in the database at `url`, or None when it does not exist or has no schema."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM articles")) or 0)
    except Exception:  # any failure means not loaded: no database, no file, no table yet
        return None
    finally:
        engine.dispose()


def _fresh_database(engine: str, size: int, directory: Path) -> str:
    if engine == "sqlite":
        for path in directory.glob("broadsheet.db*"):
            path.unlink()
        return f"sqlite:///{directory / 'broadsheet.db'}"
    return live.create_postgres_database(_pg_name(size))


def load(engine: str, size: int, files: list[Path], cache: Path, *, fresh: bool) -> Loaded:
    """The database of `size` articles on `engine`: reused when loaded before, else migrated and ingested.

    A larger size grows from the largest smaller one already loaded (a copy of it, then only the files it
    lacks: a larger corpus begins with a smaller one), so 100k, 300k and 1M cost one million ingests, not 1.4.
    """
    directory = _data_dir(cache, engine, size)
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / "loaded.json"
    url = f"sqlite:///{directory / 'broadsheet.db'}" if engine == "sqlite" else _pg_url(size)
    if not fresh and marker.exists() and _stored(url) == size:
        loaded = Loaded(**{**json.loads(marker.read_text()), "reused": True})
    else:
        marker.unlink(missing_ok=True)
        base = None if fresh else _smaller_loaded(engine, size, cache)
        if base is None:
            url, todo, grown_from = _fresh_database(engine, size, directory), files, 0
            live.migrate(url)
        else:
            url, grown_from = _copy_database(engine, base, size, directory), base.size
            todo = files[len(scale_corpus.chunk_plan(base.size)) :]
        command = live.broadsheet_command("ingest", *map(str, todo), "--jobs", "2", "--no-progress")
        started = time.perf_counter()
        run = subprocess.run(command, env=live.server_env(url), capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        summary = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
        if run.returncode != 0 or summary.get("created") != size - grown_from:
            raise SystemExit(f"broadsheet ingest failed ({run.returncode}): {summary}\n{run.stderr[-2000:]}")
        loaded = Loaded(engine, size, url, seconds, (size - grown_from) / seconds, grown_from=grown_from)
        marker.write_text(json.dumps(asdict(loaded)))
    # Also when the index is of an older format (a change to its fields since): the server would rebuild it.
    if loaded.index_s is None or IndexDirectory(index_path(Settings(DATABASE_URL=url))).current() is None:
        started = time.perf_counter()
        command = live.broadsheet_command("reindex", "--no-progress")
        run = subprocess.run(command, env=live.server_env(url), capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise SystemExit(f"broadsheet reindex failed ({run.returncode}):\n{run.stderr[-2000:]}")
        loaded.index_s = time.perf_counter() - started
        marker.write_text(json.dumps({**asdict(loaded), "reused": False}))
    loaded.db_mb, loaded.index_mb = _sizes(engine, url, directory)
    return loaded


def _smaller_loaded(engine: str, size: int, cache: Path) -> Loaded | None:
    """The largest smaller size of this engine loaded by an earlier run and still intact."""
    found = []
    for marker in cache.glob(f"{engine}-*/loaded.json"):
        loaded = Loaded(**json.loads(marker.read_text()))
        if loaded.size < size and loaded.size % scale_corpus.CHUNK == 0 and _stored(loaded.url) == loaded.size:
            found.append(loaded)
    return max(found, key=lambda ld: ld.size, default=None)


def _copy_database(engine: str, base: Loaded, size: int, directory: Path) -> str:
    if engine == "sqlite":
        source = sqlite3.connect(base.url.removeprefix("sqlite:///"))
        for path in directory.glob("broadsheet.db*"):
            path.unlink()
        target = sqlite3.connect(directory / "broadsheet.db")
        source.backup(target)  # a consistent copy, WAL included
        source.close()
        target.close()
        return f"sqlite:///{directory / 'broadsheet.db'}"
    admin = create_engine(live.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_pg_name(size)}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{_pg_name(size)}" TEMPLATE "{_pg_name(base.size)}"'))
    finally:
        admin.dispose()
    return _pg_url(size)


def _sizes(engine: str, url: str, directory: Path) -> tuple[float, float | None]:
    """Database MB (SQLite file + WAL, or pg_database_size) and the MB of the current index generation."""
    if engine == "sqlite":
        db = sum(p.stat().st_size for p in directory.glob("broadsheet.db*") if not p.name.endswith("-shm"))
    else:
        admin = create_engine(live.PG_ADMIN_URL)
        with admin.connect() as conn:
            db = int(conn.scalar(text("SELECT pg_database_size(:n)"), {"n": url.rsplit("/", 1)[1]}) or 0)
        admin.dispose()
    # The generation searches use, not the one kept behind it for readers still on it.
    folder = IndexDirectory(index_path(Settings(DATABASE_URL=url)))
    current = folder.current()
    if current is None:
        return db / 1e6, None
    return db / 1e6, sum(f.stat().st_size for f in (folder.root / current).rglob("*") if f.is_file()) / 1e6


def measure(loaded: Loaded, args: argparse.Namespace, port: int) -> tuple[list[Result], dict[str, dict[str, float]]]:
    """Every class sequentially (HTTP beside raw replay), then the concurrent runs, on a live server."""
    klasses = classes(args.requests)
    recorded = record(loaded.url, klasses, args.requests)
    log = _data_dir(args.cache, loaded.engine, loaded.size) / "serve.log"
    server = LiveServer(loaded.engine, loaded.url, log, workers=1, port=port)
    server.start()
    try:
        results = [sequential(server.base_url, loaded.url, k.name, recorded[k.name], k.path) for k in klasses]
        by_name = {k.name: k for k in klasses}
        under_load = {
            name: concurrent(server.base_url, "/articles", by_name[name].requests, args.clients, args.seconds)
            for name in ("q common word", "newest")
        }
        if server.tracebacks():
            print(f"warning: the server logged tracebacks, see {log}")
    finally:
        server.stop()
    return results, under_load


def print_tables(
    loads: list[Loaded], runs: list[tuple[Loaded, list[Result], dict[str, dict[str, float]]]], args: argparse.Namespace
) -> None:
    print("\n**Load** (`broadsheet migrate` + `broadsheet ingest --jobs 2`; reused: loaded by an earlier run)\n")
    print("| engine | articles | load s | docs/s | reindex s | database MB | index MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ld in loads:
        index = "n/a" if ld.index_mb is None else f"{ld.index_mb:.0f}"
        reindex = "n/a" if ld.index_s is None else f"{ld.index_s:.0f}"
        note = (
            " (reused)"
            if ld.reused
            else (f" (+{ld.size - ld.grown_from:,} on {ld.grown_from:,})" if ld.grown_from else "")
        )
        cells = f"{ld.seconds:.0f}{note} | {ld.docs_per_s:.0f} | {reindex} | {ld.db_mb:.0f} | {index}"
        print(f"| {ld.engine} | {ld.size:,} | {cells} |")
    print(
        f"\n**Sequential**, {args.requests} requests per class, ms; raw: the same SQL on a DB-API connection plus "
        "the same index calls made directly\n"
    )
    print("| engine | articles | class | p50 | p95 | raw p50 | raw p95 | p50 / raw p50 | median total |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ld, results, _ in runs:
        for r in results:
            if r.status != "ok":
                print(f"| {ld.engine} | {ld.size:,} | {r.name} | n/a | n/a | n/a | n/a | | |")
                continue
            http50, raw50 = pct(r.http_ms, 50), pct(r.raw_ms, 50)
            figures = " | ".join(f"{c:.1f}" for c in (http50, pct(r.http_ms, 95), raw50, pct(r.raw_ms, 95)))
            ratio = f"{http50 / raw50:.1f}x" if raw50 > 0 else ""
            total = f"{statistics.median(r.totals):,.0f}" if r.totals else ""
            total += f" ({r.errors} not 200)" if r.errors else ""
            print(f"| {ld.engine} | {ld.size:,} | {r.name} | {figures} | {ratio} | {total} |")
    print(f"\n**Concurrent**, {args.clients} clients for {args.seconds:.0f} s, 1 server worker\n")
    print("| engine | articles | class | req/s | p50 ms | p95 ms | errors |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for ld, _, under_load in runs:
        for name, c in under_load.items():
            row = f"{c['rps']:.1f} | {c['p50']:.0f} | {c['p95']:.0f} | {c['errors']:.0f}"
            print(f"| {ld.engine} | {ld.size:,} | {name} | {row} |")


def generate_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench scale generate", description=scale_corpus.__doc__)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2, help="files written in parallel (default 2)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = scale_corpus.generate(args.size, args.out, jobs=args.jobs)
    print(f"{args.size:,} articles in {len(files)} files under {args.out} ({time.perf_counter() - started:.0f} s)")


def main(argv: list[str] | None = None) -> None:
    argv = list(argv or [])
    if argv[:1] == ["generate"]:
        generate_main(argv[1:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    parser.add_argument("--sizes", default="100000,300000", help="comma-separated corpus sizes")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=50, help="requests per class (deep cursor: pages)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each concurrent run")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"corpus and databases (default {CACHE})")
    parser.add_argument("--fresh", action="store_true", help="reload the databases even if loaded before")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating the corpus")
    parser.add_argument("--port", type=int, default=8100, help="port of the live server")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="load and index the databases, measure nothing (a later run reuses them)",
    )
    args = parser.parse_args(argv)
    loads, runs = [], []
    for size in map(int, args.sizes.split(",")):
        files = scale_corpus.generate(size, args.cache / "corpus", jobs=args.jobs)
        for engine in args.engines.split(","):
            if engine not in ENGINES:
                raise SystemExit(f"unknown engine {engine!r}: choose from {', '.join(ENGINES)}")
            # Every process of this run (ingest, reindex, the recording app, the server) uses this index folder.
            os.environ["BROADSHEET_INDEX_DIR"] = str(_data_dir(args.cache, engine, size) / "index")
            try:
                loaded = load(engine, size, files, args.cache, fresh=args.fresh)
            except OperationalError as exc:
                print(f"{engine}: skipped, database not reachable ({exc.orig})")
                continue
            loads.append(loaded)
            if not args.load_only:
                runs.append((loaded, *measure(loaded, args, args.port)))
    print_tables(loads, runs, args)
