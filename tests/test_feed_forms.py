"""Feed forms seen in the wild, one fixture each (tests/fixtures/feeds): prologs, author forms, content
without titles, ill-formed XML. The expectations are the ones `python -m bench feeds` scores."""

from pathlib import Path

import pytest

from app.domain import Hints
from app.errors import ParseError
from app.reader import detect, pipeline
from app.reader.authors import clean_authors, credited_name
from bench.feeds import FIXTURES, load_expectations, misses

EXPECTATIONS = load_expectations()


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_every_expectation_of_a_feed_form_is_met(name: str) -> None:
    _total, missed = misses(name, EXPECTATIONS[name])
    assert missed == []


@pytest.mark.parametrize(
    "head",
    [
        "<!-- a comment -->\n<rss version='2.0'>",
        "\ufeff  \n<?xml version='1.0'?>\n<?xml-stylesheet href='a.xsl'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>",
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x.example/a.dtd"><rss>',
        '<!DOCTYPE rss [<!ELEMENT rss ANY>]><!-- x --><rss version="2.0">',
        "<RDF:RDF xmlns:RDF='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>",
    ],
)
def test_feeds_are_known_by_their_root_element_after_the_prolog(head: str) -> None:
    assert detect.detect(head) is detect.Format.FEED


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<?xml version='1.0'?><!DOCTYPE html><html><p>x</p></html>", detect.Format.HTML),
        ("<!-- saved page --><html><body>x</body></html>", detect.Format.HTML),
        ("https://e.example/a\nA title about <rss> feeds\n", detect.Format.TEXT_DUMP),
        ("<!--" + " " * 10_000, detect.Format.TEXT_DUMP),
    ],
)
def test_other_documents_are_not_taken_for_feeds(head: str, expected: detect.Format) -> None:
    assert detect.detect(head) is expected


def test_an_empty_channel_is_no_articles_not_an_error() -> None:
    assert pipeline.parse_feed((FIXTURES / "rss091-netscape-empty.xml").read_bytes(), hints=Hints()) == []


def test_ill_formed_feeds_are_read_leniently_with_a_warning() -> None:
    items = pipeline.parse_feed((FIXTURES / "rss20-ill-formed.xml").read_bytes(), hints=Hints())
    assert len(items) == 2
    assert all(isinstance(i, pipeline.ParsedArticle) and any("read leniently" in w for w in i.warnings) for i in items)


def test_a_derived_title_is_the_opening_words_and_the_body_stays_whole() -> None:
    items = pipeline.parse_feed((FIXTURES / "atom-content-no-title.xml").read_bytes(), hints=Hints())
    long_one = items[2]
    assert isinstance(long_one, pipeline.ParsedArticle)
    assert long_one.article.title.endswith("…") and len(long_one.article.title) <= 80
    assert long_one.article.body is not None and long_one.article.body.endswith("headline this long.")
    assert any("no title" in w for w in long_one.warnings)


def test_a_remote_or_local_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED">')
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}"><rss version="2.0"><channel><title>t</title>'
        "<item><title>a &secret; b</title><link>https://e.example/x</link><description>d</description></item>"
        "</channel></rss>"
    )
    try:
        items = pipeline.parse_feed(feed.encode(), hints=Hints())
    except ParseError:
        return  # refusing is as safe as not loading
    assert "LEAKED" not in repr(items)


@pytest.mark.parametrize(
    ("credit", "name"),
    [
        ("jane@news.example (Jane Doe)", "Jane Doe"),
        ("Jane Doe <jane@news.example>", "Jane Doe"),
        ("Jane Doe (jane@news.example)", "Jane Doe"),
        ("jane@news.example", "jane@news.example"),
        ("Jane Doe", "Jane Doe"),
    ],
)
def test_credited_name_reads_every_rss_author_form(credit: str, name: str) -> None:
    assert credited_name(credit) == name


def test_handles_are_kept_only_from_author_elements() -> None:
    credits = ["mattw", "ops@site.example", "admin", "Reuters"]
    assert clean_authors(credits, not_people=["Site"], handles=True) == ["mattw", "ops@site.example"]
    assert clean_authors(credits, not_people=["Site"]) == []
