"""What reading a document gives: an article, or why there is none.

Apart from the pipeline so that processes which only validate pre-parsed articles (bulk NDJSON workers) can
exchange these without loading the parsers.
"""

from dataclasses import dataclass
from typing import NamedTuple

from app.models import ArticleCreate


class ParsedArticle(NamedTuple):
    """A parsed article, what the parser could not find, and the address it was submitted under."""

    article: ArticleCreate
    warnings: tuple[str, ...]
    original_url: str | None = None
    page_to_fetch: str | None = None  # a feed entry with a summary only: its page would complete it


@dataclass(frozen=True, slots=True)
class Failed:
    """A document (or feed entry) that did not become an article, and why."""

    name: str
    reason: str
