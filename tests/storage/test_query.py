"""The search syntax: one parse, the same on every engine (the index renders it)."""

import pytest

from app.errors import InvalidQuery
from app.storage.search.query import Term, parse_query


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_query(text, max_chars=256, max_terms=32)


def test_words_phrases_or_and_exclusion() -> None:
    query = parse('coalition "peace agreement" nato OR otan -russia')
    assert query.groups == (
        (Term(("coalition",)),),
        (Term(("peace", "agreement")),),
        (Term(("nato",)), Term(("otan",))),
    )
    assert query.excluded == (Term(("russia",)),)


def test_prefixes_and_field_scopes() -> None:
    query = parse('ukrain* title:ceasefire author:"Jane  DOE" tag:NATO -tag:sport title:"peace deal"')
    assert query.groups == (
        (Term(("ukrain",), prefix=True),),
        (Term(("ceasefire",), "title"),),
        (Term(("jane doe",), "author"),),
        (Term(("nato",), "tag"),),
        (Term(("peace", "deal"), "title"),),
    )
    assert query.excluded == (Term(("sport",), "tag"),)


def test_a_prefix_needs_two_letters() -> None:
    with pytest.raises(InvalidQuery, match="at least 2 letters"):
        parse("u*")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("multi-agent", ("multi", "agent")),
        ("20.04", ("20", "04")),
        ("other:x", ("other", "x")),
        ('foo"bar', ("foo", "bar")),
        ("AND", ("and",)),
        ("OR", ("or",)),
    ],
)
def test_punctuation_splits_words_like_the_indexes_do(text: str, tokens: tuple[str, ...]) -> None:
    assert parse(text).groups == ((Term(tokens),),)


@pytest.mark.parametrize("text", ['"', "*", "-alone", "()", "", "- -"])
def test_queries_without_searchable_words_are_rejected(text: str) -> None:
    with pytest.raises(InvalidQuery):
        parse(text)


def test_limits_on_length_and_terms() -> None:
    with pytest.raises(InvalidQuery, match="longer than 256"):
        parse("a" * 257)
    with pytest.raises(InvalidQuery, match="more than 32 terms"):
        parse(" ".join(f"w{i}" for i in range(33)))
