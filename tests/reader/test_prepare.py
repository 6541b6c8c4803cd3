"""What storing derives from an article (normalize.prepare): word counts as the regex counts, URL keys as before."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.models import _UNSTORABLE, ArticleCreate, storable_text
from app.reader import normalize
from app.reader.urls import canonical_url, url_key
from tests.factories import article_json

WORD = re.compile(r"[^\W_]+")  # the definition of a word the stored word_count follows


@given(st.text())
@example("“Quoted” — l’été à Zürich; naïve_café 3.14 1,000")
@example("東京の港で 水先人が ストライキ。١٢٣ ½ ² e\u0301clair 🚢🚢")
@example("snake_case __dunder__ _lead trail_ a_b-c\u00a0d\x00e\x7f")
@example("")
def test_word_count_is_the_regex_count(text: str) -> None:
    assert normalize.word_count(text) == len(WORD.findall(text))


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
@example("a1 b_c -d 3.14\n\nx")
@example("_")
def test_word_count_of_ascii_text_is_the_regex_count(text: str) -> None:
    assert normalize.word_count(text) == len(WORD.findall(text))


@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=())))
@example("Tab\tnew\nline\r ok \x00nul \x1f \x7f \ud800lone \udfff é 東")
@example("\x0b\x0c\x0e")
def test_storable_text_removes_exactly_what_the_regex_removes(text: str) -> None:
    assert storable_text(text) == _UNSTORABLE.sub("", text)


def test_keys_come_from_the_url_canonicalised_again_as_before() -> None:
    """Canonicalising is not idempotent for every input, so url_key keeps re-canonicalising (cached, not skipped)."""
    assert canonical_url("http://0/ ?") == "http://0/ " and canonical_url("http://0/ ") == "http://0/"
    assert url_key(canonical_url("http://0/ ?")) == "0/"
    with pytest.raises(InvalidInput):  # "." canonicalises to an empty host, which the second pass refuses
        normalize.prepare(ArticleCreate.model_validate(article_json(url="http://./story")))


def test_prepare_derives_key_source_and_count_from_one_canonical_url() -> None:
    article = ArticleCreate.model_validate(
        article_json(url="http://www.News.example.com/a/?utm_source=x#top", body="Two words.\n\nAnd “three” more")
    )
    prepared = normalize.prepare(article)
    assert prepared.article.url == "http://www.news.example.com/a/"
    assert (prepared.url_key, prepared.source, prepared.word_count) == ("news.example.com/a", "news.example.com", 5)
    assert prepared.original_url == article.url
