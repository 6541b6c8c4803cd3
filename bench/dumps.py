"""Field accuracy on the flattened dumps: `python -m bench dumps [--misses] [--folds K]`.

../shared/corpus/dumps holds 88 dumps built from the 88 benchmark pages. The truth is the pages': title,
dates, authors and language from tests/fixtures/metadata-truth.json (bench/metadata.py's rules), the body
from the benchmark's ground-truth.json (first and last paragraph exact, F1 by the benchmark's scorer), and
the URL. Tags and site name have no ground truth and are not scored.

Held-out figure (bench/crossval.py): the tunable choices (`TUNABLES`) are picked on K-1 folds of sites by
field accuracy and scored on the fold left out. A rule without fitted parameters cannot over-fit; one that
was fitted shows its cost here, and a choice is kept only when the held-out figure rises with it.
"""

import argparse
import json
from typing import Any

from app.domain import Hints
from app.errors import BroadsheetError
from app.reader import pipeline
from bench import crossval
from bench.crossval import site
from bench.extraction import CORPUS, METADATA_TRUTH, load_scorer
from bench.metadata import FIELDS, _judge

DUMPS = CORPUS.parent / "dumps"
SCORED = ("url", *FIELDS, "first paragraph", "last paragraph")
# Choices a change may tune, as ("module:attribute", [candidates]), chosen jointly per fold.
TUNABLES: list[tuple[str, list[Any]]] = [
    ("app.reader.parsers.dump_fields:HEADLINE_MAX_WORDS", [0, 20, 25, 40]),
    ("app.reader.parsers.dump_fields:AUTHOR_MIN_REPEATS", [2, 3, 99]),
    ("app.reader.parsers.dump_fields:LONE_NAME_AUTHOR", [False, True]),
    ("app.reader.parsers.text_dump:UNIQUE_SHORT_SCORE", [-1.0, -0.5]),
]


def read(key: str) -> dict[str, Any]:
    try:
        article = pipeline.parse((DUMPS / f"{key}.txt").read_bytes(), hints=Hints(content_type="text/plain")).article
    except BroadsheetError as exc:
        return {"error": exc.detail}
    return {
        "url": article.url,
        "title": article.title,
        "published": article.published_at.isoformat() if article.published_at else None,
        "authors": article.authors,
        "language": article.language,
        "body": article.body or "",
    }


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.splitlines() if p.strip()]


def judge(found: dict[str, Any], meta: dict[str, Any], body: dict[str, Any]) -> dict[str, bool | None]:
    """Right or wrong per scored field; None where the truth does not say."""
    verdict: dict[str, bool | None] = {"url": found.get("url") == meta["url"], **_judge(meta, found)}
    want, got = _paragraphs(body["articleBody"]), _paragraphs(found.get("body", ""))
    verdict["first paragraph"] = bool(got) and got[0] == want[0] if want else None
    verdict["last paragraph"] = bool(got) and got[-1] == want[-1] if want else None
    return verdict


def tally(verdicts: dict[str, dict[str, bool | None]]) -> tuple[int, int, dict[str, tuple[int, int]]]:
    per_field = {f: (0, 0) for f in SCORED}
    for verdict in verdicts.values():
        for field, ok in verdict.items():
            if ok is not None:
                hits, total = per_field[field]
                per_field[field] = (hits + int(ok), total + 1)
    return sum(h for h, _ in per_field.values()), sum(t for _, t in per_field.values()), per_field


def run(keys: list[str], meta: dict[str, Any], body: dict[str, Any]) -> dict[str, dict[str, bool | None]]:
    return {key: judge(read(key), meta[key], body[key]) for key in keys}


def share(verdicts: dict[str, dict[str, bool | None]]) -> float:
    hits, total, _ = tally(verdicts)
    return hits / total if total else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dumps", description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list the misses per field")
    parser.add_argument("--folds", type=int, default=5, help="site folds for the held-out figure (default 5)")
    args = parser.parse_args(argv)
    if not DUMPS.exists():
        print(f"dump benchmark skipped: {DUMPS} not found")
        return
    meta = json.loads(METADATA_TRUTH.read_text())
    body = json.loads((CORPUS / "ground-truth.json").read_text())
    keys = sorted(meta)
    outputs = {key: read(key) for key in keys}
    verdicts = {key: judge(outputs[key], meta[key], body[key]) for key in keys}
    hits, total, per_field = tally(verdicts)
    predictions = {key: {"articleBody": out.get("body", "")} for key, out in outputs.items()}
    f1 = load_scorer()(body, predictions)["f1"]
    sites = len({site(meta[k]["url"]) for k in keys})
    print(f"\n{len(keys)} dumps from {sites} sites")
    print(" | ".join(f"{f}: {h}/{t}" for f, (h, t) in per_field.items()))
    print(f"dev field accuracy {hits}/{total} ({hits / total:.1%}); body F1 {f1:.4f}")
    grid = crossval.run_grid(TUNABLES, lambda: run(keys, meta, body))
    urls = {key: meta[key]["url"] for key in keys}
    figure, chosen = crossval.held_out(grid, urls, args.folds, share)
    print(f"held-out ({args.folds} folds by site) field accuracy {figure:.1%}")
    print("chosen per fold: " + "; ".join(crossval.label(TUNABLES, combo) for combo in chosen))
    if args.misses:
        for field in SCORED:
            print(f"\nmisses on {field}:")
            for key in keys:
                if verdicts[key].get(field) is False:
                    source = {"pub. time": "published", "first paragraph": "body", "last paragraph": "body"}
                    shown = outputs[key].get(source.get(field, field), outputs[key].get("error"))
                    print(f"  {key[:10]} {site(meta[key]['url'])}: {str(shown)[:100]!r}")
