"""Calls to action are dropped from bodies; article sentences that merely mention them are kept."""

import pytest

from app.reader.parsers.boilerplate import is_boilerplate, strip_boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "Pick Six Newsletter",
        "Get the latest updates right in your inbox. Subscribe to our newsletters.",
        "Thanks for signing up!",
        "Read more: Tencent profit falls as Alibaba threat weighs",
        "SEE MORE: Hong Kong protests: 800 students under siege",
        "DON'T MISS",
        "Advertisement",
        "Tell us what YOU think...",
        "- Related: Ten things to know about the budget",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "See more photos:",
        "The company continued to sign up subscribers at a rapid pace, Mayer said.",
        "The council voted to subscribe the city to a regional transit scheme after a debate that lasted well into "
        "the night, with members of both parties arguing that the cost was justified by the expected ridership.",
        "Read the full ruling below.",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert not is_boilerplate(line)


def test_strip_keeps_order_and_drops_only_boilerplate() -> None:
    body = "First paragraph.\nSign up for our newsletter\nSecond paragraph."
    assert strip_boilerplate(body) == "First paragraph.\nSecond paragraph."
