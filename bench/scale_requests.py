"""The request classes of the scale benchmark, timed over HTTP beside a raw replay of the SQL they send.

Each class is a list of GET requests of one kind with varied words, tags or sources drawn by rank from the generated
corpus (common = ranks 1-5, rare = rank ~20,000). Before the clock starts, every request runs once in this process
through the real app (TestClient) with SQLAlchemy's `before_cursor_execute` hook recording the SQL it sends; that pass
also follows `next_cursor` for the deep-cursor class and warms both caches. Then each request is sent over HTTP to
the live server and, right after it, its recorded statements are replayed on a raw DB-API connection of the same
database, so both sides of a ratio see the same machine. A class whose endpoint answers 404/422 (not built yet)
is reported as n/a.
"""

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Settings, index_path
from app.main import create_app
from app.models import Interval
from app.storage.db import make_engine
from app.storage.filters import ArticleFilters, Sort
from app.storage.listing import calendar_edges
from app.storage.search.directory import IndexDirectory
from app.storage.search.index import ArticleIndex
from app.storage.search.query import parse_query
from app.storage.search.results import Results
from bench.scale_corpus import source_by_rank, tag_by_rank, word_by_rank

Params = dict[str, Any]
# Statements with no cost of their own that the app's session sends around its query.
SKIPPED_SQL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
FACETS: Params = {"facet": ["tag", "source", "language"], "size": 10}


@dataclass
class RequestClass:
    name: str
    path: str
    requests: list[Params]
    follow_cursor: bool = False  # deep cursor: request i+1 is request i's next_cursor
    # Prefix search: a server without it reads `word*` as `word`; identical pages for both mean "not built" (n/a).
    needs_star: bool = False


@dataclass
class Recorded:
    params: Params
    statements: list[tuple[str, Any]] = field(default_factory=list)
    total: int | None = None  # the page's `total.value`, once the API reports one


@dataclass
class Result:
    name: str
    totals: list[int] = field(default_factory=list)
    errors: int = 0  # answers other than 200 over HTTP (timed all the same, and shown beside the figures)
    http_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    status: str = "ok"


def _quarters(n: int) -> list[tuple[str, str]]:
    starts = [f"{2023 + i // 4}-{1 + 3 * (i % 4):02d}-01" for i in range(12)]
    ends = [f"{2023 + (i + 1) // 4}-{1 + 3 * ((i + 1) % 4):02d}-01" for i in range(12)]
    return [(starts[i % 12], ends[i % 12]) for i in range(n)]


def _prefix_words(n: int) -> list[str]:
    """Prefixes (`ukrain*`-like) of frequent words long enough to have one, each matching several words."""
    words = [w for w in (word_by_rank(r) for r in range(500, 5000)) if len(w) >= 6]
    return [f"{w[:5]}*" for w in words[:n]]


def classes(n: int) -> list[RequestClass]:
    """Every request class, n requests each (the deep cursor follows n pages)."""
    common, mid = [word_by_rank(1 + i % 5) for i in range(n)], [word_by_rank(80 + i % 20) for i in range(n)]
    pairs = [(word_by_rank(1 + i % 5), word_by_rank(2 + (i + 1) % 5)) for i in range(n)]
    tags = [tag_by_rank(1 + i % 5) for i in range(n)]
    dated = [
        {"tag": tags[i], "source": source_by_rank(1 + i % 5), "published_after": a, "published_before": b}
        for i, (a, b) in enumerate(_quarters(n))
    ]
    listing, facets, histogram = "/articles", "/articles/facets", "/articles/histogram"
    # Aggregations are cached per index state (search/index.py `Results`): each request of a class differs
    # (facet size, histogram zone) so that every one is counted afresh, except in "facets repeated".
    distinct = [{**FACETS, "size": 10 + i} for i in range(n)]
    zones = sorted(z for z in available_timezones() if z.count("/") == 1)[::7][:n]
    month = [{"interval": "month", "tz": zones[i % len(zones)]} for i in range(n)]
    return [
        RequestClass("newest", listing, [{"limit": 20}] * n),
        RequestClass("tag common", listing, [{"tag": t} for t in tags]),
        RequestClass("tag rare", listing, [{"tag": tag_by_rank(2000 + i)} for i in range(n)]),
        RequestClass("tag+source+date", listing, dated),
        RequestClass("deep cursor", listing, [{"limit": 20}], follow_cursor=True),
        RequestClass("q common word", listing, [{"q": w} for w in common]),
        RequestClass("q two common", listing, [{"q": f"{a} {b}"} for a, b in pairs]),
        RequestClass("q phrase", listing, [{"q": f'"{a} {b}"'} for a, b in pairs]),
        RequestClass("q exclusion", listing, [{"q": f"{w} -{m}"} for w, m in zip(common, mid, strict=True)]),
        RequestClass("q word+tag", listing, [{"q": w, "tag": t} for w, t in zip(common, tags, strict=True)]),
        RequestClass("q rare word", listing, [{"q": word_by_rank(20_000 + i)} for i in range(n)]),
        RequestClass("q prefix", listing, [{"q": p} for p in _prefix_words(n)], needs_star=True),
        RequestClass("facets", facets, distinct),
        RequestClass("facets q", facets, [{**d, "q": w} for d, w in zip(distinct, common, strict=True)]),
        RequestClass("facets repeated", facets, [FACETS] * n),
        RequestClass("histogram", histogram, month),
        RequestClass("histogram q", histogram, [{**m, "q": w} for m, w in zip(month, common, strict=True)]),
        RequestClass("histogram tag", histogram, [{**m, "tag": t} for m, t in zip(month, tags, strict=True)]),
    ]


