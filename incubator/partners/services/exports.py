"""Referral exports: the start-ups a partner may receive, and only their consented fields.

An export is built once, in batches, and kept: its bytes in `export_chunk` rows (so every
worker serves and pushes the same file, and its SHA-256 stays true), its log in
`referral_export` and `export_item` (who asked, which partner, when, which start-ups with
which fields). Building and downloading both stream: memory holds a batch, never the file.

What goes in: active start-ups in the scope of the partner's live MOU (its clusters and
stages) that hold a live consent for this partner. Nothing else, in any format.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import (
    alongside,
    in_transaction,
    is_postgres,
    lock_row,
    utcnow,
    write_transaction,
)
from incubator.db.streaming import write_beside_read
from incubator.downloads import MEDIA_TYPES, encoder
from incubator.downloads.csv_files import COPY_END, CsvEncoder
from incubator.errors import Forbidden, NotFound, TooManyRequests, ValidationFailed
from incubator.partners import policy
from incubator.partners.policy import PartnerCaller
from incubator.partners.schemas import Export, ExportItemOut, ExportOut, MouRow, Received
from incubator.partners.services import mous
from incubator.partners.services.export_rows import (
    COLUMNS,
    HEADER,
    ConsentMasks,
    chosen_startups,
    columns_sql,
    csv_cells,
    csv_joins,
    json_row,
    sheet_row,
)
from incubator.partners.tables import ExportChunk, ExportItem, PartnerPark, ReferralExport

FORMATS = tuple(MEDIA_TYPES)
BATCH = 1000
CHUNK_BYTES = 256 * 1024
RATE_WINDOW = timedelta(hours=1)
STORE_BYTES = 4 * CHUNK_BYTES  # chunks are written a few at a time, in one transaction


async def _who(viewer: Viewer, caller: PartnerCaller | None, partner_id: int) -> tuple:
    """(user id, name) of whoever asks for an export: partnership staff for any partner, a
    partner (user or token) for itself."""
    if caller is not None:
        if caller.partner_id != partner_id:
            raise Forbidden("a partner may export only its own referrals")
        return caller.user_id, caller.name
    await policy.require_partnership_staff(viewer, "make referral exports")
    return viewer.user_id, viewer.name


async def create_export(
    viewer: Viewer,
    partner_id: int,
    fmt: str,
    caller: PartnerCaller | None = None,
    hourly_limit: int | None = None,
) -> int:
    """A new export for the partner, built now. One asked for on demand (by a person or a
    partner's machine, not the schedule) passes `hourly_limit`, the settings' share: beyond
    it within the hour, the export is refused with a 429 that says when to try again."""
    user_id, name = await _who(viewer, caller, partner_id)
    if fmt not in FORMATS:
        raise ValidationFailed({"format": f"must be one of {', '.join(FORMATS)}"})
    park = await PartnerPark.select(PartnerPark.id, PartnerPark.name).where(
        PartnerPark.id == partner_id
    )
    if not park:
        raise NotFound(f"there is no partner park {partner_id}")
    mou = await mous.live_mou(partner_id)
    if mou is None:
        raise ValidationFailed(
            {"partner": f"{park[0]['name']} has no MOU in force, so nothing may be shared with it"}
        )
    async with write_transaction():
        # One request at a time per partner counts its exports and adds one.
        await lock_row(PartnerPark, partner_id)
        if hourly_limit is not None:
            await _within_rate(partner_id, hourly_limit)
        rows = await ReferralExport.insert(
            ReferralExport(
                partner=partner_id,
                mou=mou.id,
                format=fmt,
                requested_by=user_id,
                requested_by_name=name,
                columns=",".join(COLUMNS),
            )
        ).returning(ReferralExport.id)
        by_machine = caller is not None and not viewer.is_authenticated  # a token, the schedule
        actor = replace(viewer, user_id=user_id, name=name) if by_machine else viewer
        subject = f"{park[0]['name']}: {mou.title}"
        await audit.record(actor, Action.export_made, subject, {"format": fmt})
    export_id = rows[0]["id"]
    try:
        await _build(export_id, park[0], mou, fmt)
    except Exception as exc:
        await ReferralExport.update(
            {ReferralExport.status: "failed", ReferralExport.error: str(exc)[:2000]}
        ).where(ReferralExport.id == export_id)
        raise
    return export_id


async def _build(export_id: int, park: dict, mou: MouRow, fmt: str) -> None:
    """Write the export's log (one row per start-up, with the fields it consented to) and,
    beside it, read the same start-ups from the same snapshot through one cursor in batches,
    encode them and store the file's chunks: the log and the file always agree, and the
    database writes the log while Python makes the file. The next batch is read and the last
    chunks written while this batch is encoded (each on its own connection). A CSV file on
    PostgreSQL is written by the server (COPY), Python only changing its line ends."""
    choose = await chosen_startups(park["id"], mou)
    chosen, chosen_args = choose()
    log = (
        f"INSERT INTO export_item (export, startup, startup_name, fields) "
        f"SELECT {{}}, s.id, s.name_en, c.fields {chosen}",
        [export_id, *chosen_args],
    )
    meta = {
        "partner": park["name"],
        "mou": mou.title,
        "export": export_id,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "title": f"{park['name']} referrals",
    }
    table = encoder(fmt, COLUMNS if fmt == "json" else HEADER, meta)
    copy = isinstance(table, CsvEncoder) and is_postgres()
    encode: Callable[[Any], tuple[bytes, int]]
    if isinstance(table, CsvEncoder):
        joined, read_args = choose(csv_joins())
        if copy:  # the server writes the CSV: no cell becomes a Python object
            query, encode = f"SELECT {csv_cells()}, chr({COPY_END}) {joined}", table.copied
        else:
            query = f"SELECT {csv_cells()} {joined}"

            def encode(batch: list[tuple]) -> tuple[bytes, int]:
                return table.text_rows(batch), len(batch)

    else:
        query, read_args = (
            f"SELECT c.fields, {columns_sql(sheet=fmt != 'json')} {chosen}",
            chosen_args,
        )
        shaped = json_row if fmt == "json" else sheet_row
        consents = ConsentMasks()

        def encode(batch: list[tuple]) -> tuple[bytes, int]:
            rows = [shaped(cells, consents(fields)) for fields, *cells in batch]
            return table.rows(rows), len(rows)

    digest = hashlib.sha256()
    pending = bytearray(table.start())
    seq = count = size = 0

    def numbered(full: list[bytes]) -> list[tuple[int, bytes]]:
        """The file's next chunks with their sequence numbers, counted into its size and hash."""
        nonlocal seq, size
        chunks = []
        for data in full:
            digest.update(data)
            size += len(data)
            chunks.append((seq, data))
            seq += 1
        return chunks

    async def insert(chunks: list[tuple[int, bytes]]) -> None:
        for number, data in chunks:
            await ExportChunk.insert(ExportChunk(export=export_id, seq=number, data=data))

    async def store(chunks: list[tuple[int, bytes]]) -> None:
        async with write_transaction():
            await insert(chunks)

    # Inside a caller's transaction the read and the writes share one connection, and a
    # write between a cursor's reads can abort SQLite's cursor: the chunks wait for the end.
    inside = in_transaction()
    writing = None
    beside = write_beside_read(log, (query, read_args), size=BATCH, copy_csv=copy)
    async with beside as (batches, logged):
        reading = await alongside(anext(batches, None))
        try:
            while (batch := await reading) is not None:
                reading = await alongside(anext(batches, None))
                data, rows = encode(batch)
                pending += data
                count += rows
                if len(pending) < STORE_BYTES or inside:
                    continue
                full, pending = _full_chunks(pending)
                chunks = numbered(full)
                if writing is not None:
                    await writing
                writing = await alongside(store(chunks))
            if writing is not None:
                await writing
            await logged
        except BaseException:  # no task outlives the build: the export is marked failed after
            for task in (reading, writing):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task
            raise
    # The rest of the file (all of an XLSX workbook, which is zipped at the end) is stored as
    # it comes, and the last chunk with the export's outcome.
    for data in table.finish():
        pending += data
        full, pending = _full_chunks(pending)
        if full:
            await store(numbered(full))
    chunks = numbered([bytes(pending)] if pending else [])
    async with write_transaction():
        await insert(chunks)
        await ReferralExport.update(
            {
                ReferralExport.status: "ready",
                ReferralExport.row_count: count,
                ReferralExport.size_bytes: size,
                ReferralExport.sha256: digest.hexdigest(),
                ReferralExport.finished_at: utcnow(),
            }
        ).where(ReferralExport.id == export_id)


async def _within_rate(partner_id: int, per_hour: int) -> None:
    """Refuse (429, with when to try again) an export beyond the partner's hourly share."""
    since = utcnow() - RATE_WINDOW
    recent = await ReferralExport.select(ReferralExport.created_at).where(
        (ReferralExport.partner == partner_id) & (ReferralExport.created_at > since)
    )
    if len(recent) < per_hour:
        return
    oldest = min(r["created_at"] for r in recent)
    wait = max(1, int((oldest + RATE_WINDOW - utcnow()).total_seconds()) + 1)
    raise TooManyRequests(
        f"this partner has had {len(recent)} exports in the last hour, the most allowed; "
        f"try again in {-(-wait // 60)} minutes",
        retry_after=wait,
    )


def _full_chunks(pending: bytearray) -> tuple[list[bytes], bytearray]:
    chunks = []
    while len(pending) >= CHUNK_BYTES:
        chunks.append(bytes(pending[:CHUNK_BYTES]))
        del pending[:CHUNK_BYTES]
    return chunks, pending


async def get_export(viewer: Viewer, export_id: int, caller: PartnerCaller | None = None) -> Export:
    row = (
        await ReferralExport.select(
            ReferralExport.all_columns(),
            ReferralExport.partner.name.as_alias("partner_name"),
            ReferralExport.mou.title.as_alias("mou_title"),
        )
        .where(ReferralExport.id == export_id)
        .first()
    )
    if caller is not None:
        if row is None or row["partner"] != caller.partner_id:
            raise NotFound(f"there is no export {export_id}")
    else:
        await policy.require_partnership_staff(viewer, "see referral exports")
        if row is None:
            raise NotFound(f"there is no export {export_id}")
    row["filename"] = f"referrals-{export_id}.{row['format']}"
    row["media_type"] = MEDIA_TYPES[row["format"]]
    return msgspec.convert(row, Export)


ITEMS_PER_PAGE = 100


async def export_items(viewer: Viewer, export_id: int, page: int = 1) -> list[ExportItemOut]:
    """Which start-ups went out in an export, with which fields (the log's detail), by name,
    a page of ITEMS_PER_PAGE at a time (an export of the whole park lists 100,000): the
    export's own row count says how many pages there are."""
    await get_export(viewer, export_id)
    rows = (
        await ExportItem.select(ExportItem.startup, ExportItem.startup_name, ExportItem.fields)
        .where(ExportItem.export == export_id)
        .order_by(ExportItem.startup_name)
        .order_by(ExportItem.id)
        .limit(ITEMS_PER_PAGE)
        .offset((max(page, 1) - 1) * ITEMS_PER_PAGE)
    )
    return msgspec.convert(rows, list[ExportItemOut])


async def stream_chunks(export_id: int) -> AsyncIterator[bytes]:
    """The export file's bytes in order, a chunk at a time."""
    seq = 0
    while True:
        row = (
            await ExportChunk.select(ExportChunk.data)
            .where((ExportChunk.export == export_id) & (ExportChunk.seq == seq))
            .first()
        )
        if row is None:
            return
        yield bytes(row["data"])
        seq += 1


async def open_download(
    viewer: Viewer, export_id: int, caller: PartnerCaller | None = None
) -> Export:
    export = await get_export(viewer, export_id, caller)
    if export.status != "ready":
        raise ValidationFailed(
            {"export": f"export {export_id} is {export.status}, so it cannot be downloaded"}
        )
    return export


async def list_exports(
    viewer: Viewer, partner_id: int | None = None, caller: PartnerCaller | None = None
) -> list[ExportOut]:
    """The export log, newest first: for partnership staff (all, or one partner's), or a
    partner's own."""
    if caller is not None:
        partner_id = caller.partner_id
    else:
        await policy.require_partnership_staff(viewer, "see the export log")
    query = ReferralExport.select(
        ReferralExport.id,
        ReferralExport.partner,
        ReferralExport.partner.name.as_alias("partner_name"),
        ReferralExport.format,
        ReferralExport.status,
        ReferralExport.requested_by_name,
        ReferralExport.row_count,
        ReferralExport.size_bytes,
        ReferralExport.sha256,
        ReferralExport.created_at,
        ReferralExport.error,
    ).order_by(ReferralExport.id, ascending=False)
    if partner_id is not None:
        query = query.where(ReferralExport.partner == partner_id)
    return msgspec.convert(await query.limit(200), list[ExportOut])


async def received_my_data(viewer: Viewer, startup_id: int) -> list[Received]:
    """Who received this start-up's data: each export it was in (partner, when, fields),
    for its editors."""
    from incubator.startups.policy import require_edit

    await require_edit(viewer, startup_id)
    rows = await ExportItem.raw(
        """
        SELECT e.id AS export, e.created_at, e.format, p.name AS partner_name,
               p.name_zh AS partner_name_zh, i.fields
        FROM export_item i JOIN referral_export e ON e.id = i.export
        JOIN partner_park p ON p.id = e.partner
        WHERE i.startup = {} AND e.status = 'ready'
        ORDER BY e.created_at DESC LIMIT 200
        """,
        startup_id,
    )
    return msgspec.convert(rows, list[Received], strict=False)
