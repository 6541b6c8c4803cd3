"""Crash safety: kill -9 the server under concurrent writes, and the bulk CLI mid-run, then check every promise.

`python -m bench soak [--rounds 10] [--writers 8] [--ingest-kills 3] [--engines sqlite,postgres]`

Each round starts `broadsheet serve`, lets writer threads create, update and delete articles, and SIGKILLs the
server's process group at a random moment. Every 2xx is recorded with the article's id and content. A write
in flight at the kill may or may not have happened, so that URL's allowed states are the last acknowledged
one and the attempted one, and it is not written again. Then `broadsheet ingest` runs over a directory of
generated dumps and is SIGKILLed mid-run a few times, and finally once to the end. The checks:

- every acknowledged write is there with its id and identical title and body; acknowledged deletes are gone;
- SQLite: `PRAGMA integrity_check` is ok; the search index's total equals the articles table (both engines);
- every stored article is found by a search for the unique word in its title (both engines, over HTTP);
- the ingest run that was allowed to finish stored every document.
"""

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench.load import WORDS, WORKERS, fresh_database, print_table
from tests.live import server as live
from tests.live.server import LiveServer

# What `broadsheet ingest` logs after each committed batch (main 848d498).
STORED_SO_FAR = re.compile(r"stored so far: (\{.*?\})")
Content = tuple[str, str]  # (title, body) as sent; None in a state means "absent"


@dataclass
class Ledger:
    """What the server promised for one URL: its id and content, or that it is gone (content None)."""

    url: str
    article_id: int | None = None
    acked: Content | None = None
    # The content a write in flight at the kill would have left (None: a delete); it may or may not be there.
    maybe: list[Content | None] = field(default_factory=list)
    settled: bool = True
    acknowledged: int = 0


def content(rng: random.Random, token: str) -> Content:
    """Title with a word found nowhere else, so a search for it must find exactly this article."""
    title = f"Soak {token} " + " ".join(rng.choice(WORDS) for _ in range(5))
    body = " ".join(rng.choice(WORDS) for _ in range(60)) + "."
    return title, body


def article(url: str, value: Content) -> dict[str, object]:
    return {"url": url, "title": value[0], "body": value[1], "tags": ["soak"], "language": "en"}


