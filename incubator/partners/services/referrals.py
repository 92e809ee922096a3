"""Referrals: our start-ups recommended to a partner park (outbound) and partners' start-ups
landing here (inbound), each with a pipeline of statuses and notes.

An outbound referral shares a start-up with a partner, so it needs the start-up's live
consent and a live MOU, and counts against the MOU's yearly quota; the quota is checked with
the MOU row locked, so concurrent referrals cannot overshoot it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.fields import read_email, read_text
from incubator.i18n import today_hk
from incubator.partners import policy
from incubator.partners.policy import PartnerCaller
from incubator.partners.schemas import (
    InboundIn,
    MoveIn,
    OutboundIn,
    ReferralDetail,
    ReferralView,
    StartupReferral,
)
from incubator.partners.services import mous
from incubator.partners.services.conditions import LIVE_CONSENT
from incubator.partners.services.consent import FIELDS, live_fields, live_fields_of
from incubator.partners.tables import Mou, PartnerPark, Referral, ReferralNote, ReferralStatus
from incubator.startups import policy as startup_policy
from incubator.startups.tables import Startup, StartupCluster

STATUSES = [s.value for s in ReferralStatus]
OPEN = ("proposed", "introduced", "in_discussion")


def quota_year(signed_on: date, day: date) -> tuple[date, date]:
    """The MOU year `day` falls in: from an anniversary of the signing to the day before the
    next one (29 February anniversaries fall on 28 February)."""

    def anniversary(year: int) -> date:
        try:
            return signed_on.replace(year=year)
        except ValueError:
            return date(year, 2, 28)

    start = anniversary(day.year)
    if start > day:
        start = anniversary(day.year - 1)
    end = anniversary(start.year + 1)
    return start, end


async def _startup(value: Any) -> dict:
    text = str(value or "").strip()
    query = Startup.select(Startup.id, Startup.name_en, Startup.status)
    row = await (
        query.where(Startup.id == int(text))
        if text.isdigit()
        else query.where(Startup.slug == text)
    ).first()
    if row is None:
        raise ValidationFailed({"startup": f"there is no start-up {text or '(blank)'}"})
    return row


async def refer_outbound(viewer: Viewer, referral: OutboundIn) -> int:
    """Recommend one of our start-ups to a partner park, under its live MOU."""
    data = msgspec.structs.asdict(referral)
    policy.require_staff(viewer, "refer start-ups to partner parks")
    errors: dict[str, str] = {}
    summary = read_text(data, "summary", errors, 4000)
    if errors:
        raise ValidationFailed(errors)
    startup = await _startup(data.get("startup"))
    if not (
        await policy.is_partnership_staff(viewer)
        or await startup_policy.can_manage(viewer, startup["id"])
    ):
        raise Forbidden("only the start-up's centre managers and partnership staff may refer it")
    partner_id = _partner_id(data)
    mou = await mous.live_mou(partner_id)
    if mou is None:
        raise ValidationFailed({"partner": "has no MOU in force: referrals go under a live MOU"})
    if startup["status"] != "active":
        raise ValidationFailed({"startup": f"{startup['name_en']} is not an active start-up"})
    if await live_fields(startup["id"], partner_id) is None:
        raise ValidationFailed(
            {"startup": f"{startup['name_en']} has not consented to be shared with this partner"}
        )
    async with write_transaction():
        await lock_row(Mou, mou.id)
        if await Referral.exists().where(
            (Referral.startup == startup["id"])
            & (Referral.partner == partner_id)
            & (Referral.direction == "outbound")
            & Referral.status.is_in(list(OPEN) + ["landed"])
        ):
            raise Conflict(f"{startup['name_en']} is already referred to this partner park")
        if mou.yearly_quota:
            start, end = quota_year(mou.signed_on, today_hk())
            used = await Referral.count().where(
                (Referral.mou == mou.id)
                & (Referral.direction == "outbound")
                & (Referral.status != "withdrawn")
                & (Referral.created_at >= _midnight(start))
                & (Referral.created_at < _midnight(end))
            )
            if used >= mou.yearly_quota:
                raise Conflict(
                    f"the MOU's quota of {mou.yearly_quota} referrals a year is used up "
                    f"until {end}",
                    {"partner": "quota used up"},
                )
        rows = await Referral.insert(
            Referral(
                direction="outbound",
                partner=partner_id,
                mou=mou.id,
                startup=startup["id"],
                summary=summary,
                status="proposed",
                created_by=viewer.user_id,
            )
        ).returning(Referral.id)
        await _note(rows[0]["id"], viewer.user_id, viewer.name, "", "", "proposed")
    return rows[0]["id"]


def _midnight(day: date):
    from datetime import datetime, time

    from incubator.i18n import HONG_KONG

    return datetime.combine(day, time(0), tzinfo=HONG_KONG)


def _partner_id(data: dict[str, Any]) -> int:
    value = data.get("partner")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed({"partner": "choose a partner park"}) from None


async def receive_inbound(
    viewer: Viewer, referral: InboundIn, caller: PartnerCaller | None = None
) -> int:
    """A partner's start-up coming to the park: entered by partnership staff, or sent by the
    partner itself (its users or its API token)."""
    data = msgspec.structs.asdict(referral)
    if caller is None:
        await policy.require_partnership_staff(viewer, "record inbound referrals")
        partner_id = _partner_id(data)
        if not await PartnerPark.exists().where(PartnerPark.id == partner_id):
            raise ValidationFailed({"partner": "choose a partner park"})
    else:
        partner_id = caller.partner_id
    errors: dict[str, str] = {}
    clean = {
        "company_name": read_text(data, "company_name", errors, 200, required=True),
        "company_country": read_text(data, "company_country", errors, 100),
        "contact_name": read_text(data, "contact_name", errors, 200),
        "contact_email": read_email(data, "contact_email", errors),
        "summary": read_text(data, "summary", errors, 4000),
    }
    if errors:
        raise ValidationFailed(errors)
    mou = await mous.live_mou(partner_id)
    author = caller.user_id if caller else viewer.user_id
    name = caller.name if caller else viewer.name
    async with write_transaction():
        rows = await Referral.insert(
            Referral(
                direction="inbound",
                partner=partner_id,
                mou=mou.id if mou else None,
                status="proposed",
                created_by=author,
                **clean,
            )
        ).returning(Referral.id)
        await _note(rows[0]["id"], author, name, "", "", "proposed")
    return rows[0]["id"]


async def _note(
    referral_id: int, author: int | None, name: str, body: str, before: str, after: str
) -> None:
    await ReferralNote.insert(
        ReferralNote(
            referral=referral_id,
            author=author,
            author_name=name,
            body=body,
            status_from=before,
            status_to=after,
        )
    )


async def move_referral(viewer: Viewer, referral_id: int, move: MoveIn) -> None:
    """Change a referral's status and/or add a note; an inbound referral that lands may be
    linked to the start-up it became."""
    data = msgspec.structs.asdict(move)
    await policy.require_partnership_staff(viewer, "move referrals along")
    errors: dict[str, str] = {}
    body = read_text(data, "note", errors, 4000)
    status = str(data.get("status") or "").strip()
    if status and status not in STATUSES:
        errors["status"] = f"must be one of {', '.join(STATUSES)}"
    if not status and not body:
        errors["note"] = "write a note or choose a new status"
    if errors:
        raise ValidationFailed(errors)
    landed_as = await _startup(data["startup"]) if str(data.get("startup") or "").strip() else None
    async with write_transaction():
        current = await lock_row(Referral, referral_id, "id, status, direction")
        if current is None:
            raise NotFound(f"there is no referral {referral_id}")
        values: dict[Any, Any] = {Referral.updated_at: utcnow()}
        if status and status != current["status"]:
            values[Referral.status] = status
        if landed_as is not None:
            if current["direction"] != "inbound":
                raise ValidationFailed({"startup": "only an inbound referral lands as a start-up"})
            values[Referral.startup] = landed_as["id"]
        await Referral.update(values).where(Referral.id == referral_id)
        moved = Referral.status in values
        await _note(
            referral_id,
            viewer.user_id,
            viewer.name,
            body,
            current["status"] if moved else "",
            status if moved else "",
        )


_COLUMNS = (
    "r.id, r.direction, r.partner, r.mou, r.startup, r.company_name, r.company_country, "
    "r.contact_name, r.contact_email, r.summary, r.status, r.created_at, r.updated_at, "
    "p.name AS partner_name, p.name_zh AS partner_name_zh, s.name_en AS startup_name_en, "
    "s.name_zh AS startup_name_zh, s.slug AS startup_slug"
)


async def list_referrals(
    viewer: Viewer,
    direction: str = "",
    status: str = "",
    partner_id: int | None = None,
    caller: PartnerCaller | None = None,
) -> list[ReferralView]:
    """The pipeline for staff; a partner sees the referrals between it and the park, outbound
    ones only while the start-up's consent is live."""
    if caller is None:
        policy.require_staff(viewer, "see referrals")
    where = ["1 = 1"]
    args: list[Any] = []
    if caller is not None:
        where.append("r.partner = {}")
        args.append(caller.partner_id)
        # A partner hears of an outbound referral once it is introduced, and only while the
        # start-up's consent to it is live.
        where.append(
            "(r.direction = 'inbound' OR r.status NOT IN ('proposed', 'withdrawn') "
            "AND EXISTS (SELECT 1 FROM sharing_consent c "
            f"WHERE c.startup = r.startup AND c.partner = r.partner AND {LIVE_CONSENT}))"
        )
        args.append(today_hk())
    elif partner_id is not None:
        where.append("r.partner = {}")
        args.append(partner_id)
    if direction in ("inbound", "outbound"):
        where.append("r.direction = {}")
        args.append(direction)
    if status in STATUSES:
        where.append("r.status = {}")
        args.append(status)
    rows = await Referral.raw(
        f"""
        SELECT {_COLUMNS}
        FROM referral r JOIN partner_park p ON p.id = r.partner
        LEFT JOIN startup s ON s.id = r.startup
        WHERE {" AND ".join(where)}
        ORDER BY r.updated_at DESC, r.id DESC LIMIT 500
        """,
        *args,
    )
    if caller is not None:
        await _shared_views(rows, caller.partner_id)
    return msgspec.convert(rows, list[ReferralView], strict=False)


