"""The reader is pure: no storage, HTTP, SQLAlchemy or httpx, in its source and in a real parser worker."""

import ast
import json
import os
from pathlib import Path

from app.domain import Hints
from app.ingestion import ndjson, prepare_pool
from app.ingestion.pool import ParserPool
from app.reader.pipeline import Document, Failed, ParsedArticle
from tests.factories import article_json
from tests.workers import FORBIDDEN_IN_WORKERS, forbidden_modules_loaded, parse_and_report_modules

READER = Path(__file__).resolve().parents[2] / "app" / "reader"
# Upward layers too: the reader is below ingestion, api and the front doors.
FORBIDDEN_IMPORTS = (*FORBIDDEN_IN_WORKERS, "app.ingestion", "app.main", "app.cli", "app.server", "app.config")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            assert node.module is not None
            names.add(node.module)
            # `from app.reader import detect` imports the module app.reader.detect
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module.startswith("app"))
    return names


def reader_import_graph() -> dict[str, list[str]]:
    """Each reader module and the app modules it imports."""
    graph: dict[str, list[str]] = {}
    for path in sorted(READER.rglob("*.py")):
        module = ".".join(path.relative_to(READER.parents[1]).with_suffix("").parts).removesuffix(".__init__")
        app_modules = {m for m in _imports(path) if m.startswith("app.")}
        # keep modules, not the names imported from them (`from app.domain import Hints` is app.domain)
        modules = {m for m in app_modules if _is_module(m)}
        # `from app.reader.parsers import feed` names the package only to reach the module
        graph[module] = sorted(m for m in modules if not any(o.startswith(m + ".") for o in modules))
    return graph


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    root = READER.parents[1]
    return (root / relative).with_suffix(".py").exists() or (root / relative / "__init__.py").exists()


def test_no_reader_module_imports_storage_http_or_the_layers_above() -> None:
    offenders = {
        str(path.relative_to(READER)): sorted(
            m for m in _imports(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IMPORTS)
        )
        for path in READER.rglob("*.py")
    }
    assert {path: found for path, found in offenders.items() if found} == {}
    assert len(offenders) >= 18  # the walk really saw the package (decode ... parsers/text_dump)


def test_the_reader_imports_only_the_reader_and_the_shared_core() -> None:
    allowed_outside = {"app.domain", "app.errors", "app.models"}
    for module, imported in reader_import_graph().items():
        outside = {m for m in imported if not m.startswith("app.reader")} - allowed_outside
        assert not outside, f"{module} imports {outside}"


def test_a_parser_worker_process_has_no_storage_or_http_modules_loaded() -> None:
    page = (
        b"<html><head><title>Dockers strike</title></head><body><article><h1>Dockers strike</h1>"
        b"<p>Dockers in the port stopped work on Monday over pay, the union said in a statement.</p>"
        b"</article></body></html>"
    )
    pool = ParserPool(1, 60.0, parse=parse_and_report_modules)
    try:
        [parsed] = pool.map([Document("page", page, Hints(url="https://news.example/strike"))])
    finally:
        pool.close()
    article, pid, loaded = parsed
    assert isinstance(article, ParsedArticle) and article.article.title == "Dockers strike"
    assert isinstance(pid, Failed) and int(pid.reason) != os.getpid()  # it ran in the worker process
    assert isinstance(loaded, Failed) and loaded.name == "forbidden modules"
    assert loaded.reason == ""


def test_an_ndjson_prepare_worker_has_no_storage_or_http_modules_loaded() -> None:
    line = ndjson.Line("a.ndjson:1", json.dumps(article_json(1)).encode())
    pool = prepare_pool.start(1)
    try:
        prepared = pool.submit(prepare_pool.prepare_lines, [line]).result(timeout=120)
        loaded = pool.submit(forbidden_modules_loaded).result(timeout=60)
    finally:
        pool.shutdown()
    assert len(prepared.prepared) == 1 and not prepared.failed
    assert loaded == []
