"""Bylines to people: "By TOM KRISHER, AP Auto Writer" is Tom Krisher; "Reuters", "admin" and the site are nobody.

Pages put many things in their author fields: a byline with the word "By", the writer's title or outlet
after a comma or bar, the publication itself, a wire agency, a CMS account. Only people are authors.
"""

import re
import unicodedata

# Wire services and syndicators: they are credited as authors on countless pages, but are not people.
AGENCIES = frozenset(
    s.casefold()
    for s in (
        "Reuters", "Thomson Reuters", "Associated Press", "The Associated Press", "AP", "AFP",
        "Agence France-Presse", "Agence France Presse", "dpa", "Deutsche Presse-Agentur", "PTI",
        "Press Trust of India", "IANS", "ANI", "Xinhua", "UPI", "United Press International", "Bloomberg",
        "EFE", "ANSA", "Kyodo", "Kyodo News", "Yonhap", "TASS", "Press Association", "PA Media",
        "The Canadian Press", "Canadian Press", "AAP", "Australian Associated Press", "CNN Wire", "NewsCore",
    )
)  # fmt: skip
_ACCOUNTS = frozenset(
    s.casefold()
    for s in ("admin", "administrator", "editor", "editors", "staff", "guest", "webmaster", "author", "user", "Гость")
)
# Words that make a credit an organisation or a role rather than a person.
_NOT_A_PERSON = re.compile(
    r"\b(?:news|staff|desk|bureau|team|editorial|editors?|media|press|wire|services?|agency|online|magazine|"
    r"weekly|daily|times|post|journal|network|group|inc|ltd|llc|writer|correspondent|reporter|contributor|"
    r"columnist|photographer|produced|sponsored|partner|redaktion|redacción|rédaction)\b|\.com\b|\.co\b|\bwww\.",
    re.IGNORECASE,
)
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|av|przez|written by|posted by|words by)\s*[:\-]?\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:\||,|;|\s[-–—]\s|/)\s*")
# "Finian Cunningham. Sputnik International": a full stop after a word (not an initial) ends the name.
_SENTENCE_END = re.compile(r"(?<=\w\w)\.\s")
# A byline often runs on into its dateline: "Mike Wuerthele and Malcolm Owen Monday, November 18, 2019".
_DATE_TAIL = re.compile(
    r"\s(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d"
    r"|\s(?:Published|Updated|Posted)\b|\s\d",
)
# "Text: Jane Doe", "Текст: …", "Autor: …": a one-word label before a colon.
_LABEL = re.compile(r"^\w+\s*:\s+")
_AND = re.compile(r"\s+(?:and|&|und|et|y|e)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# RSS 2.0 <author> is "e-mail (Name)"; people also write "Name <e-mail>" and "Name (e-mail)".
_CREDIT_FORMS = (
    re.compile(rf"^\s*(?P<email>{_EMAIL.pattern})\s*\((?P<name>[^()]+)\)\s*$"),
    re.compile(rf"^\s*(?P<name>[^<>()]+?)\s*[<(]\s*(?P<email>{_EMAIL.pattern})\s*[>)]\s*$"),
)
# A one-word account name as feeds credit it: "mattw", "kgrant", "jdoe42".
_HANDLE = re.compile(r"^@?[\w.-]{2,40}$")


def clean_authors(names: list[str], *, not_people: list[str], handles: bool = False) -> list[str]:
    """People named in author credits, in order, without titles, outlets, agencies or site names.

    `handles`: each name comes from an author element of its own (feeds), so a one-word account name or a
    bare e-mail address is the author as credited, not a CMS account that leaked into a byline.
    """
    excluded = {_key(n) for n in not_people if n}
    people: list[str] = []
    for raw in names:
        for name in _people_in(raw, handles=handles):
            key = _key(name)
            is_site = not _EMAIL.fullmatch(name) and (
                key in excluded or any(key in e or e in key for e in excluded if len(e) > 3)
            )
            # "Sobre Carlos Nadalim" (an "About …" box) repeats a person already found.
            seen = any(_key(p) in key or key in _key(p) for p in people)
            if key and not is_site and not seen:
                people.append(name)
    return people


def credited_name(credit: str) -> str:
    """The name in an "e-mail (Name)" or "Name <e-mail>" credit; the credit itself when it has no such form."""
    for form in _CREDIT_FORMS:
        if match := form.match(credit):
            return match.group("name").strip()
    return credit.strip()


def _people_in(credit: str, *, handles: bool = False) -> list[str]:
    text = _BY.sub("", " ".join(unicodedata.normalize("NFKC", credit).split()))
    if handles and (_EMAIL.fullmatch(text) or (_HANDLE.match(text) and text.casefold() not in _ACCOUNTS | AGENCIES)):
        return [text.removeprefix("@")]
    if not text or text.startswith(("http://", "https://", "@")):
        return []
    text = _LABEL.sub("", text)
    text = _SENTENCE_END.split(text, maxsplit=1)[0]
    text = _DATE_TAIL.split(text, maxsplit=1)[0]
    parts = [p for p in _SEPARATORS.split(text) if p]
    # "Troy L. Smith, Cleveland.com": what follows the first name is an affiliation, unless it is a full name
    # too ("Lisa Kaczke, Trevor J. Mitchell"); a single word after a comma is an outlet ("…, Futurism").
    names: list[str] = []
    for index, part in enumerate(parts):
        candidates = _AND.split(part)
        found = [c for c in (_person(c) for c in candidates) if c]
        if index > 0 and (len(found) != len(candidates) or any(len(c.split()) < 2 for c in found)):
            break
        names.extend(found)
    return names


def _person(text: str) -> str | None:
    text = text.strip(" .:-–—\"'")
    words = text.split()
    if not words or len(words) > 5 or len(text) > 60 or any(ch.isdigit() for ch in text):
        return None
    if text.casefold() in AGENCIES or text.casefold() in _ACCOUNTS or _NOT_A_PERSON.search(text):
        return None
    if len(words) == 1 and (not text[:1].isupper() or text.isupper()):
        return None  # handles and CMS accounts: "jdadmin", "KWCHCIK"
    if text.isupper() and len(words) > 1:
        text = " ".join(w.capitalize() if len(w) > 2 else w.title() for w in words)
    return text


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", name).casefold())
