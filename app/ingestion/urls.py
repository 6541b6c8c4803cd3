"""URL canonicalisation: one key for every variant of an article's address."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.errors import InvalidInput

_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ocid|cmpid|"
    r"ref_src|ref_url|smid|smtyp|cid|icid|soc_src|soc_trk|__twitter_impression|sr_share|outputType)$",
    re.IGNORECASE,
)


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
    return re.sub(r"^www\d*\.", "", urlsplit(canonical_url(url)).hostname or "")
