"""Picking article fields out of the metadata lines of a flattened dump."""

import html
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from app.domain import ArticleDraft
from app.reader.parsers.lines import WORD, Kind, Line, comma_items

_SEPARATORS = re.compile(r"\s+[|\-–—:·•]\s+")
_ORG_WORDS = frozenset(
    [
        "news",
        "times",
        "post",
        "press",
        "journal",
        "daily",
        "herald",
        "tribune",
        "media",
        "group",
        "inc",
        "llc",
        "ltd",
        "company",
        "corp",
        "corporation",
        "international",
        "network",
        "agency",
        "online",
        "magazine",
        "radio",
        "tv",
        "television",
        "broadcasting",
        "the",
        "associated",
        "reuters",
        "show",
        "review",
        "report",
        "publishing",
        "publications",
        "entertainment",
        "productions",
        "promotion",
        "studios",
        "blog",
        "app",
    ]
)
# Choices checked by site cross-validation (python -m bench dumps): each was kept because the held-out
# field accuracy rose with it.
# Longest sentence-case line still taken for a headline (news headlines run 6-14 words; few pass 20).
HEADLINE_MAX_WORDS = 25
# A person-shaped line repeated this often in the head is the author, when nothing better places one.
AUTHOR_MIN_REPEATS = 2
# With no other evidence, a person's name standing alone in the head and absent from the article.
LONE_NAME_AUTHOR = True
# "Impeachment,US Politics,State Legislature": a CMS keyword field joined without spaces, never a headline.
_TOKEN_LIST = re.compile(r"[^\W\d_],[^\W\d_][^,]*,[^\W\d_]")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "/content/site/en/news/ascom-announces-a-partnership": a path or slug spells the headline but is not one.
_PATH = re.compile(r"^/|^\S*/\S*$")
_CAPITALISED_RUN = re.compile(r"^(?:[A-Z][\w&.-]*\s?){1,5}$")
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][a-z'’-]+|[A-Z]\.|[A-Z]{2,}|Mc[A-Z][a-z]+|(?:de|van|von|da|del|di|la|le|bin)"
    r")$"
)


def fill(draft: ArticleDraft, meta: Sequence[Line], *, slug_words: set[str]) -> None:
    """Fill the draft's metadata fields from the lines before the body."""
    counts = Counter(line.key for line in meta)
    draft.published_at, draft.modified_at = _dates(meta)
    draft.image_url = next((ln.text for ln in meta if ln.kind is Kind.IMAGE), None)
    draft.language = next((ln.language for ln in meta if ln.language), None)
    draft.site_name = _site_name(meta, counts, draft.url)
    draft.summary = _summary(meta, counts)
    draft.keywords = _keywords(meta, counts)
    opening = _key((draft.body or "").split("\n", 1)[0])
    draft.title = _title(meta, counts, slug_words, draft.site_name, opening)
    taken = {_key(v) for v in (draft.title, draft.site_name, draft.summary) if v}
    draft.publisher = _publisher(meta, counts, taken) or draft.site_name
    taken.add(_key(draft.publisher))
    # An e-mail address ("anna.menin@paper.example" in a bio) names its writer; the article does not.
    mentioned = _key(_EMAIL_IN_TEXT.sub(" ", " ".join(filter(None, (draft.title, draft.summary, draft.body)))))
    draft.authors = _authors(meta, taken, counts, mentioned)
    taken.update(_key(a) for a in draft.authors)
    draft.section = _section(meta, _folder_words(draft.url), taken)
    taken.add(_key(draft.section))  # the section ("Opinion" on /opinion/) files the article; it is no topic
    reference = " ".join(filter(None, (draft.title, draft.summary, draft.body, " ".join(draft.keywords))))
    draft.tags = _topics(_tags(meta, taken, reference) or list(draft.keywords), reference)


def _key(text: str | None) -> str:
    return " ".join(WORD.findall((text or "").casefold()))


def _folder_words(url: str | None) -> set[str]:
    """Words of the URL's folders (/news/us/), not of its final slug."""
    path = urlsplit(url or "").path.casefold()
    return {" ".join(WORD.findall(seg)) for seg in path.split("/")[:-1] if seg}