# The consented fields in the order a referral shows them.
SHOWN_ORDER = [column for columns in FIELDS.values() for column in columns]


async def _shared_views(rows: list[dict], partner_id: int) -> None:
    """What a partner may see of each outbound referral's start-up: its consented fields
    (read for all the rows at once: two queries, whatever the number of rows)."""
    startups = [r["startup"] for r in rows if r["direction"] == "outbound" and r["startup"]]
    fields = await live_fields_of(startups, partner_id)
    every = {c for chosen in fields.values() for f in chosen for c in FIELDS[f]}
    columns = [c for c in SHOWN_ORDER if c in every - {"clusters"}]
    values = {
        r["id"]: r
        for r in (
            await Startup.select(Startup.id, *[getattr(Startup, c) for c in columns]).where(
                Startup.id.is_in(list(fields))
            )
            if fields and columns
            else []
        )
    }
    clusters: dict[int, list[dict]] = {}
    with_clusters = [sid for sid, chosen in fields.items() if "clusters" in chosen]
    if with_clusters:
        for link in await StartupCluster.select(
            StartupCluster.startup,
            StartupCluster.cluster.name_en.as_alias("name_en"),
            StartupCluster.cluster.name_zh.as_alias("name_zh"),
        ).where(StartupCluster.startup.is_in(with_clusters)):
            clusters.setdefault(link["startup"], []).append(link)
    for row in rows:
        chosen = fields.get(row["startup"], []) if row["direction"] == "outbound" else []
        allowed = {c for f in chosen for c in FIELDS[f]}
        known = dict(values.get(row["startup"], {}))
        if "tags" in known:
            known["tags"] = [t for t in known["tags"].split(",") if t]
        if "clusters" in allowed:
            known["clusters"] = clusters.get(row["startup"], [])
        row["shared"] = {c: known[c] for c in SHOWN_ORDER if c in allowed and c in known}
        if row["direction"] == "outbound" and "name" not in chosen:
            row["startup_name_en"] = row["startup_name_zh"] = ""


