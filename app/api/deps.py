"""Dependencies as Annotated aliases: settings, sessions, the current article, the API-key guard."""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import InvalidInput, NotFound, Unauthorized
from app.fetch.client import Fetcher
from app.ingestion.pool import ParserPool
from app.ingestion.service import InThreadParsers, Parsers
from app.models import CONTROL_CHARACTERS
from app.storage import repository
from app.storage.db import Writer, read_session
from app.storage.search.index import ArticleIndex
from app.storage.tables import Article


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_read_session(request: Request) -> Iterator[Session]:
    with read_session(request.app.state.read_sessions) as session:
        yield session


def get_writer(request: Request) -> Writer:
    """Runs a write flow's transaction and commits it before the handler returns (so before any response).

    Not a session dependency: FastAPI may run a yield dependency's exit after the response is sent, and a
    client must never hold a 201 for a commit that has not happened, or failed.
    """
    writer: Writer = request.app.state.writer
    return writer


def get_fetcher(request: Request) -> Fetcher | None:
    """The app's guarded client, or None when fetching is disabled."""
    fetcher: Fetcher | None = request.app.state.fetcher
    return fetcher


FetcherDep = Annotated[Fetcher | None, Depends(get_fetcher)]


def get_parsers(request: Request) -> Parsers:
    """The app's time-limited parser processes, or parsing in the request thread when there are none."""
    parsers: ParserPool | None = request.app.state.parsers
    return parsers if parsers is not None else InThreadParsers()


ParsersDep = Annotated[Parsers, Depends(get_parsers)]
ReadSession = Annotated[Session, Depends(get_read_session)]
WriterDep = Annotated[Writer, Depends(get_writer)]


def get_search_index(request: Request) -> ArticleIndex:
    """The derived search index (the same on both engines), opened once at start-up."""
    index: ArticleIndex = request.app.state.index
    return index


IndexDep = Annotated[ArticleIndex, Depends(get_search_index)]

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Required on write endpoints when the server is configured with keys.",
)


# Generated SDKs send `Authorization: Bearer <token>` by default; accepting it makes them work as generated.
_bearer = HTTPBearer(auto_error=False, description="The same key as `Authorization: Bearer <key>`.")


def require_api_key(
    settings: SettingsDep,
    key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> None:
    if not settings.api_keys:
        return
    sent = key if key is not None else (bearer.credentials if bearer is not None else None)
    if sent is None or not any(hmac.compare_digest(sent, allowed) for allowed in settings.api_keys):
        raise Unauthorized("send a valid key in the X-API-Key header or as Authorization: Bearer <key>")


WriteGuard = Depends(require_api_key)

ArticleId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The article's id.")]


def load_article(session: ReadSession, article_id: ArticleId) -> Article:
    article = repository.get_article(session, article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id}")
    return article


CurrentArticle = Annotated[Article, Depends(load_article)]


def reject_control_characters(request: Request) -> None:
    """Query values with control characters (NUL included) are refused: no engine matches them the same way,
    and no tag, host, URL or search term contains one."""
    for name, value in request.query_params.multi_items():
        if CONTROL_CHARACTERS.search(value) or CONTROL_CHARACTERS.search(name):
            raise InvalidInput(f"query parameter {name[:50]!r} contains control characters")
