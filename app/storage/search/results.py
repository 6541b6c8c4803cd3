"""A per-process cache of aggregation answers, keyed by the index state that computed them."""

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

CACHED_RESULTS = 256
T = TypeVar("T")


class Results:
    """Aggregations (facets, histograms, spans, counts) already answered for one state of the index.

    Like Elasticsearch's shard request cache: a dashboard's widgets, polled by many viewers, ask the same
    questions until the index changes, and counting a million articles' tags is the slowest thing the index
    does. Entries are keyed by the state they were computed on (generation and checkpoint), so a change to
    the index is never answered from the cache; the oldest entries go first.
    """

    def __init__(self, size: int = CACHED_RESULTS) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self.hits += 1
                self._entries.move_to_end(key)
                return copy.deepcopy(self._entries[key])  # type: ignore[no-any-return]
            self.misses += 1
        value = compute()  # outside the lock: other requests go on meanwhile
        with self._lock:
            self._entries[key] = copy.deepcopy(value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