async def get_referral(
    viewer: Viewer, referral_id: int, caller: PartnerCaller | None = None
) -> ReferralDetail:
    if caller is None:
        policy.require_staff(viewer, "see referrals")
    rows = await Referral.raw(
        f"""SELECT {_COLUMNS} FROM referral r JOIN partner_park p ON p.id = r.partner
        LEFT JOIN startup s ON s.id = r.startup WHERE r.id = {{}}""",
        referral_id,
    )
    if not rows or (caller is not None and rows[0]["partner"] != caller.partner_id):
        raise NotFound(f"there is no referral {referral_id}")
    row = rows[0]
    if caller is not None:
        await _shared_views([row], caller.partner_id)
        hidden = row["status"] in ("proposed", "withdrawn")
        if row["direction"] == "outbound" and (hidden or not row["shared"]):
            raise NotFound(f"there is no referral {referral_id}")
    notes = (
        await ReferralNote.select()
        .where(ReferralNote.referral == referral_id)
        .order_by(ReferralNote.id, ascending=False)
    )
    if caller is not None:  # partners see how it moved, not the park's internal notes
        notes = [n | {"body": ""} for n in notes if n["status_to"]]
    row["notes"] = notes
    row["can_manage"] = caller is None and await policy.is_partnership_staff(viewer)
    return msgspec.convert(row, ReferralDetail, strict=False)


async def referrals_of_startup(viewer: Viewer, startup_id: int) -> list[StartupReferral]:
    """The partner parks this start-up was referred to, for its editors."""
    await startup_policy.require_edit(viewer, startup_id)
    rows = await Referral.raw(
        """
        SELECT r.id, r.status, r.created_at, p.name AS partner_name, p.name_zh AS partner_name_zh
        FROM referral r JOIN partner_park p ON p.id = r.partner
        WHERE r.startup = {} AND r.direction = 'outbound'
        ORDER BY r.created_at DESC
        """,
        startup_id,
    )
    return msgspec.convert(rows, list[StartupReferral], strict=False)