def writer(base_url: str, ledgers: list[Ledger], prefix: str, stop: threading.Event, seed: int) -> None:
    """Create, update and delete this thread's own URLs until the server dies or `stop` is set."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            live_ones = [ledger for ledger in ledgers if ledger.settled and ledger.acked is not None]
            choice = rng.random()
            value: Content | None
            if choice < 0.5 or not live_ones:
                ledger = Ledger(f"https://soak.example.org/{prefix}/{uuid.uuid4().hex[:12]}")
                ledgers.append(ledger)
                op, value = "create", content(rng, "s" + uuid.uuid4().hex[:10])
            else:
                ledger = rng.choice(live_ones)
                op = "update" if choice < 0.8 else "delete"
                value = content(rng, ledger.acked[0].split()[1]) if op == "update" and ledger.acked else None
            ledger.maybe = [value]
            try:
                if op == "delete":
                    response = client.delete(f"/articles/{ledger.article_id}")
                else:
                    assert value is not None
                    response = client.post("/articles", json=article(ledger.url, value))
            except httpx.TransportError:
                ledger.settled = False  # in flight at the kill: either state is allowed, never write it again
                return
            ledger.maybe = []
            if op == "delete" and response.status_code == 204:
                ledger.acked, ledger.acknowledged = None, ledger.acknowledged + 1
            elif op != "delete" and response.status_code in (200, 201):
                stored = response.json()["article"]
                ledger.article_id = stored["id"]
                ledger.acked = (stored["title"], stored["body"])
                ledger.acknowledged += 1
                if ledger.acked != value:
                    print(f"  note: {ledger.url} was stored normalised: {ledger.acked!r} != {value!r}")


def server_rounds(server: LiveServer, rounds: int, writers: int, rng: random.Random) -> list[Ledger]:
    per_thread: list[list[Ledger]] = [[] for _ in range(writers)]
    for round_no in range(rounds):
        server.start()
        stop = threading.Event()
        threads = [
            threading.Thread(target=writer, args=(server.base_url, per_thread[i], f"t{i}", stop, round_no * 100 + i))
            for i in range(writers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.5, 4.0))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join()
    return [ledger for ledgers in per_thread for ledger in ledgers]


def check_ledgers(client: httpx.Client, ledgers: list[Ledger]) -> list[str]:
    """Every acknowledged state is there (or, for a write cut by the kill, the state it attempted)."""
    lost = []
    for ledger in ledgers:
        if ledger.acknowledged == 0 and ledger.settled:
            continue
        found = client.get("/articles/lookup", params={"url": ledger.url})
        if found.status_code not in (200, 404):
            lost.append(f"{ledger.url}: lookup answered {found.status_code}")
            continue
        state = (found.json()["title"], found.json()["body"]) if found.status_code == 200 else None
        allowed = [ledger.acked, *ledger.maybe] if not ledger.settled else [ledger.acked]
        if ledger.acknowledged == 0:
            allowed.append(None)  # never acknowledged: absence is allowed
        if state not in allowed:
            lost.append(f"{ledger.url}: stored {state!r:.80}, acknowledged {ledger.acked!r:.80}")
        elif state is not None and ledger.settled and found.json()["id"] != ledger.article_id:
            lost.append(f"{ledger.url}: id {found.json()['id']}, acknowledged {ledger.article_id}")
    return lost


def write_documents(folder: Path, count: int, rng: random.Random) -> dict[str, str]:
    """Text dumps with unique URLs and title words; returns url -> title."""
    folder.mkdir(parents=True, exist_ok=True)
    titles = {}
    for n in range(count):
        token = "b" + uuid.uuid4().hex[:10]
        url = f"https://soak-bulk.example.org/news/{token}"
        title, body = content(rng, token)
        paragraphs = [body, " ".join(rng.choice(WORDS) for _ in range(50)) + "."]
        lines = [url, title, title, "Soak Times", "2026-03-02T08:15:00Z", "soak", "en", *paragraphs]
        (folder / f"{n:05d}.txt").write_text("\n".join(lines) + "\n")
        titles[url] = title
    return titles


def run_ingest(database_url: str, folder: Path, log: Path, kill_delay: float | None) -> tuple[int | None, int]:
    """`broadsheet ingest` over `folder`; (exit code, or None when killed; documents it said were stored).

    With `kill_delay`, the run is SIGKILLed that many seconds after its first committed batch: killed earlier,
    while it still imports and starts its parser processes, it would have nothing to lose.
    """
    command = live.broadsheet_command("ingest", str(folder), "--jobs", "2", "--batch-size", "20", "--no-progress")
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            # INFO: the per-batch "stored so far" lines are what a killed run leaves to say what it stored.
            env=live.server_env(database_url, {"BROADSHEET_LOG_LEVEL": "INFO"}),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        code: int | None
        if kill_delay is None:
            code = process.wait(timeout=600)
        else:
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline and not STORED_SO_FAR.search(log.read_text()):
                time.sleep(0.05)
            time.sleep(kill_delay)
            code = process.poll()
            if code is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return code, acknowledged_by_cli(log.read_text(errors="replace"))


def acknowledged_by_cli(output: str) -> int:
    """Documents the CLI said were durably stored: its last "stored so far" log line, or its final summary."""
    acknowledged = 0
    for line in output.splitlines():
        counts = _counts(line.strip())
        if counts is not None:
            acknowledged = sum(int(counts.get(k, 0)) for k in ("created", "updated", "unchanged", "kept"))
    return acknowledged


def _counts(line: str) -> dict[str, int] | None:
    """The counts in a summary line ({"created": ...}) or in a log line "batch committed; stored so far: {...}"."""
    try:
        entry = json.loads(line)
    except ValueError:
        entry = line
    if isinstance(entry, dict) and "created" in entry:
        return entry
    message = entry.get("msg", "") if isinstance(entry, dict) else str(entry)
    found = STORED_SO_FAR.search(message)
    return json.loads(found.group(1)) if found else None


def sqlite_integrity(database_url: str) -> list[str]:
    path = database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    problems = []
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
    finally:
        conn.close()
    return problems


def index_matches_table(client: httpx.Client, database_url: str) -> list[str]:
    """The derived search index counts exactly the table's articles once caught up (total relation "eq")."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            articles = int(conn.scalar(text("SELECT count(*) FROM articles")) or 0)
    finally:
        engine.dispose()
    total = client.get("/articles", params={"limit": 1}).json()["total"]
    if total != {"value": articles, "relation": "eq"}:
        return [f"index total {total} != {articles} articles"]
    return []


