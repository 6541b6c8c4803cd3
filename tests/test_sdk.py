"""Generated clients are part of the suite: an SDK user's first program must work as generated.

From the live server's own /openapi.json: openapi-python-client generates a Python client and
openapi-typescript the TypeScript types, each with no warning; tests/sdk/usage.py passes `mypy --strict`,
tests/sdk/usage.ts `tsc --strict`, and both run every operation against `broadsheet serve` on SQLite over TCP.
The npm packages are pinned in tests/sdk/package-lock.json and installed with `npm ci` when missing.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import BIN, json_env, live_server
from tests.servers import LocalServer, page, serve

SDK = Path(__file__).parent / "sdk"
KEY = "sdk-key"
SERVED_PAGE = """<!doctype html><html lang="en"><head><title>Harbour crane arrives</title>
<meta property="article:published_time" content="2026-03-09T07:00:00Z"></head><body><article>
<h1>Harbour crane arrives</h1><p>A new crane arrived at the harbour on Monday, towed from the north by two tugs.</p>
<p>It will lift containers from April, doubling what the quay can handle in a day.</p></article></body></html>"""
SERVED_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Dock Notes</title>
<link>https://dock.example.com/</link><description>News</description>
<item><title>Quay lights replaced</title><link>https://dock.example.com/lights</link>
<pubDate>Mon, 09 Mar 2026 10:00:00 GMT</pubDate>
<description>Every light on the east quay was replaced with a brighter one over the weekend.</description></item>
</channel></rss>"""


@pytest.fixture
def pages() -> Iterator[LocalServer]:
    routes = {"/page.html": page(SERVED_PAGE), "/feed.xml": page(SERVED_FEED, "application/rss+xml")}
    with serve(routes) as server:
        yield server


@pytest.fixture
def server(tmp_path: Path, pages: LocalServer) -> Iterator[str]:
    env = {
        "BROADSHEET_API_KEYS": json_env([KEY]),
        # The fetching operations reach the local page server: open loopback and its port to them.
        "BROADSHEET_FETCH_ALLOW_NETWORKS": json_env(["127.0.0.0/8"]),
        "BROADSHEET_FETCH_ALLOWED_PORTS": json_env([pages.port]),
        "BROADSHEET_FETCH_RESPECT_ROBOTS": "false",
    }
    with live_server(f"sqlite:///{tmp_path / 'sdk.db'}", env=env, log=tmp_path / "server.log") as base:
        yield base


def _run(args: list[str | Path], **kwargs: object) -> str:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    output = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, output
    return output


def test_python_client_generates_cleanly_and_runs_every_operation(
    server: str, pages: LocalServer, tmp_path: Path
) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_bytes(httpx.get(f"{server}/openapi.json").content)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # its post-hooks run ruff
    output = _run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            spec,
            "--meta",
            "none",
            "--output-path",
            "broadsheet_client",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert "warning" not in output.lower(), output
    usage = SDK / "usage.py"
    typed = {**env, "MYPYPATH": str(tmp_path)}
    _run([BIN / "mypy", "--strict", "--follow-imports=silent", "--no-incremental", usage], env=typed)
    output = _run(
        [BIN / "python", usage, server, KEY, pages.url("").rstrip("/")], env={**env, "PYTHONPATH": str(tmp_path)}
    )
    assert "python sdk usage: ok" in output


def _npm_ci() -> None:
    lock = SDK / "package-lock.json"
    marker = SDK / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SDK)


def test_typescript_types_generate_cleanly_and_run_every_operation(server: str, pages: LocalServer) -> None:
    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must check the TypeScript client; .ci/run installs node and npm")
        pytest.skip("npm is not installed")
    _npm_ci()
    build = SDK / "build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    output = _run(["npx", "openapi-typescript", f"{server}/openapi.json", "-o", build / "schema.d.ts"], cwd=SDK)
    assert "warn" not in output.lower() and "⚠" not in output, output
    _run(["npx", "tsc", "-p", "tsconfig.json"], cwd=SDK)
    code = [line.split("//")[0] for line in (SDK / "usage.ts").read_text().splitlines()]
    assert not [line for line in code if re.search(r"\bas\s+[A-Za-z{]|<[A-Z]\w*>\s*\w", line)]  # no casts
    output = _run(["node", build / "js" / "usage.js", server, KEY, pages.url("").rstrip("/")], cwd=SDK)
    assert "typescript sdk usage: ok" in output
