"""Versions of the records people edit, so that no change silently overwrites another.

Profiles, units, leases, events, MOUs and partner parks carry a version, one more with every
change, and who made the last change and when. The API sends the version as an ETag and
honours If-Match; forms carry it in a hidden field. A change made against a version that is no
longer the current one is refused (412), says who changed the record and when, and writes
nothing; a form is shown again with the person's values and, beside each field, the value
saved meanwhile (`web.conflict_errors`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response
from piccolo.table import Table

from incubator.auth.schemas import Viewer
from incubator.db import instant, lock_row, utcnow
from incubator.errors import BadParameter, NotFound, StaleVersion
from incubator.i18n import hk_text


class EditConflict(StaleVersion):
    """A change made against a version that is no longer current: who changed it, when."""

    def __init__(self, what: str, version: int, by: str, at: datetime | None) -> None:
        self.version, self.by, self.at = version, by, at
        who = f" by {by}" if by else ""
        when = f" at {hk_text(at)} Hong Kong time" if at else ""
        super().__init__(
            f"{what} was changed{who}{when} since you read it (it is version {version} now): "
            "nothing was saved; read it again and reapply your change"
        )


async def held_version(
    table: type[Table], row_id: int, expected: int | None, what: str
) -> dict[str, Any]:
    """Inside a write transaction that changes the row: its version, held until the
    transaction ends (see db.lock_row); a stale `expected` version is refused."""
    row = await lock_row(table, row_id, "id, version, changed_by, changed_at")
    if row is None:
        raise NotFound(f"no {what} with id {row_id}")
    if expected is not None and row["version"] != expected:
        raise EditConflict(
            f"the {what}", row["version"], row["changed_by"], instant(row["changed_at"])
        )
    return row


def next_version(table: type[Table], viewer: Viewer) -> dict[Any, Any]:
    """The columns a change sets besides its own: one more version, by whom, when."""
    return {
        table.version: table.version + 1,  # type: ignore[attr-defined]
        table.changed_by: viewer.name or viewer.email,  # type: ignore[attr-defined]
        table.changed_at: utcnow(),  # type: ignore[attr-defined]
    }


def etag(version: int) -> str:
    return f'"v{version}"'


def versioned(detail: Any) -> Response:
    """An API answer of one versioned record (a Struct with `version`), with its ETag."""
    return Response(detail, headers={"ETag": etag(detail.version)})


def if_match(request: Request) -> int | None:
    """The version a request's If-Match names (`"v7"`, as the ETag gave it); None without
    one, and `*` (any version) is none; anything else is a 400 that says what it should be."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not (text.startswith("v") and text[1:].isdigit()):
        raise BadParameter({"If-Match": 'must be the ETag a GET answered, such as "v7"'})
    return int(text[1:])


def form_version(value: Any) -> int | None:
    """The version a form was opened at (its hidden `version` field); None when absent."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise BadParameter({"version": "must be the version the form was opened at"})
    return int(text)
