"""Every page, as each kind of user reads it in each language: no internal codes (snake_case
keys, stages, roles), no machine timestamps, and in Traditional Chinese no interface text left
in English. The pages come from the app's own routes (as the privacy walk's), so a new page is
read without anyone adding it here. The two engines' runs share the work, as the HTML check's
do: English pages on SQLite, Traditional Chinese ones on PostgreSQL (both are read for codes
and machine times; the words are the templates', whatever the engine)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import login, make_client
from tests.test_who_sees_what_everywhere import _fills, _routes, _urls

KINDS = ["anonymous", "member", "manager", "partner", "admin"]
SNAKE = re.compile(r"(?<![\w@./:#=?&-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
MACHINE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}|[ T]\d{2}:\d{2}:\d{2}|[ T]\d{2}:\d{2}[+-]\d{2}:?\d{2})"
)
# Interface elements whose text is the product's own words, never data.
INTERFACE = {"label", "button", "legend", "summary", "caption", "thead"}
ALLOWED_LATIN = re.compile(
    r"^(?:[\W\d_]*|.*\b(?:CSV|XLSX|JSON|PDF|iCal|HK\$|Web3|FinTech|AI|QR|URL|MOU|API|ID|HKD|"
    r"email|sq ft|SHA-256|English)\b.*)$",
    re.IGNORECASE,
)


class _Text(HTMLParser):
    """The text people read: every text node outside scripts, styles, code and form values,
    and apart, the text of interface elements."""

    SKIP = {"script", "style", "code", "pre", "textarea", "svg", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.interface: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not data.strip() or self.SKIP & set(self.stack):
            return
        self.text.append(data.strip())
        if INTERFACE & set(self.stack):
            self.interface.append(data.strip())


def read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


async def pages_of(app, park, languages=("en", "zh-Hant")):
    """(kind, language, url, html) for every HTML page each kind of user opens: the page, or
    the error page they are shown instead."""
    fills = await _fills(park)
    pages = [
        url
        for route in _routes(app)
        if not route.startswith(("/api/", "/health", "/bench"))
        for url in _urls(route, fills)
    ]
    for kind in KINDS:
        for language in languages:
            client = make_client(app)
            async with client:
                if kind != "anonymous":
                    await login(client, park.users[kind])
                client.cookies.set("lang", language)
                for url in pages:
                    answer = await client.get(url)
                    kind_of = answer.headers.get("content-type", "")
                    if kind_of.startswith("text/html"):  # error pages are read too
                        yield kind, language, url, answer.text


async def problems_of(app, park, languages: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    async for kind, language, url, html in pages_of(app, park, languages):
        page = read(html)
        where = f"{kind} {language} {url}"
        for text in page.text:
            for code in SNAKE.findall(text):
                found.append(f"{where}: code {code!r} in {text[:80]!r}")
            for stamp in MACHINE_TIME.findall(text):
                found.append(f"{where}: machine time {stamp!r} in {text[:80]!r}")
        if language == "zh-Hant":
            for text in page.interface:
                if (
                    re.search(r"[A-Za-z]{3,}", text)
                    and not re.search(r"[\u3400-\u9fff]", text)
                    and not ALLOWED_LATIN.match(text)
                ):
                    found.append(f"{where}: English {text[:80]!r}")
    return found


async def test_every_page_reads_in_the_readers_words(app, park, engine_name):
    language = "en" if engine_name == "sqlite" else "zh-Hant"
    found = await problems_of(app, park, (language,))
    assert found == [], "\n".join(sorted(set(found)))
