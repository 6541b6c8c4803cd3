"""Pages, facet counts and histograms: the table serves plain pages, the search index everything else.

A plain page (filters by tag or by source or language, dates; newest or oldest first) is one index range
scan in the database, and stays exact and immediate whatever the index is doing. Searches, author and section
filters, a tag with a source or language, relevance order, totals, facets and histograms come from the
search index, which first waits (up
to `index_wait`) until it holds every change committed before the request: a client that wrote and then
searches finds its write.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.domain import as_utc, tag_key
from app.errors import InvalidCursor, InvalidInput, ServiceBusy
from app.models import Interval
from app.storage import repository
from app.storage.filters import ArticleFilters, Sort
from app.storage.pagination import KeysetCursor, OffsetCursor, TagCountCursor
from app.storage.search.feeder import latest_seq
from app.storage.search.index import ArticleIndex, Snapshot

MAX_BUCKETS = 5000
MAX_OFFSET = 10_000
# Distinct tags counted for /tags (tantivy's bucket limit is 65,000); documented in the README.
MAX_TAGS = 65_000
# Changes the index may be behind for a plain page to wait for its total (a few interactive writes, not a load).
BACKLOG_WORTH_WAITING = 1000
_FIRST_DAY, _LAST_DAY = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)


@dataclass(slots=True)
class Total:
    value: int
    # "eq": exact. "approximate": the index had not caught up with every committed write within index_wait.
    relation: Literal["eq", "approximate"]


@dataclass(slots=True)
class ListedPage:
    rows: list[dict[str, Any]]
    next_cursor: KeysetCursor | OffsetCursor | None
    total: Total | None


def _snapshot(session: Session, index: ArticleIndex) -> tuple[Snapshot, int]:
    latest = latest_seq(session)
    return index.snapshot(wait_for=latest), latest


def snapshot_after_writes(session: Session, index: ArticleIndex) -> Snapshot:
    """The index once it holds every change committed before now (or the wait for it ran out)."""
    return _snapshot(session, index)[0]


def _total(snapshot: Snapshot, latest: int, value: int) -> Total:
    return Total(value, "eq" if snapshot.checkpoint >= latest else "approximate")


def page(
    session: Session,
    index: ArticleIndex,
    filters: ArticleFilters,
    *,
    sort: Sort,
    limit: int,
    cursor: KeysetCursor | OffsetCursor | None,
) -> ListedPage:
    # The table pages by keyset, the index by offset: a cursor of one kind is refused by the other.
    if filters.needs_index or filters.crosses_indexes or sort is Sort.RELEVANCE:
        if isinstance(cursor, KeysetCursor):
            raise InvalidCursor("this cursor belongs to a different kind of listing; start again without it")
        return _indexed_page(session, index, filters, sort=sort, limit=limit, offset=cursor.offset if cursor else 0)
    if isinstance(cursor, OffsetCursor) or (cursor is not None and cursor.ascending != (sort is Sort.OLDEST)):
        raise InvalidCursor("this cursor belongs to a different listing order; start again without it")
    found = repository.list_articles(session, filters, limit=limit, cursor=cursor, ascending=sort is Sort.OLDEST)
    return ListedPage(found.rows, found.next_cursor, _total_now(session, index, filters))


def _total_now(session: Session, index: ArticleIndex, filters: ArticleFilters) -> Total | None:
    """The index's count once it holds the latest writes, unless it is far behind (a bulk load being indexed):
    then at once, marked approximate, so a plain page never waits on a backlog it does not need."""
    latest = latest_seq(session)
    snapshot = index.current()
    if snapshot is None or 0 < latest - snapshot.checkpoint <= BACKLOG_WORTH_WAITING:
        try:
            snapshot = index.snapshot(wait_for=latest)
        except ServiceBusy:
            return None  # the index is still being built: the page is exact, only its total is unknown
    return _total(snapshot, latest, snapshot.count(filters))


def _indexed_page(
    session: Session, index: ArticleIndex, filters: ArticleFilters, *, sort: Sort, limit: int, offset: int
) -> ListedPage:
    snapshot, latest = _snapshot(session, index)
    hits = snapshot.page(filters, sort=sort, limit=limit + 1, offset=offset)
    rows = repository.rows_by_ids(session, hits.ids[:limit], with_body=filters.query is not None)
    if filters.query is not None:
        for row, (title, snippet) in zip(rows, snapshot.snippets(filters.query, rows), strict=True):
            row["snippet"], row["title_highlight"] = snippet, title
            row.pop("body", None)
    more = len(hits.ids) > limit and offset + limit <= MAX_OFFSET
    return ListedPage(rows, OffsetCursor(offset + limit) if more else None, _total(snapshot, latest, hits.total))


def facets(
    session: Session, index: ArticleIndex, filters: ArticleFilters, names: list[str], *, size: int
) -> tuple[Total, dict[str, list[tuple[str, int]]]]:
    """The most frequent values of each named facet among the matching articles."""
    snapshot, latest = _snapshot(session, index)
    counts = snapshot.facets(filters, names, size=size)
    if "tag" in counts:
        # The index counts tag keys (case-folded); show each in the form it was first stored in.
        displays = repository.tag_displays(session, [key for key, _ in counts["tag"]])
        counts["tag"] = [(displays.get(key, key), n) for key, n in counts["tag"]]
    return _total(snapshot, latest, snapshot.count(filters)), counts


def tag_counts(
    session: Session,
    index: ArticleIndex,
    filters: ArticleFilters,
    *,
    prefix: str | None,
    limit: int,
    after: TagCountCursor | None,
) -> tuple[list[tuple[str, int]], TagCountCursor | None]:
    """Tags of the matching articles with how many carry each, most used first (ties by key), from one count
    over the index; the position after the last when more follow."""
    snapshot, _ = _snapshot(session, index)
    counts = snapshot.facets(filters, ["tag"], size=MAX_TAGS)["tag"]
    if prefix:
        key = tag_key(prefix)
        counts = [(k, n) for k, n in counts if k.startswith(key)]
    ordered = sorted(counts, key=lambda kn: (-kn[1], kn[0]))
    if after is not None:
        ordered = [(k, n) for k, n in ordered if n < after.count or (n == after.count and k > after.key)]
    page = ordered[:limit]
    displays = repository.tag_displays(session, [k for k, _ in page])
    position = TagCountCursor(page[-1][1], page[-1][0]) if len(ordered) > limit else None
    return [(displays.get(k, k), n) for k, n in page], position


@dataclass(slots=True)
class Buckets:
    total: Total
    undated: int
    edges: list[datetime]
    counts: list[int]
    series: dict[str, list[int]]


def histogram(
    session: Session,
    index: ArticleIndex,
    filters: ArticleFilters,
    *,
    interval: Interval,
    tz: ZoneInfo,
    split: str | None,
    split_size: int,
) -> Buckets:
    """Matching articles per calendar day/week/month/year of publication in `tz` (weeks start on Monday)."""
    snapshot, latest = _snapshot(session, index)
    total = snapshot.count(filters)
    span = snapshot.published_span(filters)
    first = filters.published_after or (span[0] if span else None)
    last = filters.published_before or (span[1] + timedelta(microseconds=1) if span else None)
    if first is None or last is None or first >= last:
        return Buckets(_total(snapshot, latest, total), total, [], [], {})
    edges = calendar_edges(as_utc(first), as_utc(last), interval, tz)
    counts, series = snapshot.bucket_counts(filters, edges, split=split, split_size=split_size)
    if split == "tag":
        displays = repository.tag_displays(session, list(series))
        series = {displays.get(key, key): values for key, values in series.items()}
    return Buckets(_total(snapshot, latest, total), total - sum(counts), edges, counts, series)


def calendar_edges(first: datetime, last: datetime, interval: Interval, tz: ZoneInfo) -> list[datetime]:
    """Bucket edges, as UTC instants, of the calendar periods in `tz` that cover [first, last)."""
    # A day inside years 1-9999 on both sides, so converting to any zone cannot overflow.
    first, last = max(first, _FIRST_DAY), min(last, _LAST_DAY)
    local = first.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if interval is Interval.WEEK:
        local -= timedelta(days=local.weekday())
    elif interval is Interval.MONTH:
        local = local.replace(day=1)
    elif interval is Interval.YEAR:
        local = local.replace(month=1, day=1)
    edges = [_instant(local, tz)]
    while edges[-1] < last:
        try:
            local = _next(local, interval)
        except (ValueError, OverflowError):  # past year 9999: the last bucket is open-ended enough
            break
        edges.append(_instant(local, tz))
        if len(edges) > MAX_BUCKETS + 1:
            raise InvalidInput(
                f"the histogram would have more than {MAX_BUCKETS} buckets; use a longer interval or narrow the dates"
            )
    return edges


def _next(local: datetime, interval: Interval) -> datetime:
    if interval is Interval.DAY:
        return local + timedelta(days=1)
    if interval is Interval.WEEK:
        return local + timedelta(days=7)
    if interval is Interval.MONTH:
        return local.replace(year=local.year + local.month // 12, month=local.month % 12 + 1)
    return local.replace(year=local.year + 1)


def _instant(local: datetime, tz: ZoneInfo) -> datetime:
    # Midnight may not exist (a DST jump at 00:00): zoneinfo then resolves it forward, which is the period start.
    return local.replace(tzinfo=tz).astimezone(UTC)
