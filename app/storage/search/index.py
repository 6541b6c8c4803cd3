"""Searching the index: a query and filters in, article ids, counts, facets and snippets out.

One `ArticleIndex` per process reads the current generation; it reopens when `broadsheet reindex` switches
generations and reloads when the feeder publishes. Before answering, a caller may ask it to `wait_for` a
change-log position: searches then see every write committed before the request began.
"""

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import tantivy

from app.domain import tag_key
from app.errors import ServiceBusy
from app.storage.filters import ArticleFilters, Sort
from app.storage.search import MARK_CLOSE, MARK_OPEN
from app.storage.search.directory import IndexDirectory
from app.storage.search.pairs import CommonWords
from app.storage.search.query import SearchQuery, Term
from app.storage.search.results import Results
from app.storage.search.schema import (
    BOOSTS,
    FACETS,
    PAIR_FIELDS,
    SCHEMA,
    TEXT_FIELDS,
    analyze,
    fold,
    from_micros,
    micros,
)

_PREFIX_FOLD = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .build()
)
SNIPPET_CHARS = 200
# Articles sharing one sort instant that a page boundary may fall among (a bulk batch of undated articles
# shares its ingestion time); beyond this many, ties at a boundary keep the index's order.
MAX_TIES = 10_000
_MUST = tantivy.Occur.Must
TITLE_CHARS = 400
# Values a facet half returns in full before it must be counted in one pass (see `Snapshot._facets`).
PARTIAL_VALUES = 10_000
_ID_SPAN = {"s": {"stats": {"field": "id"}}}
# Threads that count the second half of a facet request while the request's own thread counts the first.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facet-half")


@dataclass(frozen=True, slots=True)
class Hits:
    ids: list[int]
    total: int


class ArticleIndex:
    def __init__(self, directory: IndexDirectory, *, wait_seconds: float = 2.0) -> None:
        self.directory = directory
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._words = CommonWords({})
        self._seen = -1
        self.results = Results()

    def snapshot(self, *, wait_for: int | None = None) -> "Snapshot":
        """The current generation as it is now, once it holds change `wait_for` (or the wait ran out)."""
        deadline = time.monotonic() + self.wait_seconds
        while True:
            snapshot = self._refresh()
            late = time.monotonic() >= deadline
            if snapshot is not None and (wait_for is None or snapshot.checkpoint >= wait_for or late):
                return snapshot
            if snapshot is None and late:
                raise ServiceBusy("the search index is being built; retry in a moment")
            time.sleep(0.01)

    def current(self) -> "Snapshot | None":
        """The index as it is now, without waiting for any change; None before its first build."""
        return self._refresh()

    def _refresh(self) -> "Snapshot | None":
        with self._lock:
            generation = self.directory.current()
            if generation is None:
                return None
            checkpoint = self.directory.checkpoint(generation) or 0
            if generation != self._generation or self._index is None:
                self._index, self._generation, self._seen = self.directory.open(generation), generation, -1
                self._words = self.directory.common_words(generation)
            if checkpoint > self._seen:
                # The checkpoint is read before the reload, so the reloaded searcher holds at least up to it.
                self._index.reload()
                self._seen = checkpoint
            state = (generation, self._seen)  # what every answer of the snapshot is computed on
            return Snapshot(
                self._index.searcher(),
                self._seen,
                self._words,
                lambda key, compute: self.results.get((state, key), compute),
            )


