"""create_app(): the engine is built in the lifespan, routers mounted, errors rendered in one place."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

import app as package
from app import logs
from app.api import docs, openapi, problems
from app.api.deps import reject_control_characters
from app.api.http import (
    REQUEST_ID_HEADER,
    AnswerHead,
    HttpConventions,
    TagEncodedRepresentations,
    reject_unknown_query,
)
from app.api.limits import BodySizeLimit
from app.api.paths import IgnoreTrailingSlash
from app.api.routers import articles, changes, exports, health, ingest, tags
from app.config import Settings, get_settings, index_path
from app.fetch.client import Fetcher
from app.ingestion.pool import ParserPool
from app.storage import migrate
from app.storage.db import Writer, make_engine, read_session_factory
from app.storage.search.directory import IndexDirectory
from app.storage.search.feeder import Follower
from app.storage.search.index import ArticleIndex

DESCRIPTION = """Parsed news articles: ingest raw pages, text dumps or JSON; list, filter and search them.

Every error is an RFC 9457 `application/problem+json` body (schema `Problem`) with a stable `code` and the
request's `request_id`. Limits: request bodies up to `BROADSHEET_MAX_BODY_BYTES` (5 MiB by default, else 413),
pages of 1–100 items, search queries up to 256 characters and 32 terms, URLs absolute http(s).

Writes need a key (`X-API-Key: <key>` or `Authorization: Bearer <key>`) only when the server has keys.
Reads carry strong `ETag`s (send `If-None-Match` for a 304) and a `Cache-Control` per route; unknown query
parameters are a 422 naming them.
"""
# Responses under this size are not worth compressing.
GZIP_MINIMUM_BYTES = 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        try:
            migrate.require_current(engine)
        except migrate.SchemaBehind:
            engine.dispose()
            raise
        app.state.engine = engine
        app.state.writer = Writer(engine)
        # The search index is derived from the database and kept current from its change log by one
        # process (whichever holds the index's lock); every process reads it.
        directory = IndexDirectory(index_path(settings))
        app.state.index = ArticleIndex(directory, wait_seconds=settings.index_wait)
        follower = Follower(engine, directory)
        app.state.writer.after_commit.append(follower.nudge)
        follower.start()
        app.state.read_sessions = read_session_factory(engine)
        app.state.fetcher = Fetcher.from_settings(settings)
        # Documents are parsed in worker processes with a time limit: a pathological page costs its own
        # request, never a server thread stuck in C code.
        workers, limit = settings.parse_workers, settings.parse_time_limit
        app.state.parsers = await run_in_threadpool(ParserPool, workers, limit) if workers else None
        yield
        if app.state.parsers is not None:
            app.state.parsers.close()
        if app.state.fetcher is not None:
            app.state.fetcher.close()
        await run_in_threadpool(follower.stop)
        engine.dispose()

    app = FastAPI(
        title="Broadsheet",
        version=package.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_control_characters), Depends(reject_unknown_query)],
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    problems.install(app)
    for router in (articles.router, exports.router, ingest.router, tags.router, changes.router, health.router):
        app.include_router(router)
    docs.install(app)
    openapi.install(
        app,
        servers=[{"url": settings.public_url or "/", "description": "This server."}],
        max_query_chars=settings.max_query_chars,
        max_query_terms=settings.max_query_terms,
    )
    # Middleware, innermost first: body limit, trailing slashes, HTTP conventions (ids, OPTIONS, ETag, one 500),
    # gzip, HEAD, CORS.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    app.add_middleware(IgnoreTrailingSlash)
    app.add_middleware(HttpConventions, routes=app.router.routes, render_problem=problems.render_status)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(TagEncodedRepresentations)
    app.add_middleware(AnswerHead)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "X-API-Key", "Authorization", "If-None-Match", REQUEST_ID_HEADER],
            expose_headers=["ETag", "Location", REQUEST_ID_HEADER],
            max_age=600,
        )
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory app.main:app_from_env` (what `broadsheet serve` runs)."""
    settings = get_settings()
    logs.configure(settings.log_level, as_json=settings.log_json)
    return create_app(settings)
