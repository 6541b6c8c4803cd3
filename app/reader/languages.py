"""ISO 639-1 codes, to tell a locale line ("en_US", "pt-BR") from a short word ("on", "nj")."""

import re

ISO_639_1 = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)
_LOCALE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}|\d{3}|[A-Za-z]{4}))?$")


def locale_language(text: str) -> str | None:
    """'en_US' → 'en'; a bare two-letter line counts only if it is lower case and a real code."""
    match = _LOCALE.match(text.strip())
    if not match:
        return None
    primary = match.group(1)
    if match.group(2) is None and primary != primary.lower():
        return None
    code = primary.lower()
    return code if code in ISO_639_1 else None


# A page's <html lang> and the locale its head declares apart from it (Open Graph, Content-Language). Themes
# hard-code the first ("en-US" on pages in every language); the second is usually written from the site's
# own setting, so the two agreeing is a declaration worth trusting without identifying the text.
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})(?![A-Za-z])", re.IGNORECASE)
_LOCALE_META = re.compile(r"<meta\b[^>]*?[\"'](?:og:locale|content-language)[\"'][^>]*>", re.IGNORECASE)
_META_CONTENT = re.compile(r"\bcontent\s*=\s*[\"']\s*([A-Za-z]{2,3})(?![A-Za-z])", re.IGNORECASE)
_HEAD_LIMIT = 200_000


def agreed_html_language(html: str) -> str | None:
    """The primary language subtag when <html lang> and every og:locale / Content-Language meta tag of the head
    name the same one; None when the page lacks either or they disagree."""
    end = _HEAD_END.search(html, 0, _HEAD_LIMIT)
    head = html[: end.start() if end else _HEAD_LIMIT]
    html_lang = _HTML_LANG.search(head)
    if html_lang is None:
        return None
    metas = [_META_CONTENT.search(tag.group(0)) for tag in _LOCALE_META.finditer(head)]
    declared = {html_lang.group(1).lower()} | {m.group(1).lower() for m in metas if m}
    if len(declared) != 1 or not any(metas):
        return None
    code = declared.pop()
    return code if code in ISO_639_1 else None
