"""The certificate and the quarterly report read the same in independent PDF readers: PDFium
(Chrome's) and MuPDF extract the same English, Chinese and Hong Kong characters, render the
pages alike, and find every font embedded; the report's labels, bars and numbers never
overlap, in either language."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pymupdf
import pypdfium2
import pytest
from PIL import Image, ImageChops

from events.academy.certificate_pdf import certificate_pdf
from events.academy.schemas import Certificate
from incubator import pdf as pdf_module
from tests.conftest import login

NAME = "陳𨋢嘅 Chan Lift-ge"


@pytest.fixture
def cjk_font():
    if pdf_module.faces() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("a CJK font is required on CI (apt-get install fonts-noto-cjk)")
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")


def _certificate(**changes) -> Certificate:
    moment = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    fields = dict(
        code="W3A-ABCD-EFGH-JKLM-NPQR",
        valid=True,
        name=NAME,
        course_title_en="Web3 Fundamentals",
        course_title_zh="Web3 基礎課程",
        attended_percent=100,
        score=92,
        issued_at=moment,
        revoked_at=None,
        revoked_reason="",
        id=1,
        course=1,
        run=1,
        track="web3",
        run_starts_at=moment,
        run_ends_at=moment,
    )
    fields.update(changes)
    return Certificate(**fields)


def _texts(content: bytes) -> tuple[str, str]:
    """The text of every page, as PDFium and as MuPDF read it."""
    pdfium = pypdfium2.PdfDocument(content)
    by_pdfium = "\n".join(page.get_textpage().get_text_range() for page in pdfium)
    by_mupdf = "\n".join(page.get_text() for page in pymupdf.open(stream=content))
    return by_pdfium, by_mupdf


def _pictures(content: bytes, page: int = 0) -> tuple[Image.Image, Image.Image]:
    """One page rendered at 100 dpi in grey by each reader."""
    by_pdfium = pypdfium2.PdfDocument(content)[page].render(scale=100 / 72).to_pil().convert("L")
    pixmap = pymupdf.open(stream=content)[page].get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
    by_mupdf = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
    size = (min(by_pdfium.width, by_mupdf.width), min(by_pdfium.height, by_mupdf.height))
    return by_pdfium.crop((0, 0, *size)), by_mupdf.crop((0, 0, *size))


def _ink(picture: Image.Image) -> int:
    """How many pixels carry ink."""
    return sum(picture.histogram()[:250])


def _unlike(one: Image.Image, other: Image.Image) -> float:
    """The share of inked area where two renderings differ, seen at a quarter of the size
    (so that each reader's own anti-aliasing does not count, but another glyph would)."""
    size = (one.width // 4, one.height // 4)
    one, other = one.resize(size, Image.BOX), other.resize(size, Image.BOX)
    differing = sum(ImageChops.difference(one, other).histogram()[40:])
    return differing / max(_ink(one), 1)


def test_a_certificate_reads_and_looks_the_same_in_two_readers(cjk_font):
    content = certificate_pdf(_certificate())
    for text in _texts(content):
        for expected in (NAME, "結業證書", "Web3 基礎課程", "Certificate of Completion"):
            assert expected in text
    document = pymupdf.open(stream=content)
    fonts = document.get_page_fonts(0)
    assert fonts and all(ext != "n/a" for _, ext, *_ in fonts), fonts  # every font embedded
    assert len(content) < 200_000  # a subset, not the whole font

    pdfium, mupdf = _pictures(content)
    # The learner's name (its baseline 240 pt from the top, 28 pt high) is drawn by both.
    band = (0, int(205 * 100 / 72), pdfium.width, int(250 * 100 / 72))
    assert _ink(pdfium.crop(band)) > 2000 and _ink(mupdf.crop(band)) > 2000
    assert _unlike(pdfium, mupdf) < 0.05  # the same glyphs, not substitutes


def test_a_revoked_certificate_says_so_in_both_readers(cjk_font):
    content = certificate_pdf(_certificate(revoked_at=datetime.now(UTC), valid=False))
    for text in _texts(content):
        assert "REVOKED" in text and NAME in text


def test_without_a_chinese_font_the_pdf_is_still_made_and_english_reads(monkeypatch):
    monkeypatch.setattr(pdf_module, "faces", lambda: None)
    content = certificate_pdf(_certificate())
    for text in _texts(content):
        assert "Certificate of Completion" in text and "Chan Lift-ge" in text
        assert "?" in text  # the characters it cannot draw are marked, never dropped silently
    assert "no Chinese font found" in pdf_module.font_line()


def _overlaps(page: pymupdf.Page) -> list[str]:
    """Pairs of text spans, or a span and a bar, whose boxes cross on one page."""
    spans = [
        (pymupdf.Rect(span["bbox"]), span["text"])
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
        if span["text"].strip()
    ]
    bars = [
        (pymupdf.Rect(d["rect"]), "bar")
        for d in page.get_drawings()
        if d.get("fill") and d["rect"].height < 10
    ]
    found = []
    for i, (box, text) in enumerate(spans):
        inner = pymupdf.Rect(box.x0 + 0.5, box.y0 + 1.5, box.x1 - 0.5, box.y1 - 1.5)
        for other, other_text in spans[i + 1 :] + bars:
            if inner.intersects(other):
                found.append(f"{text!r} and {other_text!r}")
    return found


@pytest.mark.parametrize(
    "language, title, occupancy",
    [("en", "Quarterly report", "Occupancy by centre"), ("zh-Hant", "季度報告", "各中心的佔用率")],
)
async def test_the_quarterly_report_reads_in_both_readers_without_overlap(
    client, park, cjk_font, language, title, occupancy
):
    await login(client, park.users["admin"])
    client.cookies.set("lang", language)
    answer = await client.get("/reports/quarterly.pdf?quarter=2026-Q3")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    page_text = (await client.get("/reports/quarterly?quarter=2026-Q3")).text
    for text in _texts(answer.content):
        assert f"{title} 2026-Q3" in text and occupancy in text
        assert "Technology Centre" in text or "科技中心" in text
    assert occupancy in page_text  # the PDF names figures as the page does
    document = pymupdf.open(stream=answer.content)
    for number, page in enumerate(document):
        assert all(ext != "n/a" for _, ext, *_ in page.get_fonts()), number
        assert _overlaps(page) == [], f"page {number + 1}"
    assert _unlike(*_pictures(answer.content)) < 0.05
