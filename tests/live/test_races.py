"""Races a real client can start: DELETE against an update of the same article, junk against a good reading.

Each race must end as one of its two orders, never a 5xx, and a GET afterwards must agree with the answers.
"""

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.factories import article_json, text_dump
from tests.live.server import LiveServer

RACES = 40


def _race(client_a: httpx.Client, client_b: httpx.Client, url: str, n: int) -> tuple[str, str | None]:
    """One race: (the two statuses, a line when the outcome or the state afterwards is impossible)."""
    article = article_json(n, url=url, body="The first version of the story.")
    created = client_a.post("/articles", json=article)
    assert created.status_code == 201, created.text
    old_id = created.json()["article"]["id"]
    article["body"] = f"The second version of the story, race {n}."
    start = threading.Barrier(2)

    def delete() -> httpx.Response:
        start.wait()
        return client_a.delete(f"/articles/{old_id}")

    def update() -> httpx.Response:
        start.wait()
        return client_b.post("/articles", json=article)

    with ThreadPoolExecutor(2) as pool:
        deleting, updating = pool.submit(delete), pool.submit(update)
        deleted, updated = deleting.result(), updating.result()
    outcome = f"delete {deleted.status_code} / update {updated.status_code}"
    if deleted.status_code not in (204, 404) or updated.status_code not in (200, 201):
        return outcome, f"{outcome}: {deleted.text[:150]} {updated.text[:150]}"
    by_id = client_a.get(f"/articles/{old_id}")
    by_url = client_a.get("/articles/lookup", params={"url": url})
    return outcome, _inconsistency(outcome, deleted, updated, by_id, by_url, old_id, article["body"])


def _inconsistency(
    outcome: str,
    deleted: httpx.Response,
    updated: httpx.Response,
    by_id: httpx.Response,
    by_url: httpx.Response,
    old_id: int,
    new_body: str,
) -> str | None:
    if deleted.status_code == 404:
        # The update won and re-created nothing: the article is there, under its id, with the new body.
        if by_id.status_code != 200 or by_id.json()["body"] != new_body:
            return f"{outcome} but GET by id is {by_id.status_code}"
        return None
    if by_id.status_code != 404:
        reused = by_id.status_code == 200 and updated.status_code == 201 and updated.json()["article"]["id"] == old_id
        why = " (the new article re-used the deleted id)" if reused else ""
        return f"{outcome} but GET /articles/{old_id} is {by_id.status_code}{why}"
    if updated.status_code == 200:
        # Updated in place first, then deleted: nothing is left under the URL.
        return None if by_url.status_code == 404 else f"{outcome} but the URL still finds {by_url.status_code}"
    # Deleted first, then created anew under a new id with the new body.
    new_id = updated.json()["article"]["id"]
    if by_url.status_code != 200 or by_url.json()["id"] != new_id or by_url.json()["body"] != new_body:
        return f"{outcome} but the URL finds {by_url.status_code} {by_url.text[:100]}"
    return None


def test_delete_racing_an_update_ends_as_one_of_the_two_orders(live_server: LiveServer) -> None:
    run = uuid.uuid4().hex[:8]
    outcomes: Counter[str] = Counter()
    broken: list[str] = []
    with (
        httpx.Client(base_url=live_server.base_url, timeout=30) as a,
        httpx.Client(base_url=live_server.base_url, timeout=30) as b,
    ):
        for n in range(RACES):
            outcome, problem = _race(a, b, f"https://races.example.org/{run}/{n}", n)
            outcomes[outcome] += 1
            if problem:
                broken.append(problem)
    assert not broken, f"{len(broken)}/{RACES} races broken (outcomes {dict(outcomes)}): {broken[:5]}"


GOOD = text_dump(9001)
GOOD_URL = GOOD.splitlines()[0]


def test_junk_sent_with_a_good_articles_url_does_not_replace_it(http: httpx.Client) -> None:
    # Each engine's database is fresh per session, but a re-run on the same server must not find it created.
    url = GOOD_URL.replace("9001", f"9001-{uuid.uuid4().hex[:6]}")
    good = http.post("/ingest", params={"url": url}, content=GOOD.replace(GOOD_URL, url), headers=_TEXT)
    assert good.status_code == 201, good.text
    before = good.json()["article"]
    assert before["body"] and before["title"]

    junk = http.post("/ingest", params={"url": url}, content=b"197814898388", headers={"content-type": "text/html"})
    assert junk.status_code < 500, junk.text
    # A pause, so that a server that answers before it commits (tested in test_read_your_writes) cannot make
    # this test pass by showing the state before the junk.
    time.sleep(0.3)
    after = http.get(good.headers["location"])
    assert after.status_code == 200
    changed = [key for key in ("title", "body", "summary", "content_hash") if after.json()[key] != before[key]]
    assert not changed, (
        f"junk answered {junk.status_code} {junk.json().get('outcome')} and changed the article: "
        f"title {before['title']!r} -> {after.json()['title']!r}, body {len(before['body'])} -> "
        f"{len(after.json()['body'] or '')} characters"
    )
    # main's rule (0c56c69): a reading that lost the body is refused with 409 worse-reading unless force=true.
    assert junk.status_code == 409 and junk.headers["content-type"] == "application/problem+json", junk.text
    assert junk.json()["code"] == "worse-reading"


_TEXT = {"content-type": "text/plain; charset=utf-8"}
