"""The listing filters as dependencies, so every operation over "the articles matching X" (listing, fields,
facets, histograms, tag counts, export, Atom feed) takes the same query parameters with the same bounds:
`FiltersDep` builds what the table serves, `SearchFiltersDep` adds authors, a section and a search query,
which the search index serves."""

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Query

from app.api.deps import SettingsDep
from app.models import QueryInstant
from app.reader.urls import host_name
from app.storage.filters import ArticleFilters
from app.storage.search.query import parse_query


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


def search_filters(
    settings: SettingsDep,
    base: FiltersDep,
    author: Annotated[
        list[str], Query(max_length=200, description="Repeatable; every author must match (whole name, any case).")
    ] = [],  # noqa: B006 - FastAPI copies defaults
    section: Annotated[str | None, Query(max_length=200, description="Whole section name, any case.")] = None,
    q: Annotated[
        str | None,
        Query(
            # maxLength and the term limit are the server's settings, written into the document by
            # app.api.openapi (BROADSHEET_MAX_QUERY_CHARS, BROADSHEET_MAX_QUERY_TERMS).
            description=(
                'Full-text search: words (all must match), "quoted phrases", OR between terms, -exclusion, '
                'prefix* (two letters or more), and field scopes title:word, author:"Jane Doe", tag:nato.'
            ),
            examples=["coalition willing"],
        ),
    ] = None,
) -> ArticleFilters:
    """The shared filters plus what only the search index serves: authors, a section and a search query."""
    query = parse_query(q, max_chars=settings.max_query_chars, max_terms=settings.max_query_terms) if q else None
    section = section if section and section.strip() else None
    return replace(base, authors=[a for a in author if a.strip()], section=section, query=query)


SearchFiltersDep = Annotated[ArticleFilters, Depends(search_filters)]
