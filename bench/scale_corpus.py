"""A deterministic, realistic synthetic news corpus as NDJSON files in Broadsheet's article schema.

`python -m bench scale generate --size 100000 --out DIR` writes DIR/part-0000-50000.ndjson, ... (50,000 articles a
file). The "world" (vocabularies, tags, sources, authors) comes from the seed alone and every file from the seed and
its own number, so a size is always the same bytes, a larger size begins with the files of a smaller one, and files
can be written in parallel. What is drawn, and why it matters to what is measured:
- words: a Zipfian vocabulary of 50,000 English-like words (rank 1 the most frequent, short words first as in real
  text) and 20,000 each for de/fr/es sources, from their own syllables; bodies of ~520 words in sentences and
  paragraphs, titles of 6-12 words, summaries of 20-40. Match-set sizes of a search follow from the rank of its words.
- 3-8 tags out of 3,000 (Zipfian; a few huge tags, a long tail), 200 sources (Zipfian; the URL host is the source),
  30,000 author names drawn with a long tail, sections per source, languages by source (~85 % en).
- publication instants over 5 years, written in the source's time zone; ~3 % of articles are undated.
"""

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

CHUNK = 50_000
SEED = 20261129
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 1, 1, tzinfo=UTC) - START).total_seconds())
UNDATED = 0.03
# Syllables of each language's made-up words (space-separated: a list literal would take a line per syllable).
SYLLABLES = {
    lang: text.split()
    for lang, text in {
        "en": "ka lo mer tin sa vo ren dal pi cor hu nes ta bri go lim wen tor sel mun fa ris po gle an ber tha dro "
        "ve ch",
        "de": "sch ber gen lich keit un wer zu ach ein hof stra mann burg tag fel rei kor dorf wald",
        "fr": "eau ment tion que re lle ois bou cha vil pen gran mai sou fleur ier cre don lan mon",
        "es": "ar que os ado mi la ra zon cas tel bar ro lle cion ma pue dos al ven sie",
    }.items()
}
VOCABULARY = {"en": 50_000, "de": 20_000, "fr": 20_000, "es": 20_000}
LANGUAGES = ("en", "de", "fr", "es")
LANGUAGE_WEIGHTS = (85, 5, 5, 5)
DOMAINS = {"en": "com", "de": "de", "fr": "fr", "es": "es"}
TIME_ZONES = {"en": (0, -5, -8, 1, 10, 5.5), "de": (1, 2), "fr": (1, 2), "es": (1, -3, -6)}
_SECTION_NAMES = "World Politics Business Economy Technology Science Health Sport Culture Opinion Local Climate"
SECTIONS = tuple(_SECTION_NAMES.split())
TAGS, SOURCES, AUTHORS = 3000, 200, 30_000


def zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights of ranks 1..n, for random.choices(cum_weights=...)."""
    return list(accumulate(1 / rank**exponent for rank in range(1, n + 1)))


def _words(rng: random.Random, syllables: Sequence[str], size: int, taken: set[str]) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4))))
        if len(word) > 2 and word not in taken:
            words[word] = None
    taken.update(words)
    # Zipf's law of abbreviation: frequent words are short. Stable sort, so ties keep the seeded order.
    return sorted(words, key=len)


@dataclass(frozen=True)
class Source:
    host: str
    name: str
    language: str
    offset_hours: float
    sections: tuple[str, ...]


@dataclass(frozen=True)
class World:
    """Everything articles are drawn from; a function of the seed only."""

    vocabulary: dict[str, list[str]]
    tags: list[str]
    sources: list[Source]
    authors: list[str]


@cache
def world(seed: int = SEED) -> World:
    rng = random.Random(seed)
    taken: set[str] = set()
    vocabulary = {lang: _words(rng, SYLLABLES[lang], VOCABULARY[lang], taken) for lang in LANGUAGES}
    en = vocabulary["en"]
    # Tag names come from the middle of the vocabulary, so a tag word is not also every article's top word.
    names = (f"{rng.choice(en[200:5000]).title()} {rng.choice(en[200:20000]).title()}" for _ in range(TAGS * 2))
    tags = list(dict.fromkeys(names))
    sources = []
    for rank in range(SOURCES):
        language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
        stem = f"{rng.choice(vocabulary[language][100:3000])}{rng.choice(('news', 'times', 'post', 'daily', 'herald'))}"
        host = f"{stem}{rank}.{DOMAINS[language]}"
        sections = tuple(rng.sample(SECTIONS, k=rng.randint(4, len(SECTIONS))))
        sources.append(Source(host, stem.title(), language, rng.choice(TIME_ZONES[language]), sections))
    first, last = en[1000:4000], en[4000:24000]
    authors = list(dict.fromkeys(f"{rng.choice(first).title()} {rng.choice(last).title()}" for _ in range(AUTHORS * 2)))
    return World(vocabulary, tags[:TAGS], sources, authors[:AUTHORS])


@cache
def _cumulative(n: int, exponent: float) -> list[float]:
    return zipf_weights(n, exponent)


def _text(rng: random.Random, words: list[str], count: int) -> str:
    """`count` Zipfian words as sentences of 6-24 words."""
    drawn = rng.choices(words, cum_weights=_cumulative(len(words), 1.0), k=count)
    sentences, start = [], 0
    while start < count:
        end = start + rng.randint(6, 24)
        sentences.append(" ".join(drawn[start:end]).capitalize() + ".")
        start = end
    return " ".join(sentences)


def _distinct(rng: random.Random, population: list[str], exponent: float, k: int) -> list[str]:
    """k different items drawn Zipfian (without replacement: the top tag must not crowd out the others)."""
    chosen: dict[str, None] = {}
    while len(chosen) < k:
        chosen.update(dict.fromkeys(rng.choices(population, cum_weights=_cumulative(len(population), exponent), k=k)))
    return list(chosen)[:k]


def article(rng: random.Random, w: World, n: int) -> dict[str, Any]:
    """Article number n of the corpus, drawn with rng."""
    source = rng.choices(w.sources, cum_weights=_cumulative(len(w.sources), 1.0))[0]
    words = w.vocabulary[source.language]
    section = rng.choices(source.sections, cum_weights=_cumulative(len(source.sections), 1.0))[0]
    remaining, paragraphs = rng.randint(380, 660), []
    while remaining > 0:
        size = min(remaining, rng.randint(40, 120))
        paragraphs.append(_text(rng, words, size))
        remaining -= size
    tags = _distinct(rng, w.tags, 1.0, rng.randint(3, 8))
    authors = _distinct(rng, w.authors, 0.8, rng.choice((0, 1, 1, 1, 1, 2)))
    out: dict[str, Any] = {
        "url": f"https://{source.host}/{section.lower()}/{n}/{'-'.join(rng.choices(words[:3000], k=5))}",
        "title": _text(rng, words, rng.randint(6, 12)).rstrip("."),
        "summary": _text(rng, words, rng.randint(20, 40)),
        "body": "\n\n".join(paragraphs),
        "authors": authors,
        "tags": tags,
        "section": section,
        "language": source.language,
        "site_name": source.name,
    }
    if rng.random() >= UNDATED:
        instant = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        local = instant.astimezone(timezone(timedelta(hours=source.offset_hours)))
        out["published_at"] = local.isoformat(timespec="seconds")
    return out


def chunk_articles(index: int, count: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """The first `count` articles of file `index`; its own generator, so files are independent."""
    rng, w = random.Random(f"{seed}:{index}"), world(seed)
    for n in range(index * CHUNK, index * CHUNK + count):
        yield article(rng, w, n)


def chunk_plan(size: int) -> list[tuple[int, int]]:
    """(file index, articles in it) for a corpus of `size` articles."""
    return [(i, min(CHUNK, size - i * CHUNK)) for i in range((size + CHUNK - 1) // CHUNK)]


def chunk_path(out: Path, index: int, count: int) -> Path:
    return out / f"part-{index:04d}-{count}.ndjson"


def write_chunk(out: Path, index: int, count: int, seed: int = SEED) -> Path:
    """Write one file (via a temporary name, so a killed run never leaves a short file that looks complete)."""
    path = chunk_path(out, index, count)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as f:
        for item in chunk_articles(index, count, seed):
            f.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
    partial.replace(path)
    return path


def generate(size: int, out: Path, *, jobs: int = 1, seed: int = SEED) -> list[Path]:
    """The NDJSON files of a corpus of `size` articles in `out`; files already there are reused."""
    out.mkdir(parents=True, exist_ok=True)
    plan = [(i, c) for i, c in chunk_plan(size) if not chunk_path(out, i, c).exists()]
    if jobs > 1 and len(plan) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(write_chunk, [out] * len(plan), *zip(*plan, strict=True), [seed] * len(plan)))
    else:
        for index, count in plan:
            write_chunk(out, index, count, seed)
    return [chunk_path(out, i, c) for i, c in chunk_plan(size)]


def word_by_rank(rank: int, language: str = "en") -> str:
    """The vocabulary's word of this rank (1 = most frequent): how the benchmark picks its query words."""
    return world(SEED).vocabulary[language][rank - 1]


def tag_by_rank(rank: int) -> str:
    return world(SEED).tags[rank - 1]


def source_by_rank(rank: int) -> str:
    return world(SEED).sources[rank - 1].host
