"""Small builders of test documents."""

from typing import Any


def article_json(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """An article in the API's own schema."""
    data: dict[str, Any] = {
        "url": f"https://news.example.com/world/2026/01/{n:02d}/story-{n}",
        "title": f"Story number {n} about harbours",
        "summary": f"Summary of story {n}.",
        "body": f"Paragraph one of story {n} mentions the harbour pilots.\n\nParagraph two ends it.",
        "authors": ["Ada Writer"],
        "tags": ["World", f"series-{n % 3}"],
        "language": "en",
        "published_at": f"2026-01-{(n % 28) + 1:02d}T{n % 24:02d}:00:00+02:00",
    }
    data.update(overrides)
    return data


def text_dump(n: int, *, site: str = "Harbour Gazette") -> str:
    """A flattened dump in the seed's shape, with its own URL, dates, tags and body."""
    title = f"Harbour Pilots Strike Over Pay in Port {n}"
    return (
        "\n".join(
            [
                f"https://gazette.example.org/news/harbour-pilots-strike-over-pay-in-port-{n}",
                title,
                title,
                site,
                f"Pilots at port {n} walked out on Monday over a pay dispute.",
                "2026-03-02T08:15:00+01:00",
                "2026-03-02T09:40:00+01:00",
                "shipping",
                "pilots",
                "port " + str(n),
                "https://gazette.example.org/img/harbour.jpg",
                "en_GB",
                site,
                "desk@gazette.example.org",
                site,
                "shipping, strike, pilots, pay",
                title,
                f"Harbour pilots at port {n} stopped work on Monday, leaving ships waiting at anchor outside the breakwater.",
                "The union said talks with the port authority had failed after three weeks of negotiation over pay.",
                "A spokesman for the authority said it hoped to resume talks before the end of the week.",
            ]
        )
        + "\n"
    )
