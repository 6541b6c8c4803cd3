"""`broadsheet parse` for batch users: one JSON line per document, errors named by source, fast start-up."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import SEED
from tests.factories import text_dump

FEED = Path(__file__).parent / "fixtures" / "feeds" / "rss20-comment-prolog.xml"


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_every_document_gets_a_line_in_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    sources = [str(SEED), str(tmp_path / "empty.txt"), "/no/such/file.txt", str(tmp_path / "binary.txt"), str(SEED)]
    assert main(["parse", *sources]) == 1
    out = lines(capsys)
    assert [line["source"] for line in out] == sources
    assert [("error" in line) for line in out] == [False, True, True, True, False]
    assert out[1]["error"] == "the document is empty"
    assert out[0]["title"] and out[0]["url"] and out[0]["warnings"] == out[4]["warnings"]


def test_a_feed_gives_a_line_per_entry_named_by_its_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(FEED)]) == 0
    out = lines(capsys)
    assert [line["source"] for line in out] == [f"{FEED}#1", f"{FEED}#2"]
    assert [line["title"] for line in out] == ["Ferry timetable changes", "New pier lights"]


def test_a_dump_without_a_url_line_is_parsed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "no-url.txt"
    dump.write_text(text_dump(7).split("\n", 1)[1])
    assert main(["parse", str(dump)]) == 0
    (article,) = lines(capsys)
    assert article["url"] is None and article["title"] == "Harbour Pilots Strike Over Pay in Port 7"
    assert article["body"] and any("no URL" in w for w in article["warnings"])  # type: ignore[attr-defined]

    assert main(["parse", str(dump), "--url", "https://gazette.example.org/news/p7"]) == 0
    (article,) = lines(capsys)
    assert article["url"] == "https://gazette.example.org/news/p7" and article["warnings"] == []


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\nfrom app.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'sqlalchemy', 'httpx', 'lxml', 'trafilatura', 'feedparser', 'warcio', 'fastapi', 'pydantic'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
