"""The flattened-dump parser: the seed's golden fields, variants of our own, and the 88 real dumps."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain import Hints
from app.reader.dates import parse_printed_date
from app.reader.parsers import text_dump as dump_parser
from app.reader.pipeline import parse
from tests.conftest import SEED, SHARED, require_shared
from tests.factories import text_dump

SEED_BODY_FIRST = "MOSCOW (Sputnik) - Foreign troops"
SEED_BODY_LAST = "security guarantees for Ukraine."


def parse_text(text: str, url: str | None = None) -> object:
    article = parse(text.encode(), hints=Hints(url=url)).article
    return article


def test_seed_dump_gives_the_documented_article() -> None:
    lines = SEED.read_text().splitlines()
    parsed = parse(SEED.read_bytes(), hints=Hints())
    article, warnings = parsed.article, parsed.warnings
    assert article.url == lines[0]
    assert article.title == "Rutte Says Foreign Troops Will Be Deployed to Ukraine Right After Conclusion of Peace"
    assert article.site_name == "Sputnik International"
    assert article.summary == lines[4]
    assert article.published_at == datetime(2026, 2, 3, 11, 37, tzinfo=UTC)
    assert article.language == "en"
    assert article.image_url == next(line for line in lines if line.startswith("https://cdn1.img"))
    assert {"world", "ukraine", "mark rutte", "emmanuel macron", "nato"} <= set(article.tags)
    assert article.keywords == ["us", "ukraine", "russia", "nato", "rutte", "deployment", "troops", "peace"]
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith(SEED_BODY_FIRST) and paragraphs[-1].endswith(SEED_BODY_LAST)
    assert paragraphs == lines[-4:]
    for noise in ("feedback@sputniknews.com", "+74956456601", "Rossiya Segodnya", "Sputnik International\n"):
        assert noise not in article.body
    assert warnings == ()


def test_field_order_does_not_matter() -> None:
    lines = text_dump(7).splitlines()
    url, meta, body = lines[0], lines[1:-3], lines[-3:]
    shuffled = "\n".join([url, *reversed(meta), *body])
    article = parse_text(shuffled)
    assert article.title == "Harbour Pilots Strike Over Pay in Port 7"
    assert article.body.split("\n\n") == body
    assert article.published_at == datetime(2026, 3, 2, 7, 15, tzinfo=UTC)
    assert article.modified_at == datetime(2026, 3, 2, 8, 40, tzinfo=UTC)


def test_crlf_blank_lines_and_no_url_line_use_the_hint() -> None:
    lines = text_dump(3).splitlines()[1:]
    doc = "\r\n\r\n".join(lines)
    article = parse_text(doc, url="https://gazette.example.org/news/harbour-pilots-strike-over-pay-in-port-3")
    assert article.url.endswith("port-3")
    assert article.title == "Harbour Pilots Strike Over Pay in Port 3"
    assert len(article.body.split("\n\n")) == 3


def test_a_scraper_that_keeps_the_whole_article_body_on_one_line() -> None:
    lines = text_dump(4).splitlines()
    body = lines[-3:]
    doc = "\n".join([*lines[:-3], " ".join(body), *body])
    article = parse_text(doc)
    assert article.body.split("\n\n") == body


def test_a_french_dump_with_rfc_dates_and_byline() -> None:
    doc = "\n".join(
        [
            "https://journal.example.fr/politique/2025/11/04/le-budget-adopte-de-justesse",
            "Le budget adopté de justesse",
            "Le Journal",
            "Tue, 04 Nov 2025 18:30:00 +0100",
            "fr_FR",
            "By Claire Dubois",
            "Le budget adopté de justesse",
            "L'Assemblée nationale a adopté mardi soir le budget de l'État, à une voix près, après trois jours de débats.",
            "Les députés de l'opposition ont dénoncé un texte qui ne règle pas la question de la dette publique.",
        ]
    )
    article = parse_text(doc)
    assert article.title == "Le budget adopté de justesse"
    assert article.language == "fr"
    assert article.authors == ["Claire Dubois"]
    assert article.published_at == datetime(2025, 11, 4, 17, 30, tzinfo=UTC)
    assert article.body.startswith("L'Assemblée nationale") and "dette publique." in article.body


def test_language_is_detected_when_the_dump_names_none() -> None:
    doc = "\n".join(
        [
            "https://zeitung.example.de/wirtschaft/hafen-streik",
            "Streik im Hafen legt Verkehr lahm",
            "Die Lotsen im Hafen haben am Montag die Arbeit niedergelegt, weil die Verhandlungen gescheitert sind.",
            "Die Gewerkschaft kündigte an, den Streik bis zum Ende der Woche fortzusetzen, falls kein Angebot kommt.",
        ]
    )
    assert parse_text(doc).language == "de"


DUMP_DIR = SHARED / "corpus" / "dumps"
DUMPS = sorted(DUMP_DIR.glob("*.txt"))


def test_every_real_dump_parses_with_a_url_title_and_body() -> None:
    require_shared(DUMP_DIR)
    missing_body = []
    for path in DUMPS:
        article = parse(path.read_bytes(), hints=Hints()).article
        assert article.url.startswith("http") and article.title, path.name
        if not article.body:
            missing_body.append(path.name)
    assert len(missing_body) <= 2, missing_body


def test_real_dump_bodies_end_with_the_annotated_body() -> None:
    require_shared(DUMP_DIR)
    # Each dump's last line is the last paragraph of the human-annotated body.
    misses = [p.name for p in DUMPS if not _ends_with_last_line(p)]
    assert len(misses) <= 3, misses


def _ends_with_last_line(path: Path) -> bool:
    article = parse(path.read_bytes(), hints=Hints()).article
    last = path.read_text().rstrip("\n").splitlines()[-1].strip()
    return bool(article.body) and article.body.endswith(" ".join(last.split()))


def test_tags_with_digits_are_tags_but_ids_are_not() -> None:
    doc = "\n".join(
        [
            "https://health.example.com/news/g7-leaders-agree-covid-19-vaccine-fund",
            "G7 Leaders Agree Covid-19 Vaccine Fund",
            "i-09e2",
            "covid-19",
            "g7",
            "vaccines",
            "@post-id:1913719",
            "Leaders of the G7 agreed on Friday to pay into a fund for covid-19 vaccines for poorer countries.",
            "The fund will buy vaccines in bulk and hand them out through the health agencies of the G7 nations.",
        ]
    )
    article = parse_text(doc)
    assert article.tags == ["covid-19", "g7", "vaccines"]


@pytest.mark.parametrize(
    ("line", "expected", "has_time"),
    [
        ("2019/11/19", "2019-11-19T00:00:00+00:00", False),
        ("November 19, 2019, 07:47 PM EST", "2019-11-20T00:47:00+00:00", True),
        ("Tuesday, Nov. 19th, 2019", "2019-11-19T00:00:00+00:00", False),
        ("01:38 PM IST Nov 20, 2019", "2019-11-20T00:00:00+00:00", False),  # IST is three zones: the day only
    ],
)
def test_printed_dates_are_read(line: str, expected: str, has_time: bool) -> None:
    parsed = parse_printed_date(line)
    assert parsed is not None
    assert (parsed[0].astimezone(UTC).isoformat(), parsed[1]) == (expected, has_time)


@pytest.mark.parametrize(
    "line", ["May 2019", "Sale ends Nov 20 2019 BIG", "I was born in May 2019 at home", "2019/13/40"]
)
def test_lines_that_only_mention_a_date_are_not_dates(line: str) -> None:
    assert parse_printed_date(line) is None


def dump_of(*lines: str) -> str:
    body = [
        "The minister said the plan would be published in full next week after a vote in parliament.",
        "Opposition parties said they would study the details before deciding how to vote on the measure.",
    ]
    return "\n".join(["https://paper.example/politics/economy-in-stress-time-to-be-careful", *lines, *body])


def test_a_sentence_case_headline_is_the_title_and_a_credit_line_the_author() -> None:
    text = dump_of(
        "Economy in stress and markets on a high; time to be careful?",
        "The minister set out a plan on Tuesday to cut spending by a tenth over three years.",
        "Economy in stress and markets on a high; time to be careful?",
        "Dana Whitfield, Daily Ledger",
        "November 19, 2019, 07:47 PM EST",
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.title == "Economy in stress and markets on a high; time to be careful?"
    assert draft.authors == ["Dana Whitfield"]
    assert draft.published_at is not None and draft.published_at.isoformat() == "2019-11-19T19:47:00-05:00"


def test_a_standfirst_that_opens_the_body_is_not_taken_for_the_headline() -> None:
    opening = "The minister said the plan would be published in full next week after a vote in parliament"
    draft = dump_parser.parse(dump_of(opening, opening, "Spending Plan Unveiled"), Hints())
    assert draft.title == "Spending Plan Unveiled"


def test_a_title_keeps_its_own_dash_loses_the_site_suffix_and_its_character_references() -> None:
    text = dump_of(
        "Impeachment,US Politics,State Legislature elections,Trump Administration and Congress",
        "Jedi Review &#8211; shoots for the moon, lands among the stars - Ledger",
        "Ledger",
        "Ledger",
        "Jedi Review &#8211; shoots for the moon, lands among the stars",
    )
    assert dump_parser.parse(text, Hints()).title == "Jedi Review – shoots for the moon, lands among the stars"


def test_a_headline_with_the_site_suffix_is_not_the_site_name() -> None:
    # The "Headline | Site" line spells the domain and repeats more often than the bare site name does.
    text = "\n".join(
        [
            "https://www.tidewheel.example/4410/chain-oiler-tested/",
            "Chain oiler tested | Tidewheel",
            "Chain oiler tested | Tidewheel",
            "Chain oiler tested | Tidewheel",
            "Tidewheel",
            "Tidewheel",
            "Marta Oyelaran",
            "Marta Oyelaran",
            "We fitted the oiler to three bikes and rode them through a wet month of commuting to see how it coped.",
            "It kept the chains clean and quiet, though the reservoir needs filling more often than the maker says.",
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.site_name == "Tidewheel"
    assert draft.title == "Chain oiler tested"
    assert draft.authors == ["Marta Oyelaran"]


def test_an_author_repeated_in_the_head_is_not_the_site_name() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "Priya Castellano",
        "Priya Castellano",
        "Priya Castellano",
        "Politics",
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.site_name is None
    assert draft.authors == ["Priya Castellano"]


def test_an_author_credit_beside_an_e_mail_is_not_the_publisher() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "Owen R. Maddox, Ledger.example",
        "omaddox@ledger.example",
        "Owen R. Maddox, Ledger.example",
        "2019-11-19T11:51:32Z",
        "Owen Maddox",
        "Owen Maddox | omaddox@ledger.example",
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.publisher != "Owen R. Maddox, Ledger.example"
    assert draft.authors == ["Owen R. Maddox"]  # the byline without the initial is the same person


def test_a_name_the_article_talks_about_is_a_topic_not_the_author() -> None:
    text = "\n".join(
        [
            "https://sport.example/hockey/wild-beat-sabres",
            "Wild beat Sabres as Parise scores twice",
            "2019-11-20T02:59:46Z",
            "Minnesota Wild",
            "Lena Brodeur",
            "Lena Brodeur",
            "minnesota wild",
            "Parise scored twice and the Minnesota Wild beat the Buffalo Sabres 4-1 on Tuesday night.",
            "The win was their third in a row, and the first away from home since the start of the month.",
        ]
    )
    assert dump_parser.parse(text, Hints()).authors == ["Lena Brodeur"]


@pytest.mark.parametrize("organisation", ["Harbourline Publishing", "Kestrel Entertainment", "Download App"])
def test_organisation_names_are_not_authors(organisation: str) -> None:
    text = dump_of("Budget vote set for next week", organisation, organisation)
    assert dump_parser.parse(text, Hints()).authors == []


def test_a_date_with_its_zone_wins_over_the_same_instant_in_local_time() -> None:
    # "20:58:46" without an offset is the site's wall clock, eight hours behind the UTC value beside it.
    text = dump_of(
        "Budget vote set for next week", "2019-11-18 20:58:46", "2019-11-19T04:58:46Z", "2019-11-19T04:58:46Z"
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.published_at == datetime(2019, 11, 19, 4, 58, 46, tzinfo=UTC)


def test_a_day_given_once_is_left_out_when_the_page_repeats_its_own() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "2019-11-18T11:47:23-05:00",
        "2019-11-18T11:47:23-05:00",
        "2019-11-14T20:20:00-05:00",  # an embedded video's date, stated once
        "2019-11-18T11:47:23-05:00",
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.published_at is not None and draft.published_at.isoformat() == "2019-11-18T11:47:23-05:00"


def test_a_repeated_publication_date_years_before_the_update_is_kept() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "2016-09-01T20:10:36+00:00",
        "2014-09-15T14:22:02+00:00",
        "2016-09-01T20:10:36+00:00",
        "2014-09-15",
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.published_at == datetime(2014, 9, 15, 14, 22, 2, tzinfo=UTC)
    assert draft.modified_at == datetime(2016, 9, 1, 20, 10, 36, tzinfo=UTC)


def test_a_founding_date_is_still_left_out_when_no_date_repeats() -> None:
    text = dump_of("Budget vote set for next week", "1996-01-01T00:00:00Z", "2019-11-19T10:02:00Z")
    assert dump_parser.parse(text, Hints()).published_at == datetime(2019, 11, 19, 10, 2, tzinfo=UTC)


def test_a_body_that_lists_links_between_its_items_is_still_found() -> None:
    # Twenty "n) item" lines, each followed by its short link, outweigh the prose that opens the list.
    items = [line for n in range(1, 21) for line in (f"{n}) Tin robot model number {n}", f"http://lnk.example/{n}x")]
    intro = [
        "The sales start on Friday, and we went through the catalogues to pick the toys we grew up with.",
        "Every one of them is still made today, and most cost less than they did when we were children.",
    ]
    text = "\n".join(
        [
            "https://toys.example/friday-sales-for-grown-ups/",
            "Friday sales for grown-ups",
            "2017-11-23T10:00:33+00:00",
            *intro,
            *items,
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.body is not None
    paragraphs = draft.body.split("\n\n")
    assert paragraphs[:2] == intro and paragraphs[-1] == "http://lnk.example/20x"


@pytest.mark.parametrize("opening", ["WHAT THE COUNCIL DECIDED", "LERWICK, SHETLAND"])
def test_a_kicker_or_dateline_in_capitals_opens_the_body(opening: str) -> None:
    text = dump_of("Budget vote set for next week", "PAPER TODAY", "PAPER TODAY", opening)
    draft = dump_parser.parse(text, Hints())
    assert draft.body is not None and draft.body.split("\n\n")[0] == opening


@pytest.mark.parametrize("name", ["USA TODAY", "NFL"])
def test_a_name_in_capitals_before_the_body_stays_out_of_it(name: str) -> None:
    draft = dump_parser.parse(dump_of("Budget vote set for next week", name), Hints())
    assert draft.body is not None and draft.body.startswith("The minister said")


def test_a_headline_with_a_serial_comma_is_not_a_keyword_list() -> None:
    text = "\n".join(
        [
            "https://sport.example/2019/11/18/rovers-defensive-numbers-stats-and-notes-week-11",
            "Rovers’ defensive numbers, stats, and notes: Week 11",
            "Rovers’ defensive numbers, stats, and notes: Week 11",
            "Rovers v Athletic",
            "football,rovers,front-page",
            "Below, we go through the numbers on defence for the Rovers in their Week 11 game against Athletic.",
            "The back four played every snap, and the two new midfielders shared the rest of the minutes.",
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.title == "Rovers’ defensive numbers, stats, and notes: Week 11"
    assert "stats" not in draft.keywords


def test_a_path_that_spells_the_slug_is_not_the_title() -> None:
    slug = "harbour-trust-announces-a-partnership-with-two-ferry-lines"
    text = "\n".join(
        [
            f"https://www.trust.example/en/news/{slug}.html",
            f"/content/trust/en/news/{slug}",
            f"/content/trust/en/news/{slug}",
            "Harbour Trust announces a partnership with two ferry lines for the winter timetable",
            "The trust will sell through tickets on both lines from December, it said in a statement on Monday.",
            "Passengers will be able to change boats at the harbour without buying a second ticket.",
        ]
    )
    title = dump_parser.parse(text, Hints()).title
    assert title == "Harbour Trust announces a partnership with two ferry lines for the winter timetable"


def test_a_site_suffix_with_its_own_dash_is_dropped_whole() -> None:
    text = dump_of(
        "Friday sales for grown-ups - Toy Box 80/90 - Memorabilia of the 80s",
        "Friday sales for grown-ups - Toy Box 80/90 - Memorabilia of the 80s",
        "Toy Box 80/90 - Memorabilia of the 80s",
    )
    assert dump_parser.parse(text, Hints()).title == "Friday sales for grown-ups"


def test_tags_keep_topics_and_leave_out_a_cms_s_own_tokens() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "budget",
        "parliament",
        "channel_other",
        "wirefeed.example",
        "serversidehawk",
        "/PAPER/Politics/Spending Review",
    )
    assert dump_parser.parse(text, Hints()).tags == ["budget", "parliament", "Spending Review"]


def test_a_keyword_list_loses_its_internal_tokens_as_tags_but_keeps_them_as_keywords() -> None:
    draft = dump_parser.parse(dump_of("Budget vote set for next week", "@lll,spending-review,budget-2020"), Hints())
    assert draft.keywords == ["@lll", "spending-review", "budget-2020"]
    assert draft.tags == ["spending-review", "budget-2020"]


def test_the_section_of_the_url_is_neither_the_site_name_nor_a_tag() -> None:
    text = "\n".join(
        [
            "https://www.dailyledger.example/opinion/2019/11/19/republicans-follow-to-nowhere.html",
            "Opinion | Republicans follow to nowhere",
            "Opinion | Republicans follow to nowhere",
            "Opinion",
            "Opinion",
            "Elections",
            "Impeachment",
            "Medicaid",
            "The Daily Ledger",
            "Voters went to the polls four times this month in statewide races, and impeachment was in the air.",
            "Elections in three states gave the party a reason to think again about Medicaid and impeachment.",
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.site_name == "The Daily Ledger"  # its initials spell the domain's start
    assert draft.section == "Opinion"
    assert draft.tags == ["Elections", "Impeachment", "Medicaid"]
    assert draft.title == "Republicans follow to nowhere"


def test_a_credit_cut_off_after_its_separator_is_not_the_site_name() -> None:
    text = dump_of("Budget vote set for next week", "Amy Fenwick |", "Amy Fenwick |", "Amy Fenwick |")
    assert dump_parser.parse(text, Hints()).site_name is None


def test_a_name_followed_by_its_bio_is_the_author_even_as_one_word() -> None:
    text = dump_of(
        "Budget vote set for next week",
        "Marisol",
        "Marisol is a county reporter who has covered the council's spending for a decade.",
        "Daily Ledger",
        "Daily Ledger is the county's paper of record, printed every morning since the war.",
        "2019-11-19T10:02:00Z",
        "https://paper.example/authors/marisol",
        "Daily Ledger",
    )
    assert dump_parser.parse(text, Hints()).authors == ["Marisol"]


def test_a_writer_whose_e_mail_opens_the_body_is_still_the_author() -> None:
    text = "\n".join(
        [
            "https://paper.example/markets/listing-raises-more-than-planned",
            "Listing raises more than planned",
            "Nadia Okafor",
            "Nadia Okafor",
            "2019-11-19T10:02:00Z",
            "Reporter covering private markets, listings and the people who regulate them; email stories to"
            " nadia.okafor@paper.example",
            "The company raised more than it had planned from its second listing, pricing its shares at a discount.",
        ]
    )
    assert dump_parser.parse(text, Hints()).authors == ["Nadia Okafor"]


def test_an_iso_date_with_a_space_before_its_offset_is_a_date() -> None:
    text = dump_of("Budget vote set for next week", "2019-11-19 21:57:00 -0800")
    published = dump_parser.parse(text, Hints()).published_at
    assert published is not None and published.isoformat() == "2019-11-19T21:57:00-08:00"


def test_a_table_after_the_first_paragraph_does_not_cut_it_off() -> None:
    first = "Harbour Holdings reported quarterly earnings above estimates, sending its shares higher before the open."
    text = "\n".join(
        [
            "https://markets.example/earnings/harbour-holdings-beats-estimates",
            "Harbour Holdings beats estimates",
            "Harbour Holdings beats estimates",
            "2019-11-19T06:12:56-05:00",
            "Ledger Markets",
            first,
            "Ticker Security Last Change Change %",
            "HHX HARBOUR HOLDINGS 225.86 -12.99 -5.44%",
            "FRY FERRY LINES 113.40 -1.62 -1.41%",
            "The company earned $2.8 billion in the quarter, or $2.53 a share, as sales rose by 3.5 per cent.",
            "Analysts had expected $2.52 a share on sales of $27.5 billion, according to a survey of forecasts.",
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.body is not None and draft.body.split("\n\n")[0] == first


def test_the_site_describing_itself_does_not_open_the_body() -> None:
    first = "Tested by: Marta Oyelaran. Price: £23.99. We fitted the oiler to three bikes for a wet month."
    text = "\n".join(
        [
            "https://www.tidewheel.example/4410/chain-oiler-tested/",
            "Chain oiler tested",
            "Chain oiler tested",
            "2014-06-13T11:43:38+01:00",
            "tidewheel.example brings the latest bike reviews, news, events and kit from the road and the workshop.",
            first,
            "It kept the chains clean and quiet, though the reservoir needs filling more often than the maker says.",
        ]
    )
    draft = dump_parser.parse(text, Hints())
    assert draft.body is not None and draft.body.split("\n\n")[0] == first
