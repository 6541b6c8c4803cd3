"""Drafts to validated articles: trimming, canonical URLs, UTC dates, folded tags, language, hashes."""

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pydantic import ValidationError

from app.domain import ArticleDraft, as_utc, assume_utc, tag_key
from app.errors import InvalidInput, ParseError
from app.models import (
    MAX_BODY,
    MAX_NAME,
    MAX_TITLE,
    MAX_URL,
    ArticleCreate,
    Instant,
    PreparedArticle,
    ShortText,
    Url,
    is_web_url,
)
from app.reader.authors import clean_authors
from app.reader.languages import ISO_639_1
from app.reader.urls import canonical_url, source_of, url_key

_LANGUAGE_EVIDENCE_CHARS = 400  # of the 700 read
_LANGUAGE_OVERRIDE = 0.999
_SPACES = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"[^\W_]+")
# Every ASCII byte but a letter or digit as a space; UTF-8's non-ASCII bytes (all >= 0x80) kept.
_ASCII_SEPARATORS = bytes(b if chr(b).isalnum() or b >= 0x80 else 0x20 for b in range(256))
_ASCII_WORD_MARKS = bytes(0x61 if b < 0x80 and chr(b).isalnum() else 0x20 for b in range(256))  # "a" or " "
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÞĀ-Ž])")
_DERIVED_TITLE_CHARS = 80


class UnaddressedArticle(ArticleCreate):
    """An article read from a document that names no URL, for callers that only read (`broadsheet parse`).

    Storing needs the URL (it is the article's identity), so only `url_optional` readers ever see one.
    """

    url: None = None  # type: ignore[assignment]  # the one field that reading may lack and storing needs


def draft_to_article(draft: ArticleDraft, *, url_optional: bool = False) -> ArticleCreate:
    """Validate a parser's draft as an article; a draft without title (or URL, unless optional) is unparseable."""
    if not draft.url and not url_optional:
        raise ParseError("no URL found in the document; pass the url hint")
    given = _clean(draft.title)
    title = given or _title_from_body(draft.body)
    if not title:
        raise ParseError("the document has neither a title nor body text")
    if not given:
        draft.warnings.append("the document has no title; its first words stand in for one")
    fields: dict[str, Any] = {
        "url": draft.url,
        "title": title[:MAX_TITLE],
        "summary": _clean(draft.summary),
        "body": _fit_body(_clean_body(draft.body, title=given), draft.warnings),
        "authors": _clean_list(
            clean_authors(draft.authors, not_people=_site_names(draft), handles=draft.authors_credited)
        ),
        "language": _language(draft),
    }
    fields.update((name, clean(draft, name)) for name, clean in _BY_TYPE.items())
    model = ArticleCreate
    if not draft.url:
        draft.warnings.append("no URL found in the document; storing it needs one (pass the url hint)")
        model, fields["url"] = UnaddressedArticle, None
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ParseError(f"parsed article is invalid: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


def prepare(article: ArticleCreate, *, original_url: str | None = None) -> PreparedArticle:
    """Derive what storage needs: canonical URL, its key, the source host, word count and content hash.

    `original_url` is the address the document was submitted or fetched under, kept beside the canonical one.
    """
    original = original_url or article.url
    canonical = canonical_url(article.url)
    if len(canonical) > MAX_URL:  # percent-encoding the query can lengthen a URL that fitted as sent
        raise InvalidInput(f"the URL is over {MAX_URL} characters once canonicalised ({len(canonical)})")
    tags, tag_keys = _clean_tags(article.tags)
    article = article.model_copy(
        update={
            "url": canonical,
            "tags": tags,
            "published_at": _utc(article.published_at),
            "modified_at": _utc(article.modified_at),
        }
    )
    return PreparedArticle(
        article=article,
        original_url=original,
        url_key=url_key(canonical),
        source=source_of(canonical),
        word_count=word_count(article.body or ""),
        content_hash=content_hash(article),
        tag_keys=tag_keys,
    )


# The fields every stored hash covers. A field added later counts only when it has a value, so adding one
# leaves the hashes of stored articles valid (a re-ingest that does not fill it stays UNCHANGED).
_HASHED_ALWAYS = frozenset(
    {"title", "summary", "body", "authors", "tags", "keywords", "section", "language", "site_name", "publisher"}
    | {"image_url", "published_at", "modified_at"}
)


def word_count(text: str) -> int:
    """How many words the text holds: runs of letters and digits, as _WORD matches them.

    The regex over a whole body was the costliest step of storing a pre-parsed article (~80 µs for 500
    words). Here ASCII punctuation and spaces become spaces and the text is split in C; only the few tokens
    holding non-ASCII characters (curly quotes, accents, CJK) are counted by the regex. ASCII punctuation
    never joins two words under the regex, so the counts are the same.
    """
    if text.isascii():  # a word starts wherever a letter or digit follows a separator or opens the text
        marks = text.encode().translate(_ASCII_WORD_MARKS)
        return marks.count(b" a") + marks.startswith(b"a")
    tokens = text.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).split()
    count = len(tokens)
    for token in tokens:
        if not token.isascii():
            count += len(_WORD.findall(token.decode("utf-8", "surrogatepass"))) - 1
    return count


