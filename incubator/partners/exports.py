"""Referral exports: the start-ups a partner may receive, and only their consented fields.

An export is built once, in batches, and kept: its bytes in `export_chunk` rows (so every
worker serves and pushes the same file, and its SHA-256 stays true), its log in
`referral_export` and `export_item` (who asked, which partner, when, which start-ups with
which fields). Building and downloading both stream: memory holds a batch, never the file.

What goes in: active start-ups in the scope of the partner's live MOU (its clusters and
stages) that hold a live consent for this partner. Nothing else, in any format.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

from incubator.auth.viewer import Viewer
from incubator.db import bulk_insert, utcnow, write_transaction
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.i18n import today_hk
from incubator.partners import mous, policy
from incubator.partners.conditions import LIVE_CONSENT
from incubator.partners.consent import FIELDS, split_fields
from incubator.partners.policy import PartnerCaller
from incubator.partners.tables import (
    ExportChunk,
    ExportItem,
    MouCluster,
    PartnerPark,
    ReferralExport,
)
from incubator.startups.tables import StartupCluster
from incubator.tableformats import MEDIA_TYPES, encoder

FORMATS = tuple(MEDIA_TYPES)
COLUMNS = ["slug"] + [column for columns in FIELDS.values() for column in columns]
BATCH = 1000
CHUNK_BYTES = 256 * 1024
_PROFILE_COLUMNS = [c for c in COLUMNS if c not in ("slug", "clusters")]


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
    viewer: Viewer, partner_id: int, fmt: str, caller: PartnerCaller | None = None
) -> int:
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
    rows = await ReferralExport.insert(
        ReferralExport(
            partner=partner_id,
            mou=mou["id"],
            format=fmt,
            requested_by=user_id,
            requested_by_name=name,
            columns=",".join(COLUMNS),
        )
    ).returning(ReferralExport.id)
    export_id = rows[0]["id"]
    try:
        await _build(export_id, park[0], mou, fmt)
    except Exception as exc:
        await ReferralExport.update(
            {ReferralExport.status: "failed", ReferralExport.error: str(exc)[:2000]}
        ).where(ReferralExport.id == export_id)
        raise
    return export_id


async def _build(export_id: int, park: dict, mou: dict, fmt: str) -> None:
    clusters = [
        r["cluster"]
        for r in await MouCluster.select(MouCluster.cluster).where(MouCluster.mou == mou["id"])
    ]
    scope, scope_args = mous.scope_condition(mou, clusters)
    meta = {
        "partner": park["name"],
        "mou": mou["title"],
        "export": export_id,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "title": f"{park['name']} referrals",
    }
    table = encoder(fmt, COLUMNS, meta)
    digest = hashlib.sha256()
    pending = bytearray(table.start())
    seq = count = size = 0
    last_id = 0
    today = today_hk()
    select = ", ".join(f"s.{c}" for c in _PROFILE_COLUMNS)
    while True:
        batch = await PartnerPark.raw(
            f"""
            SELECT s.id, s.slug, {select}, c.fields AS consented
            FROM sharing_consent c JOIN startup s ON s.id = c.startup
            WHERE c.partner = {{}} AND c.startup > {{}} AND s.id > {{}}
              AND {LIVE_CONSENT} AND {scope}
            ORDER BY c.startup LIMIT {BATCH}
            """,
            park["id"],
            last_id,
            last_id,  # bounds both sides, so a merge join does not rescan from the first id
            today,
            *scope_args,
        )
        if not batch:
            break
        last_id = batch[-1]["id"]
        names = await _cluster_names(batch[0]["id"], last_id)
        shaped, items = [], []
        for row in batch:
            fields = split_fields(row["consented"])
            record: dict[str, Any] = {"slug": row["slug"]}
            for field in fields:
                for column in FIELDS[field]:
                    record[column] = (
                        names.get(row["id"], []) if column == "clusters" else row[column]
                    )
                    if column == "tags":
                        record[column] = [t for t in (row["tags"] or "").split(",") if t]
            shaped.append(record)
            items.append((export_id, row["id"], row["name_en"], ",".join(fields)))
        pending += table.rows(shaped)
        count += len(batch)
        chunks, pending = _full_chunks(pending)
        async with write_transaction():
            for data in chunks:
                digest.update(data)
                size += len(data)
                await ExportChunk.insert(ExportChunk(export=export_id, seq=seq, data=data))
                seq += 1
            await bulk_insert(ExportItem, ("export", "startup", "startup_name", "fields"), items)
    pending += table.finish()
    async with write_transaction():
        if pending:
            data = bytes(pending)
            digest.update(data)
            size += len(data)
            await ExportChunk.insert(ExportChunk(export=export_id, seq=seq, data=data))
        await ReferralExport.update(
            {
                ReferralExport.status: "ready",
                ReferralExport.row_count: count,
                ReferralExport.size_bytes: size,
                ReferralExport.sha256: digest.hexdigest(),
                ReferralExport.finished_at: utcnow(),
            }
        ).where(ReferralExport.id == export_id)


def _full_chunks(pending: bytearray) -> tuple[list[bytes], bytearray]:
    chunks = []
    while len(pending) >= CHUNK_BYTES:
        chunks.append(bytes(pending[:CHUNK_BYTES]))
        del pending[:CHUNK_BYTES]
    return chunks, pending


async def _cluster_names(first_id: int, last_id: int) -> dict[int, list[str]]:
    """Cluster names of the start-ups with ids in [first_id, last_id] (a range is far cheaper
    to send than a list of a thousand ids)."""
    rows = await StartupCluster.raw(
        "SELECT sc.startup, c.name_en AS name FROM startup_cluster sc "
        "JOIN cluster c ON c.id = sc.cluster WHERE sc.startup BETWEEN {} AND {}",
        first_id,
        last_id,
    )
    names: dict[int, list[str]] = {}
    for row in rows:
        names.setdefault(row["startup"], []).append(row["name"])
    return {k: sorted(v) for k, v in names.items()}


async def get_export(
    viewer: Viewer, export_id: int, caller: PartnerCaller | None = None
) -> dict[str, Any]:
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
    return row


async def export_items(viewer: Viewer, export_id: int) -> list[dict]:
    """Which start-ups went out in an export, with which fields (the log's detail)."""
    await get_export(viewer, export_id)
    return (
        await ExportItem.select(ExportItem.startup, ExportItem.startup_name, ExportItem.fields)
        .where(ExportItem.export == export_id)
        .order_by(ExportItem.startup_name)
    )


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
) -> dict[str, Any]:
    export = await get_export(viewer, export_id, caller)
    if export["status"] != "ready":
        raise ValidationFailed(
            {"export": f"export {export_id} is {export['status']}, so it cannot be downloaded"}
        )
    return export


async def list_exports(
    viewer: Viewer, partner_id: int | None = None, caller: PartnerCaller | None = None
) -> list[dict]:
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
    return await query.limit(200)


async def received_my_data(viewer: Viewer, startup_id: int) -> list[dict]:
    """Who received this start-up's data: each export it was in (partner, when, fields),
    for its editors."""
    from incubator.startups.policy import require_edit

    await require_edit(viewer, startup_id)
    return await ExportItem.raw(
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