class Snapshot:
    """One consistent view of the index; every answer of a request comes from the same one."""

    def __init__(
        self,
        searcher: tantivy.Searcher,
        checkpoint: int,
        words: CommonWords,
        cached: Callable[[Hashable, Callable[[], Any]], Any] = lambda key, compute: compute(),
    ) -> None:
        self.searcher = searcher
        self.checkpoint = checkpoint
        self.words = words
        self._cached = cached

    def _aggregate(self, filters: ArticleFilters, spec: dict[str, Any]) -> Any:
        key = (repr(filters), repr(spec))
        return self._cached(key, lambda: self.searcher.aggregate(self.query(filters), spec))

    def query(self, filters: ArticleFilters) -> tantivy.Query:
        return to_query(filters, self.words)

    def page(self, filters: ArticleFilters, *, sort: Sort, limit: int, offset: int) -> Hits:
        query = self.query(filters)
        if sort is Sort.RELEVANCE:
            result = self.searcher.search(query, limit, count=True, offset=offset)
            return Hits(self._ids([address for _, address in result.hits]), _count(result))
        # Newest or oldest first, ties by id as the table orders them: the first offset + limit hits by
        # sort_at, completed with every other hit that ties with the last one, then sorted by (sort_at, id).
        order = tantivy.Order.Asc if sort is Sort.OLDEST else tantivy.Order.Desc
        wanted = offset + limit
        keyed, total = self._by_sort_at(query, wanted, order, count=True)
        newest = sort is not Sort.OLDEST
        ordered = sorted(keyed, key=lambda i: (keyed[i], i), reverse=newest)
        return Hits(ordered[offset:wanted], total)

    def walk(self, filters: ArticleFilters, *, after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
        """The next `limit` matches newest first as (sort_at in microseconds, id), ties by id, after the match
        `after` (exclusive): a keyset walk over the index that stays cheap at any depth, for exports."""
        query = self.query(filters)
        keyed: dict[int, int] = {}
        if after is not None:
            # The rest of `after`'s own instant first: every match sharing it, then only ids below.
            tied = self.searcher.search(_both(query, _sort_range(after[0], after[0], upper=True)), MAX_TIES)
            keyed = {i: after[0] for i in self._ids([a for _, a in tied.hits]) if i < after[1]}
            query = _both(query, _sort_range(None, after[0], upper=False))
        keyed.update(self._by_sort_at(query, limit, tantivy.Order.Desc, count=False)[0])
        return sorted(((k, i) for i, k in keyed.items()), reverse=True)[:limit]

    def _by_sort_at(
        self, query: tantivy.Query, wanted: int, order: tantivy.Order, *, count: bool
    ) -> tuple[dict[int, int], int]:
        """The first `wanted` matches by sort_at as id → sort key, completed with every match that ties with
        the last one (so a cut never falls inside a tie), and the number of matches when `count`."""
        result = self.searcher.search(query, wanted, count=count, order_by_field="sort_at", order=order)
        keyed = dict(zip(self._ids([a for _, a in result.hits]), (int(k) for k, _ in result.hits), strict=True))
        if len(result.hits) == wanted:
            boundary = int(result.hits[-1][0])
            group = self.searcher.search(_both(query, _sort_range(boundary, boundary, upper=True)), MAX_TIES)
            keyed.update(dict.fromkeys(self._ids([a for _, a in group.hits]), boundary))
        return keyed, _count(result) if count else 0

    def _ids(self, addresses: list[tantivy.DocAddress]) -> list[int]:
        return [int(i or 0) for i in self.searcher.fast_field_values("id", addresses)] if addresses else []

    def count(self, filters: ArticleFilters) -> int:
        if filters == ArticleFilters():
            return int(self.searcher.num_docs)  # kept per segment: no need to visit a million documents
        counted: int = self._cached(
            (repr(filters), "count"), lambda: _count(self.searcher.search(self.query(filters), 1, count=True))
        )
        return counted

    def facets(self, filters: ArticleFilters, names: Sequence[str], *, size: int) -> dict[str, list[tuple[str, int]]]:
        """The `size` most frequent values of each facet among the matching articles, most frequent first
        (ties by value)."""
        if not names:
            return {}
        key = (repr(filters), "facets", tuple(names), size)
        counts: dict[str, list[tuple[str, int]]] = self._cached(key, lambda: self._facets(filters, names, size))
        return counts

    def _facets(self, filters: ArticleFilters, names: Sequence[str], size: int) -> dict[str, list[tuple[str, int]]]:
        # Counting a million articles' tags takes ~90 ms of one core: the two halves of the id range are counted
        # at once (the bindings release the GIL), each in full so that the merged counts are exact. A half
        # with more distinct values than it returns cannot be merged exactly: then one pass counts them all.
        query = self.query(filters)
        whole = {name: {"terms": {"field": FACETS[name][1], "size": PARTIAL_VALUES}} for name in names}
        first, second = (_both(query, half) for half in self._id_halves())
        try:
            later = _POOL.submit(self.searcher.aggregate, second, whole)
            halves = [self.searcher.aggregate(first, whole), later.result()]
        except ValueError:  # more buckets than the bindings allow
            halves = []
        if halves and all(h[n].get("sum_other_doc_count", 0) == 0 for h in halves for n in names):
            return {n: _top(itertools.chain(*(h[n]["buckets"] for h in halves)), size) for n in names}
        spec = {name: {"terms": {"field": FACETS[name][1], "size": size}} for name in names}
        result = self.searcher.aggregate(query, spec)
        return {n: _top(result[n]["buckets"], size) for n in names}

    def _id_halves(self) -> list[tantivy.Query]:
        """Two queries that split the index's documents by id, at the middle of its id range."""
        span = self._cached(("id-span",), lambda: self.searcher.aggregate(tantivy.Query.all_query(), _ID_SPAN))
        low, high = int(span["s"].get("min") or 0), int(span["s"].get("max") or 0)
        middle = (low + high) // 2
        return [_id_range(None, middle, upper=True), _id_range(middle, None, upper=True, lower=False)]

    def bucket_counts(
        self,
        filters: ArticleFilters,
        edges: Sequence[datetime],
        *,
        split: str | None = None,
        split_size: int = 5,
    ) -> tuple[list[int], dict[str, list[int]]]:
        """Matching dated articles per [edges[i], edges[i+1]), overall and per top `split` value."""
        ranges = [{"from": micros(a), "to": micros(b)} for a, b in itertools.pairwise(edges)]
        buckets = {"range": {"field": "published", "ranges": ranges}}
        spec: dict[str, object] = {"all": buckets}
        if split:
            spec["split"] = {"terms": {"field": FACETS[split][1], "size": split_size}, "aggs": {"by": buckets}}
        result = self._aggregate(filters, spec)
        overall = _range_counts(result["all"]["buckets"], len(ranges))
        series = {
            b["key"]: _range_counts(b["by"]["buckets"], len(ranges)) for b in result.get("split", {}).get("buckets", [])
        }
        return overall, series

    def published_span(self, filters: ArticleFilters) -> tuple[datetime, datetime] | None:
        """Earliest and latest publication instant among matching dated articles."""
        result = self._aggregate(filters, {"span": {"stats": {"field": "published"}}})
        span = result["span"]
        if not span.get("count"):
            return None
        return from_micros(int(span["min"])), from_micros(int(span["max"]))

    def snippets(self, query: SearchQuery, rows: Sequence[Mapping[str, object]]) -> list[tuple[str | None, str | None]]:
        """(highlighted title, body snippet) per row, matches between MARK_OPEN and MARK_CLOSE."""
        text_query = _text_query(query)
        if text_query is None:
            return [(None, None) for _ in rows]
        generators = {}
        for name, chars in (("title", TITLE_CHARS), ("body", SNIPPET_CHARS), ("summary", SNIPPET_CHARS)):
            generator = tantivy.SnippetGenerator.create(self.searcher, text_query, SCHEMA, name)
            generator.set_max_num_chars(chars)
            generators[name] = generator
        out = []
        for row in rows:
            title = _marked(generators["title"], "title", str(row.get("title") or ""))
            out.append((title, _best_passage(generators, row)))
        return out


def _best_passage(generators: Mapping[str, tantivy.SnippetGenerator], row: Mapping[str, object]) -> str | None:
    """A passage with matches from the body, else the summary, else the title; else the body's opening."""
    for field in ("body", "summary", "title"):
        text = str(row.get(field) or "")
        passage = _marked(generators[field], field, text)
        if passage is not None:
            return passage
    opening = str(row.get("body") or row.get("summary") or "")
    return opening[:SNIPPET_CHARS] or None


def _count(result: tantivy.SearchResult) -> int:
    return int(result.count or 0)  # type: ignore[attr-defined]  # the bindings' stubs omit `count`


def _range_counts(buckets: Sequence[Mapping[str, object]], n: int) -> list[int]:
    # tantivy adds open-ended buckets below the first and above the last edge; keep the closed ones.
    closed = [b for b in buckets if "from" in b and "to" in b]
    counts = [int(b["doc_count"]) for b in closed]  # type: ignore[call-overload]
    return counts[:n] + [0] * (n - len(counts))


def _marked(generator: tantivy.SnippetGenerator, field: str, text: str) -> str | None:
    """The best passage of `text` with its matches marked; None when nothing in it matches."""
    if not text:
        return None
    doc = tantivy.Document()
    doc.add_text(field, text)
    snippet = generator.snippet_from_doc(doc)
    fragment = snippet.fragment()
    spans = [(h.start, h.end) for h in snippet.highlighted()]
    if not spans:
        return None
    raw = fragment.encode()  # tantivy's offsets count UTF-8 bytes, not characters
    out, last = [], 0
    for start, end in spans:
        out += [raw[last:start].decode(), MARK_OPEN, raw[start:end].decode(), MARK_CLOSE]
        last = end
    out.append(raw[last:].decode())
    return "".join(out)


# -- from filters to a tantivy query ---------------------------------------------------------------------------


def to_query(filters: ArticleFilters, words: CommonWords) -> tantivy.Query:
    must: list[tantivy.Query] = []
    must_not: list[tantivy.Query] = []
    if filters.query is not None:
        for group in filters.query.groups:
            must.append(_any([_term_query(t, words) for t in group]))
        must_not += [_term_query(t, words) for t in filters.query.excluded]
    must += [_exact("tag", k) for k in _keys(filters.tags)]
    if filters.any_tags:
        must.append(_any([_exact("tag", k) for k in _keys(filters.any_tags)]))
    must_not += [_exact("tag", k) for k in _keys(filters.exclude_tags)]
    if filters.source:
        must.append(_exact("source", filters.source))
    if filters.language:
        must.append(_exact("language", filters.language))
    must += [_exact("author_key", fold(a)) for a in filters.authors]
    if filters.section:
        must.append(_exact("section_key", fold(filters.section)))
    if filters.published_after or filters.published_before:
        must.append(
            tantivy.Query.range_query(
                SCHEMA,
                "published",
                tantivy.FieldType.Integer,
                micros(filters.published_after) if filters.published_after else None,
                micros(filters.published_before) if filters.published_before else None,
                include_upper=filters.published_before is None,
            )
        )
    if not must:
        must.append(tantivy.Query.all_query())
    clauses = [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
    return must[0] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)


def _both(first: tantivy.Query, second: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(_MUST, first), (_MUST, second)])


