"""The listing filters as one dependency, so every operation over "the articles matching X" takes the same
query parameters with the same bounds (export, Atom feed, tag counts)."""

from typing import Annotated

from fastapi import Depends, Query

from app.models import QueryInstant
from app.reader.urls import host_name
from app.storage.filters import ArticleFilters


def article_filters(
    tag: Annotated[
        list[str],
        Query(max_length=20, description="Repeatable; every tag must match (case-insensitive).", examples=["nato"]),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    any_tag: Annotated[list[str], Query(max_length=20, description="Repeatable; at least one must match.")] = [],  # noqa: B006
    exclude_tag: Annotated[list[str], Query(max_length=20, description="Repeatable; none may match.")] = [],  # noqa: B006
    source: Annotated[str | None, Query(max_length=255, description="Publishing host, e.g. sputnikglobe.com.")] = None,
    language: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO 639-1 code.")] = None,
    published_after: Annotated[QueryInstant | None, Query(description="Inclusive; ISO 8601, UTC if no offset.")] = None,
    published_before: Annotated[
        QueryInstant | None, Query(description="Exclusive; ISO 8601, UTC if no offset.")
    ] = None,
) -> ArticleFilters:
    """The filters of GET /articles, normalised as it normalises them (host without www., lower-case code)."""
    return ArticleFilters(
        tags=tag,
        any_tags=any_tag,
        exclude_tags=exclude_tag,
        source=host_name(source) if source else None,
        language=language.lower() if language else None,
        published_after=published_after,
        published_before=published_before,
    )


FiltersDep = Annotated[ArticleFilters, Depends(article_filters)]
