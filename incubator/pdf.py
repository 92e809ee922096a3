"""PDFs people keep and print (the academy's certificates, the quarterly report).

Every character is drawn with one font family that the file carries itself: Noto Sans CJK (or
Source Han Sans, the same design), its Hong Kong face, embedded as a subset of the glyphs the
document uses. Nothing depends on the fonts of the reader's machine, so poppler, MuPDF, PDFium
and pdf.js show the same English, Chinese and Hong Kong characters (嘅, 𨋢).

The font is read from INCUBATOR_PDF_FONT (a .ttc, .otf or .ttf file), or found where the
operating system keeps fonts (Debian: `apt-get install fonts-noto-cjk`). Without one, PDFs use
the PDF standard Helvetica: English reads right and any other character shows as "?"; the
console says so when the app starts (`font_line`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

FAMILY = "text"
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
)
# The regular weight's file names, in order of preference; the bold one is the same with Bold.
FONT_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKhk-Regular.otf",
    "NotoSansCJKtc-Regular.otf",
    "NotoSansHK-Regular.otf",
    "NotoSansTC-Regular.otf",
    "SourceHanSans-Regular.ttc",
    "SourceHanSansHK-Regular.otf",
    "SourceHanSansTC-Regular.otf",
)
# Within a collection, the face drawn in Hong Kong's glyph forms first, then Taiwan's.
FACE_SUFFIXES = (" HK", " TC")

logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("fpdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Face:
    path: Path
    index: int  # the face's number within a .ttc collection, 0 in a single font file


def _face(path: Path) -> Face:
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return Face(path, 0)
    from fontTools.ttLib import TTCollection

    families = [font["name"].getDebugName(1) or "" for font in TTCollection(path, lazy=True)]
    for suffix in FACE_SUFFIXES:
        for index, family in enumerate(families):
            if family.endswith(suffix):
                return Face(path, index)
    return Face(path, 0)


def _regular_file() -> Path | None:
    configured = os.environ.get("INCUBATOR_PDF_FONT", "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise SystemExit(f"INCUBATOR_PDF_FONT names {configured!r}, which is not a font file")
        return path
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for name in FONT_FILES:
                for path in root.rglob(name):
                    found.setdefault(name, path)
    return next((found[name] for name in FONT_FILES if name in found), None)


@lru_cache(maxsize=1)
def faces() -> dict[str, Face] | None:
    """The regular ("") and bold ("B") faces, or None when this machine has no CJK font."""
    regular = _regular_file()
    if regular is None:
        return None
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    return {"": _face(regular), "B": _face(bold if bold.is_file() else regular)}


def font_line() -> str:
    """What the console says at start-up about the font PDFs carry."""
    found = faces()
    if found is None:
        return (
            "PDFs: no Chinese font found (install fonts-noto-cjk or set INCUBATOR_PDF_FONT): "
            "certificates and reports show Chinese characters as '?'"
        )
    return f"PDFs: text in {found[''].path.name}, embedded"


class Document(FPDF):
    """An A4 FPDF whose `text` family is the embedded font (regular and bold)."""

    def __init__(self, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, unit="pt", format="A4")
        self.set_auto_page_break(auto=False)
        self.embedded = faces()
        if self.embedded:
            for style, face in self.embedded.items():
                self.add_font(FAMILY, style, str(face.path), collection_font_number=face.index)
        self.set_creator("Cyberport community management system")

    def use(self, size: float, bold: bool = False) -> None:
        style = "B" if bold else ""
        if self.embedded:
            self.set_font(FAMILY, style, size)
        else:
            self.set_font("helvetica", style, size)

    def normalize_text(self, text: str) -> str:
        if not self.embedded and self.core_fonts_encoding:
            # Without an embedded font only Windows-1252 can be drawn: the rest reads "?".
            return text.encode(self.core_fonts_encoding, "replace").decode("latin-1")
        return super().normalize_text(text)

    def centred(self, y: float, text: str, size: float, bold: bool = False) -> None:
        """One line of text centred on the page, its baseline at `y` from the top."""
        self.use(size, bold)
        width = self.get_string_width(text)
        self.text((self.w - width) / 2, y, text)

    def fitted(self, text: str, width: float) -> str:
        """The text, cut with an ellipsis where it would be wider than `width`."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def bytes(self) -> bytes:
        return bytes(self.output())
