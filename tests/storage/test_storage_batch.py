"""The set-based batch upsert (storage.batch through service.store_batch) on SQLite and PostgreSQL."""

import dataclasses
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from app.domain import Outcome
from app.ingestion import bulk, service
from app.ingestion.service import IngestResult
from app.models import ArticleCreate
from app.reader import normalize
from app.reader.pipeline import Failed, ParsedArticle
from app.storage import batch
from app.storage.db import Writer, write_session, write_session_factory
from tests.conftest import row_count
from tests.factories import article_json

LONG_BODY = " ".join(["The harbour pilots walked out over pay."] * 20)  # 140 words


def item(n: int, **overrides: Any) -> ParsedArticle:
    return ParsedArticle(ArticleCreate.model_validate(article_json(n, **overrides)), ())


def store(engine: Engine, items: list[ParsedArticle | Failed]) -> list[IngestResult | Failed]:
    return Writer(engine).run(lambda session: service.store_batch(session, items))


def outcomes(results: list[IngestResult | Failed]) -> list[str]:
    return [r.outcome.value if isinstance(r, IngestResult) else "failed" for r in results]


def tags_of(engine: Engine, url_part: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.display FROM article_tags l JOIN tags t ON t.id = l.tag_id "
                "JOIN articles a ON a.id = l.article_id WHERE a.url LIKE :u ORDER BY t.key"
            ),
            {"u": f"%{url_part}"},
        )
        return [display for (display,) in rows]


def test_a_batch_creates_updates_keeps_and_leaves_unchanged_as_single_writes_would(engine: Engine) -> None:
    first = store(engine, [item(1), item(2, body=LONG_BODY), item(3), item(4, modified_at="2026-02-01T00:00:00Z")])
    assert outcomes(first) == ["created"] * 4
    second = store(
        engine,
        [
            item(1),  # same content
            item(2, body="A paywall."),  # a worse reading of a 140-word body
            item(3, title="A corrected headline"),
            item(4, title="An older reading", modified_at="2026-01-01T00:00:00Z"),
            item(5),
        ],
    )
    assert outcomes(second) == ["unchanged", "kept", "updated", "unchanged", "created"]
    kept = second[1]
    assert isinstance(kept, IngestResult) and "kept the stored article" in kept.warnings[-1]
    ids = {r.article.url: r.article_id for r in [*first, *second] if isinstance(r, IngestResult)}
    assert len(set(ids.values())) == 5 and row_count(engine) == 5
    with engine.connect() as conn:
        titles = dict(conn.execute(text("SELECT id, title FROM articles")).all())
    assert titles[ids[item(3).article.url]] == "A corrected headline"
    assert titles[ids[item(4).article.url]] != "An older reading"


def test_duplicate_urls_in_a_batch_are_decided_in_order_and_the_last_accepted_reading_is_stored(engine: Engine) -> None:
    results = store(
        engine,
        [
            item(1, body=LONG_BODY),
            item(1, body=LONG_BODY, title="Second reading"),
            item(1, body="Junk."),  # worse than the second reading: kept
            item(1, body=LONG_BODY, title="Second reading"),  # same as what is now stored
        ],
    )
    assert outcomes(results) == ["created", "updated", "kept", "unchanged"]
    assert len({r.article_id for r in results if isinstance(r, IngestResult)}) == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title, original_url FROM articles")).one() == (
            "Second reading",
            article_json(1)["url"],
        )


def test_an_article_the_database_refuses_fails_alone(engine: Engine) -> None:
    good = [normalize.prepare(item(n).article) for n in range(1, 8)]
    broken = normalize.prepare(item(99).article)
    # Bypasses validation: a NULL title violates NOT NULL on both engines.
    broken_article = ArticleCreate.model_construct(**{**broken.article.model_dump(), "title": None})
    bad = dataclasses.replace(broken, article=broken_article)
    articles = [*good[:3], bad, *good[3:]]
    with write_session(write_session_factory(engine)) as session:
        results = batch.upsert_many(session, articles, now=datetime.now(UTC), decide=lambda a, s: Outcome.UPDATED)
    assert [type(r).__name__ for r in results] == ["Upserted"] * 3 + ["Refused"] + ["Upserted"] * 4
    refused = results[3]
    assert isinstance(refused, batch.Refused) and "refused" in refused.reason
    assert row_count(engine) == 7 and row_count(engine, "article_tags") == 14


