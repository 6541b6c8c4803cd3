"""Logs: JSON for machines without uvicorn's colour copies, readable lines on a terminal, request ids."""

import io
import json
import logging
import sys

import pytest

from app import logs


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "GET /articles 200", None, None)
    record.__dict__.update(extra)
    return record


def test_json_lines_drop_colour_copies_and_keep_extras() -> None:
    line = logs.JsonFormatter().format(_record(color_message="\x1b[32mGET\x1b[0m", request_id="r1"))
    entry = json.loads(line)
    assert "color_message" not in entry and "\x1b" not in line
    assert entry["request_id"] == "r1" and entry["msg"] == "GET /articles 200"


def test_terminal_lines_are_readable() -> None:
    line = logs.TextFormatter().format(_record(request_id="r1"))
    assert "INFO" in line and "GET /articles 200" in line and "request_id=r1" in line
    assert not line.startswith("{")


@pytest.mark.parametrize(("tty", "formatter"), [(True, logs.TextFormatter), (False, logs.JsonFormatter)])
def test_the_format_follows_the_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool, formatter: type) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(stream, "isatty", lambda: tty)
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("INFO")
        assert isinstance(root.handlers[0].formatter, formatter)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_records_go_to_the_current_stderr_even_after_it_was_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    logs.configure("INFO", as_json=False)
    first.close()  # as a test's captured stderr is closed when the test ends
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("broadsheet.test").info("written after the first stream closed")
    written = second.getvalue()
    assert "Logging error" not in written  # what a handler holding the closed stream reports instead
    assert written.rstrip().endswith("broadsheet.test  written after the first stream closed")
