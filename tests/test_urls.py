"""URL keys and canonical forms, directly (they decide which stored article a URL names)."""

import pytest

from app.errors import InvalidInput
from app.reader.urls import canonical_url, url_key


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://WWW.Example.COM:80/a?utm_source=x&b=1#frag", "http://www.example.com/a?b=1"),
        ("https://example.com", "https://example.com/"),
        ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("https://[::1]/story", "https://[::1]/story"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_variants_of_one_address_share_a_key() -> None:
    keys = {url_key(u) for u in ("https://www.example.com/a/", "http://example.com/a", "https://example.com/a#x")}
    assert keys == {"example.com/a"}
    assert url_key("http://[2001:db8::1]/a") == "[2001:db8::1]/a"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/a", "https://user:pw@example.com/", "/relative"]
)
def test_only_absolute_http_urls_without_credentials(url: str) -> None:
    with pytest.raises(InvalidInput):
        canonical_url(url)
