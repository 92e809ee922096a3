"""A profile's change history as people read it: each recorded value (kept as the change
wrote it: slugs, codes, `programme (status, from to until)`) shown with names and words in
the reader's language."""

from __future__ import annotations

import re
from typing import Any

from incubator.i18n import gettext, named
from incubator.startups.schemas import ChoiceLists, HistoryEntry
from incubator.startups.tables import STAGE_NAMES

STATUS_NAMES = {"active": "Active", "archived": "Archived", "applicant": "Applicant"}
_PROGRAMME = re.compile(
    r"^(?P<slug>[\w-]+) \((?P<status>\w+), (?P<start>[\d-]+)(?: to (?P<end>[\d-]+))?\)$"
)
_LOGO = re.compile(r"^image/(?P<kind>\w+), (?P<size>\d+) bytes$")


def _names(choices: ChoiceLists, language: str) -> dict[str, dict[str, str]]:
    def by_slug(rows) -> dict[str, str]:
        return {r.slug: named(language, r.name_en, r.name_zh) for r in rows}

    return {
        "clusters": by_slug(choices.clusters),
        "centres": by_slug(choices.centres),
        "programmes": by_slug(choices.programmes),
    }


def _shown(field: str, value: str, names: dict[str, dict[str, str]], language: str) -> str:
    if not value:
        return ""
    if field == "stage":
        return gettext(language, STAGE_NAMES.get(value, value))
    if field == "status":
        return gettext(language, STATUS_NAMES.get(value, value))
    if field in ("clusters", "centres"):
        return ", ".join(names[field].get(slug, slug) for slug in value.split(", "))
    if field == "programmes":
        shown = []
        for entry in value.split("; "):
            if found := _PROGRAMME.match(entry):
                name = names["programmes"].get(found["slug"], found["slug"])
                dates = found["start"] + (f" – {found['end']}" if found["end"] else "")
                shown.append(f"{name} ({gettext(language, found['status'])}, {dates})")
            else:
                shown.append(entry)
        return "; ".join(shown)
    if field == "logo" and (found := _LOGO.match(value)):
        return gettext(language, "%(kind)s image, %(size)s KB") % {
            "kind": found["kind"].upper(),
            "size": f"{max(int(found['size']) // 1024, 1):,}",
        }
    return value


def history_rows(
    history: list[HistoryEntry], choices: ChoiceLists, language: str
) -> list[dict[str, Any]]:
    """Each change with its values as the reader reads them (`before`, `after`)."""
    names = _names(choices, language)
    return [
        {
            "changed_at": h.changed_at,
            "actor_name": h.actor_name,
            "field": h.field,
            "before": _shown(h.field, h.old_value, names, language),
            "after": _shown(h.field, h.new_value, names, language),
        }
        for h in history
    ]