def _dates(meta: Sequence[Line]) -> tuple[datetime | None, datetime | None]:
    """Published is the earliest machine date, modified the latest. Field order plays no part.

    A page states its own dates several times (meta tags, JSON-LD, the printed dateline), so when some day
    is repeated, a day given only once (a related story, an embedded video, a founding date) is left out;
    when none is, dates a year older than the newest (an archive's founding date) are.
    """
    values = [ln for ln in meta if ln.kind is Kind.DATE and ln.date is not None]
    days = Counter(ln.date.date() for ln in values if ln.date is not None)
    repeated = bool(days) and max(days.values()) >= 2
    if repeated:
        values = [ln for ln in values if ln.date is not None and days[ln.date.date()] >= 2]
    timed = [ln for ln in values if ln.has_time]
    # "2019-11-18 20:58:46" beside "2019-11-19T04:58:46Z" is the same instant in the site's own zone.
    chosen = [ln for ln in timed if ln.zoned] or timed or values
    dated = [ln.date for ln in chosen if ln.date is not None]
    if not dated:
        return None, None
    newest = max(dated)
    published = min(d for d in dated if repeated or newest - d <= timedelta(days=365))
    return published, (newest if newest > published else None)


def _site_name(meta: Sequence[Line], counts: Counter[str], url: str | None) -> str | None:
    host = re.sub(r"^www\d*\.", "", (url or "").split("//", 1)[-1].split("/", 1)[0].casefold())
    core = host.split(".")[0] if host else ""
    sections = _folder_words(url)  # "Opinion" on /opinion/... names the section, not the site
    best: tuple[float, str] | None = None
    for line in meta:
        if line.kind is not Kind.SHORT or not 1 <= line.words <= 5 or len(line.text) > 60:
            continue
        if not line.text[0].isupper() and not _looks_like_domain(line.text):
            continue
        affinity = _domain_affinity(line.text, core)
        if not _could_be_site(line.text, affinity) or (line.key in sections and affinity < 1):
            continue
        score = counts[line.key] + 4 * affinity
        if best is None or score > best[0]:
            best = (score, line.text)
    return best[1] if best and best[0] >= 2 else None


def _could_be_site(text: str, affinity: float) -> bool:
    """ "Headline | Site" and "Troy L. Smith, Cleveland.com" spell the domain too, and an author's name repeats
    as often as the site's: none of them is the site's name unless the name itself is the domain."""
    if _SEPARATORS.search(text) or _credited_person(text) or text.endswith(("|", "-", "–", "—", ":", "·", "•")):
        return False
    return affinity >= 1 or not looks_like_person(text)


def _looks_like_domain(text: str) -> bool:
    return bool(re.match(r"^[a-z0-9-]+\.[a-z]{2,}$", text))


def _domain_affinity(name: str, core: str) -> float:
    """1 when the name spells the domain ('VentureBeat' ~ venturebeat.com) or its initials do."""
    if not core:
        return 0.0
    squashed = re.sub(r"[^a-z0-9]", "", name.casefold().removeprefix("the "))
    if squashed and (squashed in core or core in squashed):
        return 1.0
    initials = "".join(w[0] for w in WORD.findall(name.casefold().removeprefix("the ")))
    return 0.5 if len(initials) >= 2 and core.startswith(initials) else 0.0


def _summary(meta: Sequence[Line], counts: Counter[str]) -> str | None:
    prose = [ln for ln in meta if ln.kind is Kind.PROSE]
    if not prose:
        return None
    return max(prose, key=lambda ln: (counts[ln.key], -ln.index)).text


def _keywords(meta: Sequence[Line], counts: Counter[str]) -> list[str]:
    lists = [ln for ln in meta if ln.kind is Kind.LIST]
    if not lists:
        return []
    chosen = max(lists, key=lambda ln: (counts[ln.key], -ln.index))
    return _dedupe(comma_items(chosen.text) or [])


