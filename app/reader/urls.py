"""URL canonicalisation: one key for every variant of an article's address."""

import functools
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from app.errors import InvalidInput

_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ocid|cmpid|"
    r"ref_src|ref_url|smid|smtyp|cid|icid|soc_src|soc_trk|__twitter_impression|sr_share|outputType)$",
    re.IGNORECASE,
)


# Pure, and storing one article canonicalises the same string up to three times (its canonical URL, then
# url_key and source_of canonicalise that again; canonicalising is not always idempotent, e.g. for a path
# ending in a space, so they must): a small cache makes the repeats free.
@functools.lru_cache(maxsize=1024)
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"invalid URL: {url[:200]!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"URL must be absolute http(s): {url[:200]!r}")
    if parts.username or parts.password:
        raise InvalidInput("URL must not contain credentials")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets (RFC 3986 §3.2.2), or the URL means something else
        host = f"[{host}]"
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def url_key(url: str) -> str:
    """The identity of an article's address: canonical, without scheme, 'www.' or a trailing slash."""
    parts = urlsplit(canonical_url(url))
    host = re.sub(r"^www\d*\.", "", parts.netloc)
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def source_of(url: str) -> str:
    """The publishing host, without 'www.'."""
    return host_name(urlsplit(canonical_url(url)).hostname or "")


def host_name(host: str) -> str:
    """A host as articles' `source` holds it: lower case, without 'www.', 'www2.' and the like."""
    return re.sub(r"^www\d*\.", "", host.strip().lower())


def site_of(url: str) -> str | None:
    """The host without 'www.', 'm.' or 'amp.' prefixes; None for anything that is not an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return re.sub(r"^(?:www\d*|m|amp|mobile)\.", "", parts.hostname.lower().rstrip("."))


def same_site(a: str, b: str) -> bool:
    """True when two URLs are on one site: the same host, or one a subdomain of the other."""
    host_a, host_b = site_of(a), site_of(b)
    if not host_a or not host_b:
        return False
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)


def preferred_url(page_url: str | None, *declared: str | None) -> str | None:
    """The article's address: the first URL the page declares (canonical, og:url, JSON-LD) on the same site as
    the address it came from, resolved against it; else that address. Syndicated copies that declare another
    site as canonical keep their own address, so they are not merged into the original's row.
    """
    candidates = [urljoin(page_url, d.strip()) if page_url else d.strip() for d in declared if d and d.strip()]
    candidates = [c for c in candidates if site_of(c)]
    if page_url and site_of(page_url):
        return next((c for c in candidates if same_site(c, page_url)), page_url)
    return candidates[0] if candidates else page_url
