"""A grant's form read into its command: HK$ amounts as people type them become cents, and
what cannot be read is named beside the field it was typed in (the service names the rest)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import FormMultiDict

from incubator.fields import read_date
from incubator.money import hkd_input, parse_hkd
from incubator.programmes.funding.schemas import GrantOut, MilestoneIn

BLANK_MILESTONES = 3  # empty rows the form offers after the grant's milestones
MILESTONE_FIELDS = ("title_en", "title_zh", "deliverables_en", "due_on", "tranche_cents")


def _cents(text: str, name: str, errors: dict[str, str], required: bool = True) -> int:
    if not text.strip():
        if required:
            errors[name] = "is required"
        return 0
    try:
        return parse_hkd(text)
    except ValueError as exc:
        errors[name] = str(exc)
        return 0


def _date(text: str, name: str, errors: dict[str, str]) -> date:
    """A date the terms require (a placeholder when it cannot be read: `errors` says so)."""
    return read_date({name: text}, name, errors) or date.min


async def uploaded_files(form: FormMultiDict, name: str = "evidence") -> list[tuple[str, bytes]]:
    """The files sent in a form's field (several may share its name)."""
    return [(f.filename, await f.read()) for f in form.getall(name, []) if hasattr(f, "read")]


def form_text(form: FormMultiDict) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def terms_from_form(
    text: dict[str, str],
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The terms a grant's form describes (the keywords of GrantIn and AmendmentIn), what of
    them could not be read, and the form's values to show again (its filled milestone rows
    numbered as the errors number them)."""
    errors: dict[str, str] = {}
    shown = {k: v for k, v in text.items() if not k.startswith("milestones.")}
    milestones = []
    n = 1
    while f"milestones.{n}.title_en" in text:
        at = f"milestones.{n}"
        row = {f: text.get(f"{at}.{f}", "") for f in MILESTONE_FIELDS}
        if any(v.strip() for v in row.values()):
            k = len(milestones) + 1
            shown |= {f"milestones.{k}.{f}": v for f, v in row.items()}
            milestones.append(
                MilestoneIn(
                    title_en=row["title_en"],
                    title_zh=row["title_zh"],
                    deliverables_en=row["deliverables_en"],
                    due_on=_date(row["due_on"], f"milestones.{k}.due_on", errors),
                    tranche_cents=_cents(
                        row["tranche_cents"], f"milestones.{k}.tranche_cents", errors
                    ),
                )
            )
        n += 1
    terms = {
        "total_cents": _cents(text.get("total_cents", ""), "total_cents", errors),
        "starts_on": _date(text.get("starts_on", ""), "starts_on", errors),
        "ends_on": _date(text.get("ends_on", ""), "ends_on", errors),
        "notes": text.get("notes", ""),
        "milestones": milestones,
    }
    return terms, errors, shown


def grant_values(grant: GrantOut) -> dict[str, str]:
    """A grant's terms as its form shows them for amending."""
    values = {
        "total_cents": hkd_input(grant.total_cents),
        "starts_on": str(grant.starts_on),
        "ends_on": str(grant.ends_on),
        "notes": grant.notes,
    }
    for n, m in enumerate(grant.milestones, start=1):
        values |= {
            f"milestones.{n}.title_en": m.title_en,
            f"milestones.{n}.title_zh": m.title_zh,
            f"milestones.{n}.deliverables_en": m.deliverables_en,
            f"milestones.{n}.due_on": str(m.due_on),
            f"milestones.{n}.tranche_cents": hkd_input(m.tranche_cents),
        }
    return values


def milestone_rows(values: dict[str, str]) -> int:
    """How many milestone rows the form shows: those filled, and some blank ones."""
    filled = 0
    while f"milestones.{filled + 1}.title_en" in values:
        filled += 1
    return filled + BLANK_MILESTONES


class ListQuery(msgspec.Struct, kw_only=True):
    """What a list page of grants or claims was asked for: its tab, one programme, a search
    and the page (what cannot be read is left out rather than refused: a list still shows)."""

    status: str
    programme: int | None
    text: str
    number: int

    @classmethod
    def of(cls, request: Request, status: str) -> ListQuery:
        query = request.query_params
        programme = query.get("programme", "").strip()
        number = query.get("page", "").strip()
        return cls(
            status=status,
            programme=int(programme) if programme.isdigit() and len(programme) < 10 else None,
            text=query.get("q", "").strip()[:200],
            number=int(number) if number.isdigit() and 0 < int(number) <= 100_000 else 1,
        )

    def params(self, **shown: Any) -> dict[str, Any]:
        """The query a pager or a tab link keeps (only what was asked)."""
        kept = {"status": self.status, "programme": self.programme or "", "q": self.text}
        return {k: v for k, v in (kept | shown).items() if v not in ("", None)}

    def result(self, rows: list, total: int, per_page: int) -> dict[str, Any]:
        """What the shared pager reads."""
        pages = max(1, -(-total // per_page))
        return {"rows": rows, "total": total, "page": self.number, "pages": pages}
