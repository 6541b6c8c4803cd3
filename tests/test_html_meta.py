"""Metadata read from markup: headline, people, dates with zones, language — on small synthetic pages."""

import json

from app.domain import Hints
from app.reader import pipeline

BODY = "<p>" + " ".join(["The committee met on Tuesday and agreed the plan after a long debate."] * 6) + "</p>"


def page(head: str, body: str = "", *, lang: str = "en") -> bytes:
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}{BODY}</body></html>'.encode()


def parse(head: str, body: str = "", *, lang: str = "en", url: str = "https://www.dailyplanet.example/news/a"):
    return pipeline.parse(page(head, body, lang=lang), hints=Hints(content_type="text/html", url=url))


def test_the_visible_headline_wins_over_titles_with_site_or_section_affixes() -> None:
    article = parse(
        '<title>Opinion | Plan approved - The Daily Planet</title><meta property="og:title" content="Opinion | Plan approved">',
        "<h1>Plan approved</h1>",
    ).article
    assert article.title == "Plan approved"


def test_a_section_label_in_an_h1_is_not_the_headline() -> None:
    article = parse('<meta property="og:title" content="Opinion | The plan is a mistake">', "<h1>Opinion</h1>").article
    assert article.title == "Opinion | The plan is a mistake"


def test_a_site_name_suffix_is_cut_when_no_headline_confirms_the_title() -> None:
    article = parse(
        '<meta property="og:site_name" content="Daily Planet"><title>Plan approved | Daily Planet</title>'
    ).article
    assert article.title == "Plan approved"
    assert parse("<title>Plan approved | dailyplanet.example</title>").article.title == "Plan approved"


def test_a_site_name_in_the_h1_is_not_the_headline() -> None:
    article = parse(
        '<meta property="og:site_name" content="Daily Planet"><meta property="og:title" content="Plan approved">',
        "<h1>Daily Planet</h1>",
    ).article
    assert article.title == "Plan approved"


def test_yoast_graph_author_references_and_escaped_headlines() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://dailyplanet.example/#website", "name": "Daily Planet"},
            {
                "@type": "WebPage",
                "@id": "https://dailyplanet.example/a#webpage",
                "name": "Plan &#8216;approved&#8217;",
                "datePublished": "2026-11-03T09:30:00+01:00",
                "author": {"@id": "https://dailyplanet.example/#/person/1"},
            },
            {"@type": ["Person"], "@id": "https://dailyplanet.example/#/person/1", "name": "Lois Lane"},
        ],
    }
    article = parse(f'<script type="application/ld+json">{json.dumps(graph)}</script>').article
    assert article.title == "Plan ‘approved’"
    assert article.authors == ["Lois Lane"]
    assert article.published_at is not None and article.published_at.isoformat() == "2026-11-03T09:30:00+01:00"


def test_author_credits_become_people() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "Plan",
        "author": [{"@type": "Person", "name": "By JANE DOE, Staff Writer"}],
    }
    assert parse(f'<script type="application/ld+json">{json.dumps(ld)}</script>').article.authors == ["Jane Doe"]
    agency = {"@type": "NewsArticle", "headline": "Plan", "author": {"@type": "Person", "name": "Reuters"}}
    assert parse(f'<script type="application/ld+json">{json.dumps(agency)}</script>').article.authors == []


def test_profile_urls_are_skipped_for_the_next_author_source() -> None:
    head = '<meta property="article:author" content="https://facebook.com/jane"><meta name="author" content="Jane Doe">'
    assert parse(head).article.authors == ["Jane Doe"]


def test_byline_markup_outside_comments() -> None:
    body = (
        '<div class="comments"><span class="comment-author">Troll Account</span></div>'
        '<div class="byline">By Ann Author and Bob Stone Tuesday, November 3, 2026</div>'
    )
    assert parse("<title>Plan</title>", body).article.authors == ["Ann Author", "Bob Stone"]


def test_a_date_only_value_gets_its_time_from_a_dateline_on_the_same_day() -> None:
    head = '<meta property="article:published_time" content="2026-11-03">'
    body = '<div class="byline-date">Published 11:11 PM EST Nov 3, 2026</div>'
    published = parse(head, body).article.published_at
    assert published is not None and published.isoformat() == "2026-11-03T23:11:00-05:00"


def test_a_time_element_with_a_zone_is_an_instant() -> None:
    body = '<time datetime="2026-11-03 17:19:53 GMT">Nov 3</time>'
    published = parse('<meta name="date" content="2026-11-03">', body).article.published_at
    assert published is not None and published.isoformat() == "2026-11-03T17:19:53+00:00"


def test_a_wrong_html_lang_is_overruled_by_a_long_text() -> None:
    german = "<p>" + (
        "Die Regierung hat am Dienstag den Haushalt für das kommende Jahr beschlossen. Die Ausgaben für Schulen "
        "und Krankenhäuser steigen deutlich, während der Bau einer neuen Straße verschoben wird. Der Bürgermeister "
        "nannte die Entscheidung verantwortungsvoll, doch die Opposition kritisiert, dass die Bürger die höheren "
        "Gebühren schon im Frühling spüren werden. Viele Anwohner äußerten in der Sitzung ihre Sorgen über die "
        "steigenden Kosten und fragten, warum die Stadt nicht früher gespart habe."
    )
    parsed = pipeline.parse(
        f'<html lang="en-US"><head><title>Haushalt</title></head><body>{german}</p></body></html>'.encode(),
        hints=Hints(content_type="text/html", url="https://zeitung.example/a"),
    )
    assert parsed.article.language == "de"
    assert any("declares language" in w for w in parsed.warnings)
    assert parse("<title>Plan</title>").article.language == "en"
