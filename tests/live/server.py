"""A real `broadsheet serve` in a subprocess, reached over TCP, for the live tests and the load/soak benchmarks.

The in-process TestClient waits for a dependency's exit (the commit) before it hands back the response; a real
client does not, so read-your-writes, races and crash safety can only be tested against a real server. This
module has no pytest in it so that `bench/load.py` and `bench/soak.py` start servers the same way the tests do.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("BROADSHEET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# A server that is not answering /healthz after this long is broken (cold imports take a few seconds on 2 cores).
START_TIMEOUT = 60.0
# uvicorn logs an unhandled exception as "Exception in ASGI application" + traceback; ours log "exc" in JSON.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Exception in ASGI application")


def free_port() -> int:
    """A port nobody listens on now (bind to 0 and give it back); a clash later is unlikely, not impossible."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def broadsheet_command(*args: str) -> list[str]:
    """The `broadsheet` console script of this interpreter's environment, or the module when not installed."""
    script = Path(sys.executable).with_name("broadsheet")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "app.cli", *args]


def server_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            # Parser processes cost seconds per start; tests and benchmarks that want them pass their own value.
            "BROADSHEET_PARSE_WORKERS": "0",
            # Access logs at INFO would be one line per request; errors and their tracebacks are still logged.
            "BROADSHEET_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra or {})
    return env


def migrate(*database_urls: str) -> None:
    """Run `broadsheet migrate` as an operator would, on several databases at once (each costs seconds of imports)."""
    runs = [
        subprocess.Popen(
            broadsheet_command("migrate"),
            env=server_env(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for url in database_urls
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=120)
        if run.returncode != 0:
            raise RuntimeError(f"broadsheet migrate failed ({run.returncode}):\n{stderr}")


def create_postgres_database(name: str) -> str:
    """Create database `name` on the admin server and return its URL (raises OperationalError when absent)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class LiveServer:
    """One `broadsheet serve` process group on 127.0.0.1; its stderr goes to `log_path`."""

    engine: str
    database_url: str
    log_path: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until /healthz answers."""
        self.launch()
        self.wait_healthy()

    def launch(self) -> None:
        """Start the server process without waiting for it (start several, then wait for each)."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is already running")
        command = broadsheet_command(
            "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)
        )
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1}: {' '.join(command)}\n".encode())
            log.flush()
            # A session of its own: SIGKILL to the group reaches uvicorn's workers and the parser processes too.
            self.process = subprocess.Popen(
                command,
                env=server_env(self.database_url, self.env),
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=ROOT,
                start_new_session=True,
            )
        self.starts += 1

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer /healthz within {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flush, as a crash or `kill -9` would."""
        self._signal_group(signal.SIGKILL)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (uvicorn's graceful shutdown), then SIGKILL if it does not end in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self._signal_group(signal.SIGTERM, wait=timeout)
        self._signal_group(signal.SIGKILL)

    def restart(self, *, crash: bool = False) -> None:
        """Stop (or kill, with `crash`) and start again on the same port and database."""
        if crash:
            self.kill()
        else:
            self.stop()
        self.start()

    def _signal_group(self, sig: signal.Signals, wait: float = 10.0) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        # SIGKILL reaches uvicorn's workers and the parser processes too: they share the group.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)

    def log_text(self, offset: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def tracebacks(self, offset: int = 0) -> list[str]:
        """Log excerpts that show an unhandled exception since byte `offset` of the log."""
        log = self.log_text(offset)
        return [log[max(0, m.start() - 300) : m.start() + 1500] for m in TRACEBACK.finditer(log)]
