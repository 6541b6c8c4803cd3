"""Extraction quality and speed on the 88-page HTML benchmark: Broadsheet beside trafilatura, in one run.

Body: the public article-extraction benchmark's metric (4-token shingles, per-document precision and recall
averaged, F1 of the averages), computed by ../shared/tools/score_body.py itself.
Speed: each page is extracted by both sides alternately, `--rounds` times, single process, so a noisy
machine slows both alike; pages/s is per core. Broadsheet's figure is the whole pipeline (decoding,
metadata from JSON-LD/OpenGraph/meta, body, language, validation); trafilatura's is bare_extraction with
metadata, the closest equivalent.
Metadata: per-field accuracy against tests/fixtures/metadata-truth.json when it exists.
Generalisation (`--cv`): every combination of the body pass's tunable choices (TUNABLES) is run, and the
body F1 is reported for the current settings (dev), for each combination, and cross-validated by site
(bench/crossval.py: picked on K-1 folds of sites, scored on the fold left out).
"""

import argparse
import gzip
import importlib.util
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from app.domain import Hints
from app.errors import BroadsheetError
from app.ingestion.pool import ParserPool
from app.reader import pipeline
from app.reader.pipeline import Document
from bench import crossval
from bench.metadata import FIELDS, accuracy, mismatches

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "html-benchmark"
SCORER = ROOT.parent / "shared" / "tools" / "score_body.py"
METADATA_TRUTH = ROOT / "tests" / "fixtures" / "metadata-truth.json"


def load_scorer() -> Callable[[dict[str, Any], dict[str, Any]], dict[str, float]]:
    spec = importlib.util.spec_from_file_location("score_body", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


def broadsheet(data: bytes, url: str) -> dict[str, Any]:
    try:
        article = pipeline.parse(data, hints=Hints(content_type="text/html", url=url)).article
    except BroadsheetError:
        return {}
    return {
        "body": article.body or "",
        "title": article.title,
        "published": article.published_at.isoformat() if article.published_at else None,
        "authors": article.authors,
        "language": article.language,
    }


def trafilatura_side(data: bytes, url: str, **options: Any) -> dict[str, Any]:
    document = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False, **options)
    if document is None:
        return {}
    found = document.as_dict()
    return {
        "body": found.get("text") or "",
        "title": found.get("title"),
        "published": found.get("date"),
        "authors": [a.strip() for a in (found.get("author") or "").split(";") if a.strip()],
        "language": found.get("language"),
    }


def trafilatura_precise(data: bytes, url: str) -> dict[str, Any]:
    return trafilatura_side(data, url, favor_precision=True)


