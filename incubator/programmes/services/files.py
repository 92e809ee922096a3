"""Files that answer an application's file questions: checked by what they hold (PDF, PNG,
JPEG, or a Word, Excel or PowerPoint document) and by size, stored with the application,
and given back only to those who may see it, always as a download."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.programmes.schemas import ApplicationOut, QuestionKind
from incubator.programmes.services import applications
from incubator.programmes.services.calls import get_call
from incubator.programmes.tables import Application, ApplicationFile

_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
KINDS_RULE = "must be a PDF, PNG or JPEG file, or a Word, Excel or PowerPoint document"


def content_type_of(data: bytes) -> str | None:
    """What the file holds, by its first bytes (and, for a zip, the parts it names)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            for folder, content_type in _OFFICE.items():
                if any(name.startswith(folder) for name in names):
                    return content_type
    return None


def safe_filename(name: str) -> str:
    """The file's own name, less any folder, control characters and quotes (at most 200)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    cleaned = cleaned.replace('"', "").strip().lstrip(".") or "file"
    return cleaned[-200:]


async def upload(
    viewer: Viewer, application_id: int, question: str, filename: str, data: bytes, limit: int
) -> ApplicationOut:
    """Keep a file as the answer to a file question of a draft (replacing the last one)."""
    row = await applications.own(viewer, application_id)
    call = await get_call(row["call"])
    kinds = {q.key: q.kind for q in call.questions}
    if kinds.get(question) is not QuestionKind.file:
        raise ValidationFailed({"question": "must name a file question of this call"})
    if not data:
        raise ValidationFailed({question: "choose a file to upload"})
    if len(data) > limit:
        raise ValidationFailed({question: f"must be at most {limit / 1024 / 1024:.0f} MB"})
    content_type = content_type_of(data)
    if content_type is None:
        raise ValidationFailed({question: KINDS_RULE})
    async with write_transaction():
        current = await lock_row(Application, application_id, "id, status, version")
        if current["status"] != "draft":
            raise Conflict(f"this application is {current['status']}: it no longer changes")
        if not await applications.takes_now(row["call"]):
            raise Conflict(applications.closed_message(call))
        await ApplicationFile.delete().where(
            (ApplicationFile.application == application_id) & (ApplicationFile.question == question)
        )
        await ApplicationFile.insert(
            ApplicationFile(
                application=application_id,
                question=question,
                filename=safe_filename(filename),
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
            )
        )
        await Application.update(
            {Application.updated_at: utcnow(), Application.version: current["version"] + 1}
        ).where(Application.id == application_id)
    return await applications.get_application(viewer, application_id)


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str


async def download(viewer: Viewer, application_id: int, question: str) -> StoredFile:
    """A file of an application, to whoever may see the application."""
    await applications.get_application(viewer, application_id)
    row = (
        await ApplicationFile.select(
            ApplicationFile.filename,
            ApplicationFile.content_type,
            ApplicationFile.data,
            ApplicationFile.sha256,
        )
        .where(
            (ApplicationFile.application == application_id) & (ApplicationFile.question == question)
        )
        .first()
    )
    if row is None:
        raise NotFound(f"application {application_id} has no file for {question}")
    return StoredFile(row["filename"], row["content_type"], bytes(row["data"]), row["sha256"])


async def review_file(viewer: Viewer, review_id: int, question: str) -> StoredFile:
    """A file of the application a reviewer reviews (named by its question on a blind call)."""
    from incubator.programmes.services.reviews import blind_filename, get_review

    review = await get_review(viewer, review_id)
    row = (
        await ApplicationFile.select(
            ApplicationFile.question,
            ApplicationFile.filename,
            ApplicationFile.content_type,
            ApplicationFile.data,
            ApplicationFile.sha256,
        )
        .where(
            (ApplicationFile.application == review.application)
            & (ApplicationFile.question == question)
        )
        .first()
    )
    if row is None:
        raise NotFound(f"application {review.application} has no file for {question}")
    name = blind_filename(row) if review.blind else row["filename"]
    return StoredFile(name, row["content_type"], bytes(row["data"]), row["sha256"])
