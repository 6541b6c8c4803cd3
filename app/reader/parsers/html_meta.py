"""What an HTML page says about itself: headline, dates, bylines, language — from markup, not from layout.

Sources in order of trust: JSON-LD, then OpenGraph/article:*, Dublin Core and the other meta conventions
news CMSs emit, then visible markup (<h1>, <time>, rel=author and byline classes).
"""

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import htmldate

from app.domain import ArticleDraft
from app.reader.authors import clean_authors
from app.reader.dates import parse_dateline, parse_loose_date
from app.reader.parsers import jsonld

Meta = dict[str, list[str]]

# Meta names that carry the publication time, most specific first.
PUBLISHED_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "article.published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_at",
    "published",
    "pub_date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "dc.date",
    "date",
)
AUTHOR_NAMES = (
    "article:author",
    "og:article:author",
    "author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)
LANGUAGE_NAMES = ("content-language", "dc.language", "language", "og:locale")
_MIN_HEADLINE = 8  # what is left after cutting a site name must still be a headline
_TITLE_SEPARATORS = r"\s*(?:\||-|–|—|:|::|»|·|•)\s*"


def meta_tags(tree: Any) -> Meta:
    """Every <meta> by lower-cased name/property/itemprop/http-equiv, values in document order."""
    found: Meta = {}
    for node in tree.iter("meta"):
        name = node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv") or ""
        content = (node.get("content") or "").strip()
        if name.strip() and content:
            found.setdefault(name.strip().lower(), []).append(content)
    return found


def one(meta: Meta, *names: str) -> str | None:
    """The first value of the first name present."""
    return next((meta[n][0] for n in names if meta.get(n)), None)


def jsonld_article(tree: Any) -> ArticleDraft:
    """The page's schema.org Article (from any of its JSON-LD blocks), references resolved; a WebPage
    with an author or date only when no block has an Article."""
    blocks = [
        jsonld.loads_lenient(node.text)
        for node in tree.iter("script")
        if (node.get("type") or "").strip().lower() == "application/ld+json" and node.text
    ]
    for strict in (True, False):
        for data in blocks:
            article = jsonld.find_article(data, allow_webpage=not strict)
            if article is not None:
                return jsonld.to_draft(article, jsonld.index_ids(data))
    return ArticleDraft()


def headline(tree: Any, candidates: list[str | None], site_names: list[str]) -> str | None:
    """The article's headline.

    The visible <h1> wins when a metadata title is that same headline with the site name or a section label
    around it ("Opinion | …", "… - The New York Times"); otherwise metadata order, without the site suffix.
    """
    titles = [" ".join(c.split()) for c in candidates if c and c.strip()]
    sites = {_key(s) for s in site_names if _key(s)}
    for h1 in _h1s(tree):
        if _names_site(h1, sites):
            continue  # themes put the site's name in an <h1> on every page
        for title in titles:
            if _is_affixed(title, h1):
                return h1
    for title in titles:
        stripped = strip_site_name(title, site_names)
        if stripped:
            return stripped
    # A page with no title metadata at all still has its headline on show.
    return next((h1 for h1 in _h1s(tree) if not _names_site(h1, sites)), None)


def strip_site_name(title: str, site_names: list[str]) -> str:
    """'Headline | Site' or 'Site: Headline' to 'Headline', when the part cut off names the site."""
    keys = {_key(s) for s in site_names if _key(s)}
    parts = re.split(f"({_TITLE_SEPARATORS})", title)
    if len(parts) < 3 or not keys:
        return title
    suffix, rest = parts[-1], "".join(parts[:-2])
    if _names_site(suffix, keys) and len(rest.strip()) >= _MIN_HEADLINE:
        return rest.strip()
    prefix, rest = parts[0], "".join(parts[2:])
    if _names_site(prefix, keys) and len(rest.strip()) >= _MIN_HEADLINE:
        return rest.strip()
    return title


def _names_site(text: str, keys: set[str]) -> bool:
    """'Sportsnet.ca' names the site 'Sportsnet', 'TheHill' names 'thehill': equal up to a domain ending."""
    domain = re.fullmatch(r"(?:www\.)?([\w-]+)(?:\.[\w-]+)*\.[a-z]{2,}", text.strip().lower())
    key = _key(domain.group(1) if domain else text)
    if not key:
        return False
    return any(
        key == k
        or (key.startswith(k) and len(key) - len(k) <= 4)
        or (len(key) >= 4 and k.startswith(key) and len(k) - len(key) <= 4)
        for k in keys
    )


def site_names(meta: Meta, ld: ArticleDraft, url: str | None) -> list[str]:
    """What the site calls itself: og:site_name, application-name, the JSON-LD publisher, its host name."""
    names = [one(meta, "og:site_name"), one(meta, "application-name"), ld.publisher]
    host = urlsplit(url).hostname if url else None
    if host:
        parts = host.lower().removeprefix("www.").split(".")
        names.append(parts[0] if len(parts) > 1 else host)
    return [n for n in names if n]


def published(tree: Any, meta: Meta, ld: ArticleDraft, url: str | None) -> datetime | None:
    """JSON-LD datePublished, else the first parseable publication meta tag, else htmldate's reading."""
    if ld.published_at:
        return _timed(ld.published_at, tree)
    for name in PUBLISHED_NAMES:
        for value in meta.get(name, []):
            parsed = parse_loose_date(value)
            if parsed:
                return _timed(parsed, tree) if not _CLOCK_IN_VALUE.search(value) else parsed
    return visible_date(tree, url)


_CLOCK_IN_VALUE = re.compile(r"\d[:.]\d\d")


def _timed(value: datetime, tree: Any) -> datetime:
    """A date-only value (read as midnight UTC) made an instant by a dateline printed on the same day."""
    if (value.hour, value.minute, value.second) != (0, 0, 0) or value.utcoffset():
        return value
    return next((d for d in datelines(tree) if d.date() == value.date()), value)


def visible_date(tree: Any, url: str | None) -> datetime | None:
    """The date htmldate finds in <time> elements, bylines and the URL, when the metadata has none.

    htmldate gives a day; a dateline on the same day with a time and a zone ("11:11 PM EST Nov 19, 2019")
    makes it an instant.
    """
    try:
        found = htmldate.find_date(tree, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError):
        return None
    day = parse_loose_date(found)
    if day is None:
        return None
    return _timed(day, tree)


_ZONED = re.compile(r"\d[:.]\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d:?\d\d|GMT|UTC)\b", re.IGNORECASE)
_DATELINE_TEXT = re.compile(r"\b(?:19|20)\d\d\b")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*[A-Z]{2,5}\b", re.IGNORECASE)


def datelines(tree: Any) -> list[datetime]:
    """Instants printed in short date/time/byline elements, with a clock time and a zone abbreviation."""
    found: list[datetime] = []
    for stamp in tree.xpath("//time[@datetime]/@datetime"):
        parsed = parse_loose_date(stamp) if _ZONED.search(stamp) else None
        if parsed and parsed not in found:
            found.append(parsed)
    for node in tree.xpath(
        '//body//*[contains(@class, "date") or contains(@class, "time") or contains(@class, "byline")]'
    ):
        text = " ".join(node.text_content().split())
        if len(text) > 120 or not _DATELINE_TEXT.search(text) or not _CLOCK.search(text):
            continue
        parsed = parse_dateline(text)
        if parsed and parsed not in found:
            found.append(parsed)
        if len(found) >= 6:
            break
    return found


def author_credits(tree: Any, meta: Meta, ld: ArticleDraft, site_names: list[str]) -> list[str]:
    """The first of these that names anyone but the site: JSON-LD, author meta tags (not URLs), byline markup."""
    sites = {_key(s) for s in site_names if _key(s)}
    candidates = itertools.chain([ld.authors], (meta.get(name, []) for name in AUTHOR_NAMES), _later(byline, tree))
    for credits in candidates:
        names = [
            c
            for c in credits
            if c and not c.strip().startswith(("http://", "https://", "@")) and not _names_site(c, sites)
        ]
        if names:
            return names
    return []


def _later(read: Callable[[Any], list[str]], tree: Any) -> Iterator[list[str]]:
    yield read(tree)  # markup is searched only when no metadata names anyone


def byline(tree: Any) -> list[str]:
    """Credits in rel=author links and itemprop=author; else the first byline- or author-classed element
    (in document order, outside comment sections) that names a person."""
    precise = tree.xpath(
        '//a[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"] | //*[@itemprop="author"][not(*)]'
    )
    names = _texts(precise)
    if names:
        return names[:6]
    nodes = tree.xpath('//body//*[contains(@class, "author") or contains(@class, "byline")][not(self::img)]')
    for limit in (60, 120):  # tight elements first; a looser one may run on into its dateline
        for node in nodes:
            credits = _texts([node], limit=limit)
            if credits and clean_authors(credits, not_people=[]):
                return credits
    return []


def _texts(nodes: list[Any], limit: int = 60) -> list[str]:
    texts: list[str] = []
    for node in nodes:
        if any("comment" in (a.get("class") or "") + (a.get("id") or "") for a in node.iterancestors()):
            continue
        text = " ".join(node.text_content().split())
        if 2 < len(text) < limit and text not in texts:
            texts.append(text)
    return texts


def declared_language(tree: Any, meta: Meta, ld: ArticleDraft) -> str | None:
    """The language the page declares: JSON-LD inLanguage, <html lang>, then language meta tags."""
    return next((v for v in (ld.language, tree.get("lang"), one(meta, *LANGUAGE_NAMES)) if v and v.strip()), None)


def canonical(tree: Any) -> str | None:
    for node in tree.iter("link"):
        if "canonical" in (node.get("rel") or "").lower().split():
            return str(node.get("href")) if node.get("href") else None
    return None


def title_tag(tree: Any) -> str | None:
    """The <title> element's text."""
    nodes = tree.xpath("//title")
    text = " ".join(nodes[0].text_content().split()) if nodes else ""
    return text or None


def _h1s(tree: Any) -> list[str]:
    texts = (" ".join(h.text_content().split()) for h in tree.iter("h1"))
    return [t for t in texts if 3 <= len(t) <= 300][:3]


def _is_affixed(title: str, h1: str) -> bool:
    """True when `title` is `h1`, or `h1` plus a shorter part (site, section) across a separator."""
    a, b = _loose(title), _loose(h1)
    if not b:
        return False
    if a == b:
        return True
    if a.startswith(b):
        rest = a[len(b) :]
        separated = re.match(_TITLE_SEPARATORS, rest) is not None
    elif a.endswith(b):
        rest = a[: -len(b)]
        separated = re.search(_TITLE_SEPARATORS + "$", rest) is not None
    else:
        return False
    # An <h1> holding a section label ("Opinion") must not beat the headline it labels.
    return separated and len(rest.strip(" |-–—:»·•")) < len(b)


def _loose(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').split()).casefold()


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())