def test_tags_are_replaced_on_update_and_shared_between_articles(engine: Engine) -> None:
    store(engine, [item(1, tags=["World", "Ports"]), item(2, tags=["ports", "Strikes"])])
    assert tags_of(engine, "story-1") == ["Ports", "World"]
    assert tags_of(engine, "story-2") == ["Ports", "Strikes"]  # the display form first seen is kept
    assert outcomes(store(engine, [item(1, tags=["Strikes"], title="New")])) == ["updated"]
    assert tags_of(engine, "story-1") == ["Strikes"]
    assert row_count(engine, "tags") == 3 and row_count(engine, "article_tags") == 3


def test_search_and_tag_pages_find_batch_stored_articles(engine: Engine, client: TestClient) -> None:
    store(engine, [item(n, body=f"Dredging of the channel number {n} began.") for n in range(1, 4)])
    store(engine, [item(2, body="The lighthouse keeper retired.")])
    found = client.get("/articles", params={"q": "dredging"}).json()["items"]
    assert sorted(a["url"] for a in found) == sorted(item(n).article.url for n in (1, 3))
    assert [a["url"] for a in client.get("/articles", params={"q": "lighthouse"}).json()["items"]] == [
        item(2).article.url
    ]
    assert len(client.get("/articles", params={"tag": "world"}).json()["items"]) == 3


def test_concurrent_batches_with_overlapping_urls_end_with_one_row_per_url(engine: Engine) -> None:
    start = threading.Barrier(2)
    results: dict[str, list[IngestResult | Failed]] = {}

    def run(name: str, numbers: range) -> None:
        items: list[ParsedArticle | Failed] = [item(n) for n in numbers]
        writer = Writer(engine)  # a writer of its own, as a second process would have
        start.wait()
        results[name] = writer.run(lambda session: service.store_batch(session, items))

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in (("a", range(0, 60)), ("b", range(30, 90)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert row_count(engine) == 90
    overlap = [*outcomes(results["a"])[30:], *outcomes(results["b"])[:30]]
    assert sorted(overlap) == ["created"] * 30 + ["unchanged"] * 30


def test_a_row_inserted_by_a_concurrent_writer_first_is_updated_not_duplicated(engine: Engine) -> None:
    done: list[IngestResult | Failed] = []
    with write_session(write_session_factory(engine)) as first:
        service.store_batch(first, [item(1)])  # inserted, not yet committed
        late = threading.Thread(target=lambda: done.extend(store(engine, [item(1, title="Later"), item(2)])))
        late.start()
        time.sleep(0.5)  # PostgreSQL: its INSERT waits on our uncommitted key; SQLite: its BEGIN waits
    late.join()
    assert outcomes(done) == ["updated", "created"]
    assert row_count(engine) == 2


def test_committed_tags_keep_only_ids_of_committed_transactions(engine: Engine) -> None:
    tags = batch.CommittedTags()
    factory = write_session_factory(engine)
    with pytest.raises(RuntimeError), write_session(factory) as session:
        tags.stage(session, {"rolled back": 1})
        raise RuntimeError("the transaction fails after its tags were staged")
    with write_session(factory) as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError), session.begin_nested():
            tags.stage(session, {"savepoint rolled back": 2})
            raise RuntimeError("a refused half of a batch")
        with session.begin_nested():
            tags.stage(session, {"savepoint released": 3})
        assert tags.ids == {}  # a released savepoint is not a commit
    assert tags.ids == {"savepoint released": 3}
    with write_session(factory) as session:
        tags.stage(session, {"committed": 4})
    assert tags.ids == {"savepoint released": 3, "committed": 4}


def test_a_bulk_run_looks_each_tag_up_once_and_links_the_right_ids(engine: Engine) -> None:
    first = [item(n, tags=["World", f"Port {n}"]) for n in range(1, 4)]
    second = [item(n, tags=["world", "Port 1", "Strikes"]) for n in range(4, 7)]
    lookups: list[list[str]] = []  # the keys each SELECT of tags asked for

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM tags" in statement:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
            lookups.append(sorted(v for v in flat if isinstance(v, str)))

    event.listen(engine, "before_cursor_execute", count)
    try:
        totals = bulk.store_articles(Writer(engine), [*first, *second], batch_size=3)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert totals.summary()["created"] == 6
    assert lookups == [["port 1", "port 2", "port 3", "world"], ["strikes"]]  # the second batch knew the rest
    assert tags_of(engine, "story-5") == ["Port 1", "Strikes", "World"]
    assert tags_of(engine, "story-2") == ["Port 2", "World"]