def _top(buckets: Iterable[Mapping[str, Any]], size: int) -> list[tuple[str, int]]:
    """Bucket counts summed by value: the `size` most frequent, ties by value."""
    counts: Counter[str] = Counter()
    for bucket in buckets:
        counts[str(bucket["key"])] += int(bucket["doc_count"])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]


def _id_range(low: int | None, high: int | None, *, upper: bool, lower: bool = True) -> tantivy.Query:
    return tantivy.Query.range_query(
        SCHEMA, "id", tantivy.FieldType.Integer, low, high, include_lower=lower, include_upper=upper
    )


def _sort_range(low: int | None, high: int, *, upper: bool) -> tantivy.Query:
    return tantivy.Query.range_query(SCHEMA, "sort_at", tantivy.FieldType.Integer, low, high, include_upper=upper)


def _keys(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(k for k in map(tag_key, values) if k))


def _exact(field: str, value: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, field, value)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _term_query(term: Term, words: CommonWords | None) -> tantivy.Query:
    """`words`: the generation's common words, whose pairs may replace positions (None: positions only)."""
    if term.scope == "tag":
        return _exact("tag", tag_key(term.tokens[0]))
    if term.scope == "author":
        return _exact("author_key", term.tokens[0])
    fields = ("title",) if term.scope == "title" else TEXT_FIELDS
    boosted = [
        tantivy.Query.boost_query(q, BOOSTS[f]) for f in fields if (q := _field_query(term, f, words)) is not None
    ]
    return _any(boosted) if boosted else tantivy.Query.empty_query()


