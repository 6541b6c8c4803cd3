"""Read-your-writes over a real socket: a write's answer means the write is visible to every next request.

The writer and the reader use different connections, so with two uvicorn workers the read usually lands on
the other process: an answer sent before the commit shows up as a 404 after a 201, stale content after a 200,
or a 200 after a 204.
"""

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import article_json
from tests.live.server import LiveServer

THREADS = 4
CYCLES_PER_THREAD = 25  # 100 create/update/delete cycles per engine and worker count


def _cycle(writer: httpx.Client, reader: httpx.Client, tag: str, n: int) -> list[str]:
    """create → GET Location, update → GET, DELETE → GET; each broken promise is one line."""
    failures: list[str] = []
    article = article_json(n, url=f"https://ryw.example.org/{tag}/{n}", title=f"Cycle {tag} {n}", body=f"First {n}.")
    created = writer.post("/articles", json=article)
    if created.status_code != 201:
        return [f"create: {created.status_code} {created.text[:200]}"]
    location = created.headers["location"]
    read = reader.get(location)
    if read.status_code != 200:
        failures.append(f"GET after create: {read.status_code}")
    elif (read.json()["title"], read.json()["body"]) != (article["title"], article["body"]):
        failures.append("GET after create: other content")

    article["body"] = f"Second, longer version of {n}, rewritten after the first."
    updated = writer.post("/articles", json=article)
    if updated.status_code != 200:
        failures.append(f"update: {updated.status_code} {updated.text[:200]}")
    read = reader.get(location)
    if read.status_code != 200:
        failures.append(f"GET after update: {read.status_code}")
    elif read.json()["body"] != article["body"]:
        failures.append("GET after update: old content")

    deleted = writer.delete(location)
    if deleted.status_code != 204:
        failures.append(f"delete: {deleted.status_code} {deleted.text[:200]}")
    read = reader.get(location)
    if read.status_code != 404:
        failures.append(f"GET after delete: {read.status_code}")
    return failures


def _worker(base_url: str, tag: str, start: threading.Barrier) -> list[str]:
    with (
        httpx.Client(base_url=base_url, timeout=30.0) as writer,
        httpx.Client(base_url=base_url, timeout=30.0) as reader,
    ):
        start.wait()
        failures: list[str] = []
        for n in range(CYCLES_PER_THREAD):
            failures += _cycle(writer, reader, tag, n)
        return failures


@pytest.mark.parametrize("server_workers", [1, 2])
def test_every_acknowledged_write_is_visible_to_the_next_request(live_server: LiveServer) -> None:
    run = uuid.uuid4().hex[:8]
    start = threading.Barrier(THREADS)
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(_worker, live_server.base_url, f"{run}-{t}", start) for t in range(THREADS)]
        failures = [line for future in futures for line in future.result()]
    counts = Counter(failures)
    assert not failures, (
        f"{len(failures)} broken promises in {THREADS * CYCLES_PER_THREAD} cycles "
        f"({live_server.engine}, {live_server.workers} worker(s)): {dict(counts.most_common())}"
    )


def test_a_deleted_id_is_never_given_to_a_new_article(http: httpx.Client) -> None:
    run = uuid.uuid4().hex[:8]
    first = http.post("/articles", json=article_json(1, url=f"https://ids.example.org/{run}/1"))
    newest = http.post("/articles", json=article_json(2, url=f"https://ids.example.org/{run}/2"))
    assert first.status_code == newest.status_code == 201, newest.text
    deleted_id = newest.json()["article"]["id"]
    assert http.delete(f"/articles/{deleted_id}").status_code == 204
    after = http.post("/articles", json=article_json(3, url=f"https://ids.example.org/{run}/3"))
    assert after.status_code == 201, after.text
    new_id = after.json()["article"]["id"]
    # A re-used id would make an old link (/articles/<deleted id>) silently show another article.
    assert new_id > deleted_id, f"the new article got id {new_id}; the deleted newest one had {deleted_id}"


def _write_until_killed(base_url: str, tag: str, acknowledged: dict[str, tuple[int, str]]) -> None:
    """Create articles until the server is gone; record each 201's id and body."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        for n in range(10_000):
            url = f"https://kill.example.org/{tag}/{n}"
            try:
                created = client.post("/articles", json=article_json(n, url=url, body=f"Body {tag} {n}."))
            except httpx.TransportError:
                return
            if created.status_code == 201:
                acknowledged[url] = (created.json()["article"]["id"], created.json()["article"]["body"])


def test_acknowledged_writes_survive_a_kill_9(live_server: LiveServer) -> None:
    """A 201 is a promise: SIGKILL the server while clients write, restart it, and every 201 is there."""
    run = uuid.uuid4().hex[:8]
    acknowledged: dict[str, tuple[int, str]] = {}
    threads = [
        threading.Thread(target=_write_until_killed, args=(live_server.base_url, f"{run}-{t}", acknowledged))
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    live_server.kill()
    for thread in threads:
        thread.join()
    live_server.start()
    with httpx.Client(base_url=live_server.base_url, timeout=30.0) as client:
        lost = []
        for url, (article_id, body) in acknowledged.items():
            found = client.get(f"/articles/{article_id}")
            if found.status_code != 200 or (found.json()["url"], found.json()["body"]) != (url, body):
                lost.append(f"{url}: {found.status_code}")
    assert acknowledged, "no write was acknowledged before the kill"
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged writes lost after kill -9: {lost[:5]}"