# trafilatura with favor_precision is the setting Broadsheet's body pass uses: shown so the gain of our own
# steps (boilerplate filter, headline removal) is visible apart from the setting.
SIDES = {"broadsheet": broadsheet, "trafilatura": trafilatura_side, "traf-precise": trafilatura_precise}
# The body pass's choices, each kept only when the cross-validated F1 rises with it (see html.py).
TUNABLES: crossval.Tunables = [
    ("app.reader.parsers.html:FAVOR_PRECISION", [True, False]),
    ("app.reader.parsers.html:FILTER_BOILERPLATE", [True, False]),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench extraction", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the 88 pages (default 3)")
    parser.add_argument("--misses", action="store_true", help="list Broadsheet's metadata misses per field")
    parser.add_argument("--pool", action="store_true", help="also time bulk parsing with 1 and with all cores")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="also cross-validate TUNABLES on K site folds")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"extraction benchmark skipped: {CORPUS} not found")
        return
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    pages = {key: gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()) for key in truth}
    seconds = dict.fromkeys(SIDES, 0.0)
    outputs: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SIDES}
    for _round in range(max(1, args.rounds)):
        for key, data in pages.items():
            for name, side in SIDES.items():
                started = time.perf_counter()
                outputs[name][key] = side(data, truth[key]["url"])
                seconds[name] += time.perf_counter() - started
    score = load_scorer()
    metadata = json.loads(METADATA_TRUTH.read_text()) if METADATA_TRUTH.exists() else None
    print(f"\n{len(pages)} pages, {args.rounds} timed rounds, one process\n")
    header = ("extractor", "precision", "recall", "body F1", "pages/s", *FIELDS)
    print(" | ".join(f"{h:>13}" for h in header))
    print("-" * (16 * len(header)))
    for name in SIDES:
        predictions = {key: {"articleBody": out.get("body", "")} for key, out in outputs[name].items()}
        result = score(truth, predictions)
        rate = len(pages) * args.rounds / seconds[name]
        fields = accuracy(outputs[name], metadata) if metadata else dict.fromkeys(FIELDS, "n/a")
        cells = [name, *(f"{result[k]:.4f}" for k in ("precision", "recall", "f1")), f"{rate:.1f}"]
        cells += [fields[f] for f in header[5:]]
        print(" | ".join(f"{c:>13}" for c in cells))
    ratio = seconds["trafilatura"] / seconds["broadsheet"]
    print(f"\nspeed ratio broadsheet/trafilatura: {ratio:.2f} (pages/s, same pages, interleaved)")
    if args.pool:
        _pool_scaling(pages, truth, args.rounds)
    if args.cv:
        _cross_validate(pages, truth, args.cv)
    if metadata is None:
        print(f"metadata accuracy: no ground truth at {METADATA_TRUTH.relative_to(ROOT)}")
    elif args.misses:
        for field in FIELDS:
            print(f"\nbroadsheet misses on {field}:")
            print("\n".join(mismatches(outputs["broadsheet"], metadata, field)) or "  none")


if __name__ == "__main__":
    main()


def _pool_scaling(pages: dict[str, bytes], truth: dict[str, Any], rounds: int) -> None:
    """Pages/s of `broadsheet ingest`'s parser pool with one worker and with one per core (start-up excluded)."""
    docs = [
        Document(key, data, Hints(content_type="text/html", url=truth[key]["url"]))
        for _ in range(max(1, rounds))
        for key, data in pages.items()
    ]
    cores = os.cpu_count() or 1
    rates = {}
    for jobs in sorted({1, cores}):
        pool = ParserPool(jobs, time_limit=60)
        try:
            started = time.perf_counter()
            pool.map(docs)
            rates[jobs] = len(docs) / (time.perf_counter() - started)
        finally:
            pool.close()
    line = ", ".join(f"{jobs} worker(s) {rate:.1f} pages/s" for jobs, rate in rates.items())
    print(f"parser pool: {line}; scaling {rates[cores] / rates[1]:.2f}x on {cores} cores")


def _cross_validate(pages: dict[str, bytes], truth: dict[str, Any], folds: int) -> None:
    """Body F1 of every combination of TUNABLES, and of the tuning procedure on sites it did not see."""
    score = load_scorer()

    def f1(bodies: dict[str, str]) -> float:
        return score({k: truth[k] for k in bodies}, {k: {"articleBody": b} for k, b in bodies.items()})["f1"]

    def run() -> dict[str, str]:
        return {key: broadsheet(data, truth[key]["url"]).get("body", "") for key, data in pages.items()}

    grid = crossval.run_grid(TUNABLES, run)
    urls = {key: truth[key]["url"] for key in pages}
    print(f"\nbody F1 per choice (dev, all {len(pages)} pages):")
    for combo, bodies in grid:
        print(f"  {f1(bodies):.4f}  {crossval.label(TUNABLES, combo)}")
    figure, chosen = crossval.held_out(grid, urls, folds, f1)
    sites = len({crossval.site(url) for url in urls.values()})
    print(f"cross-validated body F1 ({folds} folds of {sites} sites): {figure:.4f}")
    print("chosen per fold: " + "; ".join(crossval.label(TUNABLES, combo) for combo in chosen))