def content_hash(article: ArticleCreate) -> str:
    """SHA-256 over the content fields (all but `url`) in a fixed JSON form."""
    payload = {
        name: value
        for name, value in article.model_dump(mode="json", exclude={"url"}).items()
        if name in _HASHED_ALWAYS or value not in (None, [])
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _web_url(draft: ArticleDraft, name: str) -> str | None:
    """A URL field (image_url, ...) as an absolute http(s) URL, a relative one resolved against the page;
    anything else (javascript:, data:) is dropped with a warning."""
    declared: str | None = getattr(draft, name)
    if not declared:
        return None
    resolved = urljoin(draft.url or "", declared.strip())
    if is_web_url(resolved) and len(resolved) <= MAX_URL:
        return resolved
    label = name.removesuffix("_url").replace("_", " ")
    draft.warnings.append(f"the {label} URL {declared[:80]!r} is not an http(s) URL; dropped")
    return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = _SPACES.sub(" ", text).strip()
    return cleaned or None


def _clip(text: str | None) -> str | None:
    cleaned = _clean(text)
    return cleaned[:MAX_NAME] if cleaned else None


def _fit_body(body: str | None, warnings: list[str]) -> str | None:
    """A body over the stored limit is cut at the last paragraph that fits, and says so."""
    if body is None or len(body) <= MAX_BODY:
        return body
    cut = body.rfind("\n\n", 0, MAX_BODY)
    kept = body[: cut if cut > 0 else MAX_BODY]
    warnings.append(f"the body was cut to {len(kept):,} of {len(body):,} characters (the stored limit is {MAX_BODY:,})")
    return kept


def _clean_body(body: str | None, *, title: str | None) -> str | None:
    """One paragraph per line of input, blank lines between; a leading copy of the headline is dropped."""
    if not body:
        return None
    paragraphs = [p for p in (_clean(p) for p in re.split(r"\n\s*\n|\n", body)) if p]
    if paragraphs and title and tag_key(paragraphs[0]) == tag_key(title):
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs) or None


def _clean_list(items: list[str]) -> list[str]:
    return _clean_tags(items)[0]


def _clean_tags(items: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The items clipped, blanks and repeats (by tag_key) dropped, at most 100; and their keys."""
    keys: dict[str, str] = {}
    for item in items:
        cleaned = _clip(item) or ""
        key = tag_key(cleaned) if cleaned else ""
        if key and key not in keys:
            keys[key] = cleaned
            if len(keys) == 100:
                break
    return list(keys.values()), tuple(keys)


def _title_from_body(body: str | None) -> str | None:
    """A stand-in headline: the first sentence of the body, cut at a word near 80 characters.

    Untitled posts (microblogs, status pages, JSON Feed items without "title") read best by their opening
    words, as feed readers show them; the body itself is left whole.
    """
    first = _clean((body or "").strip().split("\n", 1)[0])
    if not first:
        return None
    sentence = ""
    for part in _SENTENCE_END.split(first):
        sentence = f"{sentence} {part}".strip()
        if len(sentence.split()) >= 3:
            break
    if len(sentence) > _DERIVED_TITLE_CHARS:
        return sentence[: _DERIVED_TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else assume_utc(value)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _language(draft: ArticleDraft) -> str | None:
    """The declared language, unless a long body says otherwise with near certainty.

    Themes ship <html lang="en-US"> on pages in every language; a confident reading of the article text is
    the better witness then.
    """
    declared = None
    if draft.language:
        primary = draft.language.strip().replace("_", "-").split("-")[0].lower()
        declared = primary if primary in ISO_639_1 else None
    if declared and draft.language_reliable:
        return declared  # declared explicitly, or twice in agreement: identifying the text (~2 ms) cannot do better
    body = (draft.body or "")[:700]
    if declared and len(body) >= _LANGUAGE_EVIDENCE_CHARS:
        detected, confidence = _identify(body)
        if detected and detected != declared and confidence >= _LANGUAGE_OVERRIDE:
            draft.warnings.append(f"the page declares language {declared!r} but its text is {detected!r}")
            return detected
    if declared:
        return declared
    sample = " ".join(filter(None, (draft.title, draft.summary, body[:3000])))
    return detect_language(sample) if len(sample) >= 40 else None


def _site_names(draft: ArticleDraft) -> list[str]:
    names = [n for n in (draft.site_name, draft.publisher) if n]
    if draft.url:
        with contextlib.suppress(InvalidInput):
            names.append(source_of(draft.url).split(".")[0])
    return names


def detect_language(text: str) -> str | None:
    """Identify the language of a text with py3langid (bundled model, no network)."""
    code, _confidence = _identify(text)
    return code


def _identify(text: str) -> tuple[str | None, float]:
    code, confidence = _identifier().classify(text)
    return (str(code) if code in ISO_639_1 else None), float(confidence)


@functools.cache
def _identifier() -> Any:
    # Loaded on first use (about 0.3 s), not at import; normalised probabilities make the score a confidence.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)


def _attribute(clean: Callable[[Any], Any]) -> Callable[[ArticleDraft, str], Any]:
    return lambda draft, name: clean(getattr(draft, name))


# How the draft's fields without a rule of their own in draft_to_article are cleaned, chosen by their type in
# ArticleCreate, so a new optional field of a known type needs no line here (a new type fails at import).
_CLEAN_TYPE: dict[Any, Callable[[ArticleDraft, str], Any]] = {
    ShortText | None: _attribute(_clip),
    list[ShortText]: _attribute(_clean_list),
    Url | None: _web_url,
    Instant | None: _attribute(_aware),
}
_OWN_RULES = frozenset({"url", "title", "summary", "body", "authors", "language"})
_BY_TYPE = {
    name: _CLEAN_TYPE[info.annotation] for name, info in ArticleCreate.model_fields.items() if name not in _OWN_RULES
}
