"""Quality floors on the 88-page benchmark: body F1 and metadata accuracy must not regress.

Reads ../shared/corpus/html-benchmark (present in CI beside the clone); the figures themselves, beside
trafilatura's, come from `python -m bench extraction`.
"""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import CORPUS, broadsheet, load_scorer
from bench.metadata import accuracy
from tests.conftest import require_shared

TRUTH = Path(__file__).parents[1] / "fixtures" / "metadata-truth.json"
FLOORS = {"title": 0.95, "published": 0.95, "pub. time": 0.88, "authors": 0.90, "language": 0.97}


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, Any]]:
    require_shared(CORPUS)
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    return {
        key: broadsheet(gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()), value["url"])
        for key, value in truth.items()
    }


def test_body_f1_stays_above_097(outputs: dict[str, dict[str, Any]]) -> None:
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    predictions = {key: {"articleBody": out.get("body", "")} for key, out in outputs.items()}
    assert load_scorer()(truth, predictions)["f1"] >= 0.97


def test_metadata_accuracy_floors(outputs: dict[str, dict[str, Any]]) -> None:
    scores = accuracy(outputs, json.loads(TRUTH.read_text()))
    for field, floor in FLOORS.items():
        hits, total = scores[field].split()[0].split("/")
        assert int(hits) / int(total) >= floor, (field, scores[field])


def test_the_ground_truth_covers_every_page() -> None:
    truth = json.loads(TRUTH.read_text())
    assert len(truth) == 88
    assert all(set(entry) == {"url", "title", "published", "authors", "language"} for entry in truth.values())
