"""Dates keep the offset the page printed; abbreviations we cannot place do not raise or warn."""

import warnings

import pytest

from app.reader.dates import parse_loose_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("November 3, 2026 9:30 AM EST", "2026-11-03T09:30:00-05:00"),
        ("2026-11-03 10:00 CEST", "2026-11-03T10:00:00+02:00"),
        ("Tue, 03 Nov 2026 09:30:00 +0100", "2026-11-03T09:30:00+01:00"),
        ("2026-11-03T09:30:00Z", "2026-11-03T09:30:00+00:00"),
    ],
)
def test_offsets_are_kept(text: str, iso: str) -> None:
    parsed = parse_loose_date(text)
    assert parsed is not None and parsed.isoformat() == iso


def test_an_ambiguous_abbreviation_is_read_as_utc_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = parse_loose_date("3 Nov 2026 10:00 IST")
    assert parsed is not None and parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("text", ["", "not a date", "0001-01-01", "1851-09-18"])
def test_non_dates_and_placeholders_are_none(text: str) -> None:
    assert parse_loose_date(text) is None
