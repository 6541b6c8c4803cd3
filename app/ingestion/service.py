"""The one entry point of ingestion: bytes and hints in, a validated article out, then an upsert."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.domain import Hints
from app.errors import ParseError, UnsupportedFormat
from app.ingestion import detect, normalize
from app.ingestion.decode import decode, looks_like_text
from app.models import ArticleCreate
from app.storage import repository
from app.storage.repository import Outcome

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one document."""

    outcome: Outcome
    article_id: int
    article: ArticleCreate
    warnings: tuple[str, ...] = ()


def extract(data: bytes, *, hints: Hints) -> tuple[ArticleCreate, tuple[str, ...]]:
    """Parse a raw document into a validated article, storing nothing."""
    if not data.strip():
        raise ParseError("the document is empty")
    text = decode(data, content_type=hints.content_type)
    if not looks_like_text(text):
        raise UnsupportedFormat("the document is not readable text (binary data or the wrong encoding)")
    fmt = detect.detect(text, content_type=hints.content_type)
    draft = detect.PARSERS[fmt](text, hints)
    article = normalize.draft_to_article(draft)
    return article, tuple(draft.warnings)


def ingest(session: Session, data: bytes, *, hints: Hints) -> IngestResult:
    """Parse a raw document and upsert it by canonical URL."""
    article, warnings = extract(data, hints=hints)
    result = store(session, article)
    return IngestResult(result.outcome, result.article_id, result.article, warnings)


def store(session: Session, article: ArticleCreate) -> IngestResult:
    """Upsert a validated article: same content is unchanged, newer content updates the same id."""
    prepared = normalize.prepare(article)
    outcome, article_id = repository.upsert(session, prepared, now=datetime.now(UTC))
    log.debug("article stored", extra={"outcome": outcome.value, "article_id": article_id, "url": prepared.article.url})
    return IngestResult(outcome, article_id, prepared.article)
