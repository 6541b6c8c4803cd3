"""Bytes in, correct text out: BOM, HTTP header, <meta>/<?xml?> declaration, then detection."""

import codecs
import json
from pathlib import Path

import pytest

from app.domain import Hints
from app.errors import UnsupportedFormat
from app.reader.decode import decode
from app.reader.pipeline import parse

FIXTURES = Path(__file__).parent / "fixtures" / "encodings"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
PAGES = sorted(p.name for p in FIXTURES.glob("*.html"))


@pytest.mark.parametrize("name", PAGES)
def test_declared_and_undeclared_pages_decode(name: str) -> None:
    lang = name.split("-")[0]
    article = parse((FIXTURES / name).read_bytes(), hints=Hints()).article
    assert article.title == EXPECTED[lang]["title"]
    assert article.body is not None and EXPECTED[lang]["sentence"] in article.body
    assert article.language == lang


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_the_http_header_charset_is_used(lang: str) -> None:
    encoding = EXPECTED[lang]["encoding"]
    data = (FIXTURES / f"{lang}-{encoding}-undeclared.html").read_bytes()
    text = decode(data, content_type=f"text/html; charset={encoding}")
    assert EXPECTED[lang]["sentence"] in text


def test_the_header_wins_over_a_wrong_meta() -> None:
    data = (
        (FIXTURES / "ru-windows-1251-undeclared.html")
        .read_bytes()
        .replace(b"<head>", b'<head><meta charset="iso-8859-1">')
    )
    assert EXPECTED["ru"]["sentence"] in decode(data, content_type="text/html; charset=windows-1251")


def test_iso_8859_1_is_read_as_windows_1252() -> None:
    # Pages labelled Latin-1 routinely use windows-1252's curly quotes and euro sign (bytes 0x80-0x9f).
    data = '<meta charset="iso-8859-1"><p>\u201cPrices\u201d rose 5 \u20ac.</p>'.encode("cp1252")
    assert "\u201cPrices\u201d rose 5 \u20ac." in decode(data)


def test_gb2312_and_shift_jis_labels_use_their_supersets() -> None:
    assert decode('<meta charset="gb2312"><p>\u9555</p>'.encode("gb18030")).endswith("\u9555</p>")  # not in GB2312
    assert decode('<meta charset="shift_jis"><p>\u2460</p>'.encode("cp932")).endswith("\u2460</p>")  # NEC extension


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_a_bom_wins_over_everything(bom: bytes, codec: str) -> None:
    data = bom + '<meta charset="windows-1251"><p>Grüße, 世界</p>'.encode(codec)
    assert decode(data, content_type="text/html; charset=iso-8859-1").endswith("<p>Grüße, 世界</p>")


def test_xml_declarations_are_read() -> None:
    data = '<?xml version="1.0" encoding="windows-1251"?><rss><title>Новости</title></rss>'.encode("cp1251")
    assert "Новости" in decode(data)


def test_a_wrong_declaration_falls_back_to_the_bytes() -> None:
    data = '<meta charset="windows-1251"><p>日本語のテキスト</p>'.encode()  # says cp1251, is UTF-8
    assert "日本語のテキスト" in decode(data)


def test_binary_labelled_as_html_is_refused() -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 8
    with pytest.raises(UnsupportedFormat):
        parse(png, hints=Hints(content_type="text/html; charset=utf-8", url="https://e.example/a"))