def _field_query(term: Term, field: str, words: CommonWords | None) -> tantivy.Query | None:
    terms = analyze(" ".join(term.tokens[:-1] if term.prefix else term.tokens))
    if term.prefix:
        stem = _PREFIX_FOLD.analyze(term.tokens[-1])[0]
        if not terms:
            return tantivy.Query.regex_query(SCHEMA, field, stem + ".*")
        return tantivy.Query.phrase_prefix_query(SCHEMA, field, [*terms, stem])
    if not terms:
        return None
    if len(terms) == 1:
        return tantivy.Query.term_query(SCHEMA, field, terms[0], index_option="freq")
    pairs = [p for a, b in itertools.pairwise(terms) if words and (p := words.pair(a, b))]
    if len(terms) == 2 and pairs:
        # The pair term holds exactly the articles with these two terms adjacent, and ranks without positions.
        return tantivy.Query.term_query(SCHEMA, PAIR_FIELDS[field], pairs[0], index_option="freq")
    phrase = tantivy.Query.phrase_query(SCHEMA, field, list[str | tuple[int, str]](terms))
    if not pairs:
        return phrase
    # Every indexed pair must be there: positions are then checked only in articles that hold them all.
    held = [tantivy.Query.term_query(SCHEMA, PAIR_FIELDS[field], p, index_option="basic") for p in pairs]
    return tantivy.Query.boolean_query(
        [(_MUST, phrase), *((_MUST, tantivy.Query.const_score_query(q, 0.0)) for q in held)]
    )


def _text_query(query: SearchQuery) -> tantivy.Query | None:
    """The words of a query that occur in text (not tag: or author: scopes), for highlighting."""
    parts = [_term_query(t, None) for t in query.terms() if t.scope not in ("tag", "author")]
    return _any(parts) if parts else None
