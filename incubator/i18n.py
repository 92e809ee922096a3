"""English and Traditional Chinese: Babel catalogs compiled in memory; the request's language."""

from __future__ import annotations

import io
import re
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

HONG_KONG = ZoneInfo("Asia/Hong_Kong")  # instants are stored in UTC and shown in this zone


def hk_text(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as Hong Kong time text; blank for None (the template filter `hk`). An
    instant SQLite's raw reads give as ISO text is read first, so no machine timestamp
    reaches a page."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] in (" ", "T"):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value.astimezone(HONG_KONG).strftime(fmt)
    return "" if value is None else str(value)


def named(language: str, english: str, chinese: str | None) -> str:
    """A name as the reader reads it: the Chinese one in Traditional Chinese when there is
    one, else the English one (the pages' `localised` for Python)."""
    return chinese if language == "zh-Hant" and chinese else english


def today_hk() -> date:
    """Today's date in Hong Kong: the day leases, onsite and reminders refer to."""
    return datetime.now(UTC).astimezone(HONG_KONG).date()


LANGUAGES = {"en": "English", "zh-Hant": "繁體中文"}
# The language of the request being served (set by the app's middleware): templates and
# macros imported without their caller's context translate with it.
REQUEST_LANGUAGE: ContextVar[str] = ContextVar("request_language", default="en")
DEFAULT_LANGUAGE = "en"
_LOCALE_DIR = Path(__file__).parent / "locale"
_CATALOG_DIRS = {"zh-Hant": "zh_Hant"}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language; the .po file is the only thing kept in git."""
    folder = _CATALOG_DIRS.get(language)
    if folder is None:
        return NullTranslations()
    with open(_LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=folder)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each catalog message with {name} placeholders (the messages services compose, such as
    "no start-up with id {startup_id}") as a pattern that reads the values back, longest
    literal text first so that the most specific pattern wins."""
    catalog = translations(language)
    found = []
    for msgid in getattr(catalog, "_catalog", {}):
        if isinstance(msgid, str) and _PLACEHOLDER.search(msgid):
            parts = _PLACEHOLDER.split(msgid)
            pattern = "".join(
                re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                for i, part in enumerate(parts)
            )
            found.append((re.compile(f"^{pattern}$", re.DOTALL), msgid))
    found.sort(key=lambda item: -len(_PLACEHOLDER.sub("", item[1])))
    return tuple(found)


def message(language: str, text: str) -> str:
    """A message in the reader's language: a catalog message as it is, or a message a service
    composed from a catalog template and values (the values translated where the catalog
    has them, such as a status)."""
    translated = gettext(language, text)
    if translated != text or language == DEFAULT_LANGUAGE or "{" in text:
        return translated
    return _composed(language, text)


@lru_cache(maxsize=4096)
def _composed(language: str, text: str) -> str:
    """A text no catalog message is, read against the templates (remembered: a page may
    pass the same data through `_` on every row)."""
    for pattern, msgid in _patterns(language):
        if found := pattern.match(text):
            values = {k: gettext(language, v) for k, v in found.groupdict().items()}
            return gettext(language, msgid).format(**values)
    return text


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def negotiate(cookie: str | None, preference: str | None, accept_language: str) -> str:
    """An explicit switch (cookie) first, then the account's preference, then the browser's."""
    for choice in (cookie, preference):
        if choice in LANGUAGES:
            return choice
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh") and not tag.startswith(("zh-cn", "zh-hans", "zh-sg")):
            return "zh-Hant"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


RULE = "must be a date and time written YYYY-MM-DD HH:MM (Hong Kong time)"


def parse_local(value: Any) -> datetime:
    """A UTC instant from "2026-12-01T14:00" or "2026-12-01 14:00" (Hong Kong time) or an
    aware datetime; ValueError names the rule."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=HONG_KONG)
    else:
        text = str(value or "").strip().replace(" ", "T")
        if not text:
            raise ValueError("is required")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(RULE) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=HONG_KONG)
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def local_input(moment: datetime | None) -> str:
    """What a datetime-local input shows: 2026-12-01T14:00 in Hong Kong time."""
    return "" if moment is None else moment.astimezone(HONG_KONG).strftime("%Y-%m-%dT%H:%M")