def search_finds_every_title(client: httpx.Client) -> list[str]:
    """Each stored soak article is found by a search for the unique word of its title."""
    missing = []
    cursor: str | None = None
    while True:
        page = client.get("/articles", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        for item in page["items"]:
            word = item["title"].split()[1]
            hits = client.get("/articles", params={"q": word, "limit": 5}).json()["items"]
            if item["id"] not in [hit["id"] for hit in hits]:
                missing.append(f"{item['url']}: q={word} does not find it")
        cursor = page["next_cursor"]
        if not cursor:
            return missing


def ingest_kills(database_url: str, tmp: Path, kills: int, rng: random.Random) -> tuple[int, int, list[str]]:
    """Kill `broadsheet ingest` `kills` times on fresh folders, then let the last folder run to the end."""
    engine = create_engine(
        database_url.replace("sqlite:///", "sqlite:///") if "sqlite" in database_url else database_url
    )
    acknowledged, problems = 0, []
    try:
        for k in range(kills + 1):
            folder = tmp / f"bulk-{k}"
            titles = write_documents(folder, 400, rng)
            last = k == kills
            delay = None if last else rng.uniform(0, 4)
            code, acked = run_ingest(database_url, folder, tmp / f"ingest-{k}.log", delay)
            with engine.connect() as conn:
                stored = {
                    row[0]: row[1]
                    for row in conn.execute(
                        text("SELECT url, title FROM articles WHERE url LIKE 'https://soak-bulk.example.org/%'")
                    )
                    if row[0] in titles
                }
            acknowledged += acked
            if len(stored) < acked:
                problems.append(f"ingest run {k}: said {acked} stored, {len(stored)} are")
            wrong = [url for url, title in stored.items() if titles[url] != title]
            if wrong:
                problems.append(f"ingest run {k}: {len(wrong)} stored with another title")
            if last and (code != 0 or len(stored) != len(titles)):
                problems.append(f"the run left to finish exited {code} with {len(stored)}/{len(titles)} stored")
    finally:
        engine.dispose()
    return acknowledged, kills, problems


def run_engine(engine: str, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    with fresh_database(engine, tmp, "bench_soak") as url:
        server = LiveServer(
            engine,
            url,
            tmp / f"soak-{engine}.log",
            workers=WORKERS[engine],
            env={"BROADSHEET_PARSE_WORKERS": str(args.parse_workers)},
        )
        ledgers = server_rounds(server, args.rounds, args.writers, rng)
        cli_acked, cli_kills, cli_problems = ingest_kills(url, tmp / engine, args.ingest_kills, rng)
        server.start()
        try:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                lost = check_ledgers(client, ledgers)
                unsearchable = search_finds_every_title(client)
                unsearchable += index_matches_table(client, url)
        finally:
            server.stop()
        integrity = sqlite_integrity(url) if engine == "sqlite" else []
    for line in [*lost, *unsearchable, *cli_problems, *integrity][:20]:
        print(f"  {engine}: {line}")
    return {
        "engine": f"{engine} ({WORKERS[engine]}w)",
        "server kills": args.rounds,
        "acknowledged": sum(ledger.acknowledged for ledger in ledgers),
        "in flight": sum(1 for ledger in ledgers if not ledger.settled),
        "lost": len(lost),
        "ingest kills": cli_kills,
        "ingest acked": cli_acked,
        "ingest lost": len(cli_problems),
        "unsearchable": len(unsearchable),
        "integrity": "ok" if not integrity else "; ".join(integrity)[:40],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__)
    parser.add_argument("--rounds", type=int, default=10, help="server kills per engine")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer threads")
    parser.add_argument("--ingest-kills", type=int, default=3, help="`broadsheet ingest` kills per engine")
    parser.add_argument("--parse-workers", type=int, default=0, help="BROADSHEET_PARSE_WORKERS (0: faster restarts)")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    rows = []
    for engine in args.engines.split(","):
        try:
            rows.append(run_engine(engine, tmp, args))
        except OperationalError as exc:
            print(f"{engine}: skipped, database not reachable ({exc.orig})")
    print(f"\nserver and CLI logs: {tmp}\n")
    print_table(rows)


if __name__ == "__main__":
    main()