def _dedupe(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        folded = item.strip().casefold()
        if folded and folded not in seen:
            seen.add(folded)
            out.append(item.strip())
    return out


def _title(meta: Sequence[Line], counts: Counter[str], slug: set[str], site: str | None, opening: str) -> str | None:
    site_key = _key(site)
    candidates = [
        ln
        for ln in meta
        if (ln.kind is Kind.SHORT or (ln.kind is Kind.PROSE and _headline_shaped(ln) and ln.key != opening))
        and not _TOKEN_LIST.search(ln.text)
        and not _PATH.match(ln.text)
        and 2 <= ln.words <= 40
        and len(ln.text) <= 300
        and ln.key != site_key
    ]
    if not candidates:
        return None

    def score(line: Line) -> float:
        # Slugs are made from headlines, so covering the slug is the strongest sign of the headline.
        words = set(WORD.findall(line.text.casefold()))
        coverage = len(words & slug) / len(slug) if slug else 0.0
        capitalised = sum(w[0].isupper() for w in line.text.split()) / max(1, len(line.text.split()))
        person = 3.0 if looks_like_person(line.text) or _credited_person(line.text) else 0.0
        return min(counts[line.key], 4) + 8 * coverage + capitalised + min(line.words, 12) / 3 - person

    best = max(candidates, key=lambda ln: (score(ln), -ln.index)).text
    # Values copied out of meta tags keep their character references ("review &#8211; shoots").
    return _strip_site(html.unescape(best), site, {ln.key for ln in meta if ln.key != _key(best)})


def _headline_shaped(line: Line) -> bool:
    """Sentence-case headlines read as prose ("Economy in stress; time to be careful?"), but a headline
    does not end with a full stop and is short, where a description or standfirst does and is longer."""
    return line.words <= HEADLINE_MAX_WORDS and not line.text.rstrip("\"'”’»)").endswith((".", "…", ":", ";"))


def _strip_site(title: str, site: str | None, other_values: set[str]) -> str:
    """Drop a ' | Site' suffix or 'Section | ' prefix when that part is the site or another value of the dump
    ("Headline - Remember 80/90 - Memorabilia anni 80/90" when "Remember 80/90 - Memorabilia anni 80/90" is)."""
    known = other_values | {_key(site)}
    for separator in _SEPARATORS.finditer(title):
        # The longest known suffix goes: "Game review - shoots for the moon - VG247" keeps its own dash.
        if _key(title[separator.end() :]) in known and title[: separator.start()].strip():
            return title[: separator.start()]
    parts = _SEPARATORS.split(title)
    if len(parts) >= 2 and _key(parts[0]) in known:
        return title[len(parts[0]) :].lstrip(" |-–—:·•")
    return title


def _publisher(meta: Sequence[Line], counts: Counter[str], taken: set[str]) -> str | None:
    """An organisation repeated beside the contact lines (e-mail, phone) of the page's publisher block."""
    contact = {ln.index for ln in meta if ln.kind in (Kind.EMAIL, Kind.PHONE)}
    candidates = [
        ln
        for ln in meta
        if ln.kind is Kind.SHORT
        and ln.key not in taken
        and counts[ln.key] >= 2
        and 1 <= ln.words <= 6
        and any(abs(ln.index - c) <= 2 for c in contact)
        # An author's credit ("Troy L. Smith, Cleveland.com") sits beside their e-mail too.
        and not (looks_like_person(ln.text) or _credited_person(ln.text))
    ]
    return max(candidates, key=lambda ln: counts[ln.key]).text if candidates else None


def _authors(meta: Sequence[Line], taken: set[str], counts: Counter[str], mentioned: str) -> list[str]:
    bylines = [ln for ln in meta if ln.kind is Kind.BYLINE]
    if bylines:
        return _dedupe([n for ln in bylines for n in split_names(ln.text[3:])])
    handles = {re.sub(r"[^a-z]", "", ln.text.casefold()) for ln in meta if ln.kind in (Kind.HANDLE, Kind.TECH)}
    dates = {ln.index for ln in meta if ln.kind is Kind.DATE}
    found: list[str] = _author_boxes(meta, taken)
    repeated_names: list[str] = []
    lone_names: list[str] = []
    for line in meta:
        if line.kind is not Kind.SHORT or line.key in taken:
            continue
        name = line.text if looks_like_person(line.text) else _credited_person(line.text)
        if not name:
            continue
        squashed = re.sub(r"[^a-z]", "", name.casefold())
        by_handle = any(h and (squashed in h or h in squashed) for h in handles if len(h) >= 6)
        # The article talks about its topics ("the Minnesota Wild beat..."), seldom about its writer.
        topic = f" {line.key} " in f" {mentioned} "
        if by_handle or name != line.text or (not topic and (line.index - 1 in dates or line.index + 1 in dates)):
            found.append(name)
        elif topic:
            continue
        elif counts[line.key] >= AUTHOR_MIN_REPEATS:
            # Author meta tags and JSON-LD author blocks repeat the name (author, article:author, the schema's
            # author.name) - but sections and topics repeat too, so this is weaker evidence.
            repeated_names.append(name)
        else:
            lone_names.append(name)
    # Weaker evidence gives one name, and only when nothing placed a person by a date, a handle or an outlet.
    return _dedupe_people(found or repeated_names[:1] or (lone_names[:1] if LONE_NAME_AUTHOR else []))


def _author_boxes(meta: Sequence[Line], taken: set[str]) -> list[str]:
    """Names introduced by the bio that follows them ("Regan" / "Regan is a Connecticut native...")."""
    following = {ln.index - 1: ln for ln in meta}
    names = []
    for line in meta:
        bio = following.get(line.index)
        if line.kind is not Kind.SHORT or line.key in taken or bio is None or bio.kind is not Kind.PROSE:
            continue
        tokens = line.text.split()
        if not 1 <= len(tokens) <= 4 or any(t.casefold() in _ORG_WORDS for t in tokens):
            continue  # "Daily Ledger is the county's paper" introduces a publisher
        if all(_NAME_TOKEN.match(t) for t in tokens) and bio.text.startswith(f"{line.text} "):
            names.append(line.text)
    return names


def _dedupe_people(names: Sequence[str]) -> list[str]:
    """One entry per person: "Troy Smith" from a byline is the "Troy L. Smith" of the credit line."""
    unique = _dedupe(names)
    return [n for n in unique if not any(o != n and _without_initials(o) == _key(n) for o in unique)]


def _without_initials(name: str) -> str:
    return " ".join(w for w in _key(name).split() if len(w) > 1)


# "Troy L. Smith, Cleveland.com", "Amy Kuperinsky | NJ Advance Media", "Finian Cunningham. Sputnik International":
# a person's name, then the outlet they write for.
_CREDIT = re.compile(r"^(?P<name>[^,|.]+?(?:\s[A-Z]\.\s[^,|.]+)?)\s*(?:,|\||\.|\s[-–—])\s+(?P<outlet>.+)$")


def _credited_person(text: str) -> str | None:
    match = _CREDIT.match(text)
    if not match or not looks_like_person(match.group("name")):
        return None
    outlet = match.group("outlet")
    is_outlet = (
        bool(re.search(r"\.[a-z]{2,}\b", outlet))
        or any(w.casefold() in _ORG_WORDS for w in WORD.findall(outlet))
        or bool(_CAPITALISED_RUN.match(outlet))
    )
    return match.group("name").strip() if is_outlet else None


def split_names(text: str) -> list[str]:
    """'TOM KRISHER, AP Auto Writer' → ['Tom Krisher']; 'A and B' → ['A', 'B']."""
    names = []
    for part in re.split(r"\s+(?:and|&)\s+|\s*;\s*", text):
        name = part.split(",")[0].strip()
        if name.isupper():
            name = name.title()
        if name and looks_like_person(name):
            names.append(name)
    return names


def looks_like_person(text: str) -> bool:
    """Two to four name-shaped words, none of them an organisation word."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 4 or any(ch.isdigit() for ch in text):
        return False
    if any(t.casefold().strip(".,") in _ORG_WORDS for t in tokens):
        return False
    return all(_NAME_TOKEN.match(t) for t in tokens) and sum(t[0].isupper() for t in tokens) >= 2


def _tags(meta: Sequence[Line], taken: set[str], reference: str) -> list[str]:
    """The best run of consecutive tag-like lines, judged by how many of its items the article mentions."""
    words = set(WORD.findall(reference.casefold()))
    runs: list[list[Line]] = [[]]
    for line in meta:
        tag_like = line.kind is Kind.SHORT and 1 <= line.words <= 8 and len(line.text) <= 80
        if tag_like and line.key not in taken:
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    best: tuple[float, list[Line]] | None = None
    for run in runs:
        unique = {ln.key: ln for ln in run}
        if len(unique) < 2:
            continue
        mentioned = sum(1 for key in unique if key and set(key.split()) <= words)
        share = mentioned / len(unique)
        if mentioned >= 2 and share >= 0.3 and (best is None or share > best[0]):
            best = (share, run)
    return _dedupe([ln.text for ln in best[1]]) if best else []


# Tokens a CMS files articles under for its own use ("channel_other", "@lll", "gizmodo.com"), not topics.
_INTERNAL_TAG = re.compile(r"^[@_]|_|^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$")
# "serversidehawk", "videoarticle": words glued together, which no article text contains.
_GLUED = re.compile(r"^[a-z]{10,}$")


def _topics(tags: Sequence[str], reference: str) -> list[str]:
    """The tags a reader would search by: taxonomy paths ("/News/Markets/Earnings") give their last step,
    and a CMS's internal tokens are left out."""
    words = set(WORD.findall(reference.casefold()))
    topics = []
    for tag in tags:
        topic = tag.rstrip("/").rsplit("/", 1)[-1].strip() if tag.startswith("/") else tag
        if topic and not _INTERNAL_TAG.search(topic) and not (_GLUED.match(topic) and topic not in words):
            topics.append(topic)
    return _dedupe(topics)


def _section(meta: Sequence[Line], url_words: set[str], taken: set[str]) -> str | None:
    """A one- to three-word value that is also a folder of the URL (/opinion/, /business/)."""
    for line in meta:
        if line.kind is Kind.SHORT and 1 <= line.words <= 3 and line.key not in taken and line.key in url_words:
            return line.text
    return None
