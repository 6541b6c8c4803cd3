"""`broadsheet serve` in a subprocess on a free TCP port, for clients that need a real server (SDKs, fuzzing)."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_url: str, *, env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[str]:
    """Migrate `database_url`, serve it on 127.0.0.1, yield the base URL; stop the server (SIGTERM) after."""
    environment = {**os.environ, "DATABASE_URL": database_url, "BROADSHEET_LOG_JSON": "true", **(env or {})}
    subprocess.run([BIN / "broadsheet", "migrate"], env=environment, check=True, capture_output=True)
    port = free_port()
    out = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [BIN / "broadsheet", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=out,
        stderr=out,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise RuntimeError(f"broadsheet serve exited with {server.returncode}")
            time.sleep(0.05)
        else:
            raise RuntimeError("broadsheet serve did not become ready in 10 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if log:
            out.close()  # type: ignore[union-attr]


def json_env(value: object) -> str:
    return json.dumps(value)
