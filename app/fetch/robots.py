"""robots.txt, fetched through the guarded client and cached per origin (RFC 9309 semantics)."""

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from app.errors import FetchBlocked, FetchFailed

if TYPE_CHECKING:
    from app.fetch.client import Fetcher

ROBOTS_AGENT = "Broadsheet"
_TTL_SECONDS = 3600.0
_MAX_ORIGINS = 512
_MAX_ROBOTS_BYTES = 512 * 1024


class RobotsCache:
    """Whether the crawler may fetch a URL, from its origin's robots.txt, kept for an hour."""

    def __init__(self, fetcher: "Fetcher") -> None:
        self._fetcher = fetcher
        self._rules: OrderedDict[str, tuple[float, RobotFileParser]] = OrderedDict()
        self._lock = threading.Lock()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._cached(origin)
        if rules is None:
            rules = self._load(origin)
            with self._lock:
                self._rules[origin] = (time.monotonic(), rules)
                while len(self._rules) > _MAX_ORIGINS:
                    self._rules.popitem(last=False)
        return rules.can_fetch(ROBOTS_AGENT, url)

    def _cached(self, origin: str) -> RobotFileParser | None:
        with self._lock:
            entry = self._rules.get(origin)
            if entry is None or time.monotonic() - entry[0] > _TTL_SECONDS:
                return None
            self._rules.move_to_end(origin)
            return entry[1]

    def _load(self, origin: str) -> RobotFileParser:
        rules = RobotFileParser()
        try:
            fetched = self._fetcher.fetch(f"{origin}/robots.txt", accept=None, check_robots=False)
        except FetchBlocked:
            raise
        except FetchFailed as exc:
            # RFC 9309 §2.3.1: an unavailable robots.txt (4xx) allows everything; an unreachable one
            # (5xx, network errors) must be taken as a complete disallow.
            unavailable = exc.upstream_status is not None and 400 <= exc.upstream_status < 500
            rules.parse([] if unavailable else ["User-agent: *", "Disallow: /"])
            return rules
        rules.parse(fetched.data[:_MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").splitlines())
        return rules
