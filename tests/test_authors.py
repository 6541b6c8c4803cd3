"""Author credits to people."""

import pytest

from app.reader.authors import clean_authors


@pytest.mark.parametrize(
    ("credits", "people"),
    [
        (["By TOM KRISHER, AP Auto Writer"], ["Tom Krisher"]),
        (["Troy L. Smith, Cleveland.com"], ["Troy L. Smith"]),
        (["Amy Kuperinsky | NJ Advance Media for NJ.com"], ["Amy Kuperinsky"]),
        (["Finian Cunningham. Sputnik International"], ["Finian Cunningham"]),
        (["Victor Tangermann, Futurism"], ["Victor Tangermann"]),
        (["Mike Wuerthele and Malcolm Owen"], ["Mike Wuerthele", "Malcolm Owen"]),
        (["Lisa Kaczke, Trevor J. Mitchell"], ["Lisa Kaczke", "Trevor J. Mitchell"]),
        (["Reuters"], []),
        (["Associated Press"], []),
        (["News Nation Bureau"], []),
        (["jdadmin", "rmb8090", "KWCHCIK", "admin"], []),
        (["https://www.facebook.com/someone", "@handle"], []),
        (["Regan"], ["Regan"]),
        (["Венера Ерофеева"], ["Венера Ерофеева"]),
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
    ],
)
def test_credits(credits: list[str], people: list[str]) -> None:
    assert clean_authors(credits, not_people=[]) == people


def test_the_site_and_publisher_are_not_authors() -> None:
    assert clean_authors(["LinkNaija", "AppleInsider", "Jane Doe"], not_people=["LinkNaija", "appleinsider.com"]) == [
        "Jane Doe"
    ]
