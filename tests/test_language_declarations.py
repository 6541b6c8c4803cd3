"""A language declared reliably is taken without identifying the text; one declaration alone is still checked."""

import json

import pytest

from app.domain import Hints
from app.reader import normalize
from app.reader.languages import agreed_html_language
from app.reader.pipeline import parse
from tests.factories import article_json

GERMAN = (
    "Die Regierung hat am Dienstag den Haushalt für das kommende Jahr beschlossen. Die Ausgaben für Schulen "
    "und Krankenhäuser steigen deutlich, während der Bau einer neuen Straße verschoben wird. Der Bürgermeister "
    "nannte die Entscheidung verantwortungsvoll, doch die Opposition kritisiert, dass die Bürger die höheren "
    "Gebühren schon im Frühling spüren werden."
)


def no_identification(_text: str) -> tuple[str | None, float]:
    raise AssertionError("the language was identified although it was declared reliably")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="en-US"><head><meta property="og:locale" content="en_US"></head>', "en"),
        ('<html class="a" lang=pt-BR><head><meta http-equiv="Content-Language" content="pt-br"></head>', "pt"),
        ('<html lang="en-US"><head><meta content="de_DE" property="og:locale"></head>', None),  # disagree
        ('<html lang="en"><head><meta property="og:locale:alternate" content="en_GB"></head>', None),
        ('<html lang="en"><head><title>only one</title></head>', None),
        ('<html><head><meta property="og:locale" content="en_US"></head>', None),
    ],
)
def test_html_languages_agree_only_when_declared_twice(html: str, expected: str | None) -> None:
    assert agreed_html_language(html) == expected


def test_agreeing_html_declarations_skip_identification(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "_identify", no_identification)
    page = (
        '<html lang="de-DE"><head><title>Haushalt</title><meta property="og:locale" content="de_DE">'
        f"</head><body><article><p>{GERMAN}</p></article></body></html>"
    )
    parsed = parse(page.encode(), hints=Hints(content_type="text/html", url="https://zeitung.example/a"))
    assert parsed.article.language == "de"


def test_an_explicit_json_language_skips_identification(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "_identify", no_identification)
    data = json.dumps(article_json(1, body=GERMAN, language="de-AT")).encode()
    assert parse(data, hints=Hints(content_type="application/json")).article.language == "de"


def test_a_lone_html_lang_is_still_checked_against_the_text() -> None:
    page = f'<html lang="en-US"><head><title>Haushalt</title></head><body><p>{GERMAN} {GERMAN}</p></body></html>'
    parsed = parse(page.encode(), hints=Hints(content_type="text/html", url="https://zeitung.example/b"))
    assert parsed.article.language == "de"
