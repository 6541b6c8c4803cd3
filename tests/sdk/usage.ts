// A dashboard author's program: every operation through openapi-fetch with the types openapi-typescript
// generates from the live server's /openapi.json (into build/schema.d.ts). tests/test_sdk.py checks it with
// `tsc --strict` (no casts anywhere) and runs it: node build/js/usage.js BASE_URL API_KEY PAGES_URL.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./build/schema.js";

type Problem = components["schemas"]["Problem"];
type ArticlePage = components["schemas"]["ArticlePage"];

const [baseUrl = "", key = "", pagesUrl = ""] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl, headers: { "X-API-Key": key } });
// Raw documents go as they are; openapi-fetch would JSON-encode a string body otherwise.
const raw = {
  bodySerializer: (body: unknown) => (typeof body === "string" ? body : JSON.stringify(body)),
  headers: { "Content-Type": "application/octet-stream" },
};

const DUMP = `https://gazette.example.org/news/ts-pilots
Harbour pilots strike again
Harbour pilots strike again
Harbour Gazette
Pilots walked out again on Friday.
2026-03-06T08:15:00+01:00
2026-03-06T09:40:00+01:00
shipping
en_GB
Harbour pilots stopped work on Friday, leaving ships waiting at anchor outside the breakwater.
The union said talks with the port authority had failed again after a fourth week of negotiation.
`;
const PAGE = `<!doctype html><html lang="en"><head><title>Tram line opens - City Post</title>
<link rel="canonical" href="https://city.example.net/transport/tram-line">
<meta property="article:published_time" content="2026-03-07T07:00:00Z"></head><body><article>
<h1>Tram line opens</h1><p>The new tram line to the harbour opened on Saturday after three years of work.</p>
<p>The first trams were full, and the operator said it would add carriages at rush hour from May.</p>
</article></body></html>`;
const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Hill Herald</title>
<link>https://hill.example.com/</link><description>News</description>
<item><title>Orchard harvest is early</title><link>https://hill.example.com/orchard</link>
<pubDate>Sun, 08 Mar 2026 10:00:00 GMT</pubDate><category>farming</category>
<description>Apple growers on the hill began the harvest two weeks early after a warm spring.</description></item>
</channel></rss>`;

function expectProblem(error: Problem | undefined, status: number, code: string): void {
  assert.ok(error, "expected a problem");
  assert.equal(error.status, status);
  assert.equal(error.code, code); // `code` is typed: errors are Problems, not {}
  assert.ok(error.request_id);
}

async function main(): Promise<void> {
  const ready = await client.GET("/readyz");
  assert.equal(ready.data?.database, "reachable");

  const dump = await client.POST("/ingest", { body: DUMP, ...raw });
  assert.equal(dump.response.status, 201, JSON.stringify(dump.error));
  assert.equal(dump.data?.outcome, "created");
  assert.match(dump.response.headers.get("Location") ?? "", /^\/articles\/\d+$/);
  const page = await client.POST("/ingest", {
    body: PAGE,
    params: { query: { url: "https://city.example.net/x" } },
    ...raw,
  });
  assert.equal(page.data?.article.url, "https://city.example.net/transport/tram-line", JSON.stringify(page.error));
  const feed = await client.POST("/ingest/feed", { body: FEED, params: { query: { fetch_links: false } }, ...raw });
  assert.equal(feed.data?.created, 1, JSON.stringify(feed.error));
  const parsed = await client.POST("/extract", { body: PAGE, ...raw });
  assert.equal(parsed.data?.article.title, "Tram line opens");
  const created = await client.POST("/articles", {
    body: { url: "https://ts.example.org/first", title: "Written from TypeScript", tags: ["ts"], language: "en" },
  });
  const id = created.data?.article.id;
  assert.ok(id !== undefined, JSON.stringify(created.error));
  const fetched = await client.POST("/ingest/url", { body: { url: `${pagesUrl}/page.html` } });
  assert.equal(fetched.data?.article.original_url, `${pagesUrl}/page.html`, JSON.stringify(fetched.error));
  const fed = await client.POST("/ingest/feed/url", {
    body: { url: `${pagesUrl}/feed.xml` },
    params: { query: { fetch_links: false } },
  });
  assert.equal(fed.data?.failed, 0, JSON.stringify(fed.error));

  const filtered = [
    await client.GET("/articles", { params: { query: { tag: ["ts"] } } }),
    await client.GET("/articles", { params: { query: { any_tag: ["ts", "none"] } } }),
    await client.GET("/articles", { params: { query: { exclude_tag: ["sdk"], source: "ts.example.org" } } }),
    await client.GET("/articles", { params: { query: { language: "en", q: "TypeScript" } } }),
  ];
  for (const result of filtered) {
    assert.deepEqual(result.data?.items.map((item) => item.id), [id], JSON.stringify(result.error));
  }
  const dated = await client.GET("/articles", {
    params: { query: { published_after: "2026-03-07T00:00:00Z", published_before: "2026-03-08T00:00:00Z" } },
  });
  assert.deepEqual(dated.data?.items.map((item) => item.title), ["Tram line opens"]);
  const found = await client.GET("/articles", { params: { query: { q: "orchard" } } });
  assert.ok(found.data?.items[0]?.snippet?.includes("<mark>"));
  assert.equal(found.data?.total?.value, 1);
  const facets = await client.GET("/articles/facets", { params: { query: { facet: ["tag"], q: "TypeScript" } } });
  assert.deepEqual(facets.data?.facets["tag"], [{ value: "ts", count: 1 }], JSON.stringify(facets.error));
  const timeline = await client.GET("/articles/histogram", { params: { query: { interval: "year", tag: ["ts"] } } });
  assert.deepEqual([timeline.data?.buckets.length, timeline.data?.undated], [0, 1], JSON.stringify(timeline.error));

  const everything = await client.GET("/articles", { params: { query: { limit: 100 } } });
  const seen: number[] = [];
  let cursor: string | null | undefined = undefined;
  do {
    const listing: ArticlePage | undefined = (await client.GET("/articles", { params: { query: { limit: 2, cursor } } }))
      .data;
    assert.ok(listing);
    seen.push(...listing.items.map((item) => item.id));
    cursor = listing.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, everything.data?.items.map((item) => item.id));

  const article = await client.GET("/articles/{article_id}", { params: { path: { article_id: id } } });
  assert.equal(article.data?.title, "Written from TypeScript");
  const same = await client.GET("/articles/lookup", { params: { query: { url: "http://www.ts.example.org/first/" } } });
  assert.equal(same.data?.id, id);
  const tags = await client.GET("/tags", { params: { query: { prefix: "t" } } });
  assert.ok(tags.data?.items.some((t) => t.tag === "ts"));
  const firstTag = await client.GET("/tags", { params: { query: { limit: 1, language: "en" } } });
  const nextTag = firstTag.data?.next_cursor;
  assert.ok(nextTag);
  const secondTag = await client.GET("/tags", { params: { query: { limit: 1, language: "en", cursor: nextTag } } });
  assert.notEqual(secondTag.data?.items[0]?.tag, firstTag.data?.items[0]?.tag);

  // A dashboard's download: the export streams one JSON article per line; the feed is Atom XML.
  const exported = await client.GET("/articles/export.ndjson", {
    params: { query: { tag: ["ts"] } },
    parseAs: "text",
  });
  const lines = (exported.data ?? "").trim().split("\n");
  assert.ok(lines.length >= 1 && lines.every((line) => JSON.parse(line).tags.includes("ts")), exported.data);
  const atom = await client.GET("/articles/feed.atom", { params: { query: { tag: ["ts"], limit: 5 } }, parseAs: "text" });
  assert.ok(atom.data?.includes("<title>Written from TypeScript</title>"), atom.data);

  const deleted = await client.DELETE("/articles/{article_id}", { params: { path: { article_id: id } } });
  assert.equal(deleted.response.status, 204);
  const gone = await client.GET("/articles/{article_id}", { params: { path: { article_id: id } } });
  expectProblem(gone.error, 404, "not-found");
  const invalid = await client.GET("/articles", { params: { query: { limit: 0 } } });
  expectProblem(invalid.error, 422, "validation-error");
  assert.equal(invalid.error?.errors?.[0]?.loc.join("."), "query.limit");
  console.log("typescript sdk usage: ok");
}

await main();