def record(database_url: str, klasses: list[RequestClass], pages: int) -> dict[str, list[Recorded] | None]:
    """Run every request once in process; the SQL each sent, or None for a class whose endpoint is missing."""
    current: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if not statement.lstrip().upper().startswith(SKIPPED_SQL):
            current.append((statement, parameters))

    out: dict[str, list[Recorded] | None] = {}
    app = create_app(Settings(DATABASE_URL=database_url, parse_workers=0, log_level="WARNING", log_json=False))
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        with TestClient(app) as client:
            for klass in klasses:
                out[klass.name] = _record_class(client, klass, pages, current)
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    return out


def _record_class(
    client: TestClient, klass: RequestClass, pages: int, current: list[tuple[str, Any]]
) -> list[Recorded] | None:
    recorded: list[Recorded] = []
    todo = list(klass.requests)
    while todo:
        params = todo.pop(0)
        current.clear()
        response = client.get(klass.path, params=params)
        if response.status_code in (404, 405, 422):
            return None
        response.raise_for_status()
        page = response.json()
        total = page["total"].get("value") if isinstance(page.get("total"), dict) else None
        recorded.append(Recorded(params, list(current), total))
        if klass.follow_cursor and page.get("next_cursor") and len(recorded) < pages:
            todo.append({**params, "cursor": page["next_cursor"]})
    if klass.needs_star and all(_same_without_star(client, klass.path, r.params) for r in recorded):
        return None
    return recorded


def _same_without_star(client: TestClient, path: str, params: Params) -> bool:
    pages = [client.get(path, params={**params, "q": q}).json() for q in (params["q"], params["q"].rstrip("*"))]
    return [i["id"] for i in pages[0]["items"]] == [i["id"] for i in pages[1]["items"]]


_INDEXES: dict[str, ArticleIndex] = {}


def index_replay(database_url: str, path: str, params: Params) -> Callable[[], None] | None:
    """The search-index calls a request makes, made directly on the index (timed with the SQL replay): the
    page or count of a listing, the counts of a facet request, the span and buckets of a histogram."""
    settings = Settings(DATABASE_URL=database_url)
    if database_url not in _INDEXES:
        _INDEXES[database_url] = ArticleIndex(IndexDirectory(index_path(settings)))
        _INDEXES[database_url].results = Results(size=0)  # the raw replay counts every time
    index, filters = _INDEXES[database_url], _filters(params)

    def run() -> None:
        snapshot = index.snapshot()
        if path.endswith("/facets"):
            snapshot.facets(filters, list(params["facet"]), size=int(params["size"]))
            snapshot.count(filters)
        elif path.endswith("/histogram"):
            snapshot.count(filters)
            span = snapshot.published_span(filters)
            if span:
                zone = ZoneInfo(params.get("tz", "UTC"))
                edges = calendar_edges(span[0], span[1], Interval(params["interval"]), zone)
                snapshot.bucket_counts(filters, edges)
        elif filters.needs_index:
            hits = snapshot.page(filters, sort=Sort.RELEVANCE if filters.query else Sort.NEWEST, limit=21, offset=0)
            if filters.query is not None:
                snapshot.snippets(filters.query, [{"title": "", "body": ""} for _ in hits.ids[:20]])
        else:
            snapshot.count(filters)

    return run


def _filters(params: Params) -> ArticleFilters:
    def many(name: str) -> list[str]:
        value = params.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def instant(name: str) -> datetime | None:
        return datetime.fromisoformat(params[name]).replace(tzinfo=UTC) if name in params else None

    query = parse_query(params["q"], max_chars=256, max_terms=32) if "q" in params else None
    return ArticleFilters(
        tags=many("tag"),
        source=params.get("source"),
        published_after=instant("published_after"),
        published_before=instant("published_before"),
        query=query,
    )


class Replayer:
    """Replays recorded statements on one raw DB-API connection, configured as the app's (pragmas, autocommit)."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(Settings(DATABASE_URL=database_url))
        self.connection = self.engine.raw_connection()
        if self.engine.dialect.name == "postgresql":
            # The app's read sessions are autocommit on PostgreSQL (app.storage.db.read_session_factory).
            self.connection.driver_connection.autocommit = True  # type: ignore[union-attr]

    def run(self, statements: list[tuple[str, Any]]) -> None:
        cursor = self.connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


def sequential(base_url: str, database_url: str, name: str, recorded: list[Recorded] | None, path: str) -> Result:
    """Each request over HTTP, then its SQL replayed raw (interleaved)."""
    result = Result(name)
    if recorded is None:
        result.status = "n/a"
        return result
    result.totals = [r.total for r in recorded if r.total is not None]
    replayer = Replayer(database_url)
    try:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            for item in recorded:
                started = time.perf_counter()
                status = client.get(path, params=item.params).status_code
                result.http_ms.append((time.perf_counter() - started) * 1000)
                result.errors += status != 200
                extra = index_replay(database_url, path, item.params)
                started = time.perf_counter()
                if extra is not None:
                    extra()
                replayer.run(item.statements)
                result.raw_ms.append((time.perf_counter() - started) * 1000)
    finally:
        replayer.close()
    return result


def concurrent(base_url: str, path: str, requests: list[Params], clients: int, seconds: float) -> dict[str, float]:
    """`clients` threads sending the class's requests round-robin for `seconds`: req/s, p50, p95."""
    until = time.monotonic() + seconds
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def loop(i: int) -> None:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            n = i
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    ok = client.get(path, params=requests[n % len(requests)]).status_code == 200
                except httpx.TransportError:
                    ok = False
                samples[i].append((time.perf_counter() - started) * 1000)
                errors[i] += not ok
                n += clients

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [ms for chunk in samples for ms in chunk]
    return {"rps": len(flat) / elapsed, "p50": pct(flat, 50), "p95": pct(flat, 95), "errors": sum(errors)}


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
