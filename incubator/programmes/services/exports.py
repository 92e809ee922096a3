"""A call's applications as a CSV or XLSX file for those who run it: one row an application
(never one the viewer declared a conflict with), its panel's scores and every answer, read
in batches and encoded as the rows come (formulas neutralised by the encoders)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from incubator.auth.schemas import Viewer
from incubator.db import instant, is_postgres
from incubator.db.streaming import stream_rows
from incubator.downloads import MEDIA_TYPES, encoder
from incubator.i18n import hk_text
from incubator.money import format_hkd
from incubator.programmes import policy
from incubator.programmes.schemas import CallOut, Question, QuestionKind
from incubator.programmes.services.calls import centre_of, get_call
from incubator.programmes.services.panel import visible_to

FIXED = [
    "Application",
    "Start-up",
    "Status",
    "Submitted (Hong Kong time)",
    "Reviews scored",
    "Mean score",
    "Spread",
    "Shortlisted",
]
STATUS_NAMES = {
    "draft": "Draft",
    "submitted": "Submitted",
    "withdrawn": "Withdrawn",
    "admitted": "Admitted",
    "waitlisted": "On the waiting list",
    "declined": "Not offered a place",
}


def _answer(question: Question, value: Any, has_file: bool) -> Any:
    if question.kind is QuestionKind.file:
        return "uploaded" if has_file else ""
    if value is None:
        return None
    if question.kind is QuestionKind.amount:
        return format_hkd(value)
    return value


def _row(call: CallOut, cells: tuple) -> list[Any]:
    app_id, name, status, submitted, done, mean, spread, shortlisted, answers, files = cells
    given = json.loads(answers)
    uploaded = set((files or "").split(","))
    return [
        app_id,
        name,
        STATUS_NAMES.get(status, status),
        hk_text(instant(submitted)) if submitted else None,
        done,
        round(mean, 2) if mean is not None else None,
        round(spread, 2) if spread is not None else None,
        "yes" if shortlisted else "",
        *(_answer(q, given.get(q.key), q.key in uploaded) for q in call.questions),
    ]


async def call_export(
    viewer: Viewer, call_id: int, fmt: str
) -> tuple[str, str, AsyncIterator[bytes]]:
    """The file's name, its media type and its bytes as they are made."""
    await policy.require_run(viewer, await centre_of(call_id), "export this call's applications")
    call = await get_call(call_id)
    where, args = await visible_to(viewer, "a.call = {}", [call_id])
    joined = "string_agg(f.question, ',')" if is_postgres() else "group_concat(f.question, ',')"
    files = f"(SELECT {joined} FROM application_file f WHERE f.application = a.id)"
    sql = (
        "SELECT a.id, s.name_en, a.status, a.submitted_at, a.reviews_done, a.score_mean, "
        f"a.score_spread, a.shortlisted, a.answers, {files} "
        "FROM programme_application a JOIN startup s ON s.id = a.startup "
        f"WHERE {where} ORDER BY a.id"
    )
    columns = FIXED + [q.label_en for q in call.questions]
    table = encoder(fmt, columns, {"title": "Applications"})

    async def chunks() -> AsyncIterator[bytes]:
        yield table.start()
        async with contextlib.aclosing(stream_rows(sql, *args)) as batches:
            async for batch in batches:
                yield table.rows([_row(call, tuple(cells)) for cells in batch])
        for chunk in table.finish():
            yield chunk

    return f"call-{call_id}-applications.{fmt}", MEDIA_TYPES[fmt], chunks()
