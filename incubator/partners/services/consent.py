"""Start-ups' consent to be shared with a partner park: which profile fields, until when.

No consent, no sharing: everything a partner receives (exports, referrals) is drawn through
`conditions.LIVE_CONSENT` and only the fields the consent names. A consent is live when it has
not been withdrawn and its expiry date, if any, has not passed (in Hong Kong).
"""

from __future__ import annotations

from datetime import date

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import utcnow, write_transaction
from incubator.errors import NotFound, ValidationFailed
from incubator.fields import read_choices, read_date
from incubator.i18n import today_hk
from incubator.partners import policy
from incubator.partners.schemas import ConsentEvent, ConsentIn, ConsentOut
from incubator.partners.services.conditions import LIVE_CONSENT, MOU_IN_FORCE
from incubator.partners.tables import ConsentChange, PartnerPark, SharingConsent
from incubator.startups import policy as startup_policy
from incubator.startups.tables import Startup

# Shareable profile fields: the key a consent names, and the columns an export carries.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name_en", "name_zh"),
    "description": ("description_en", "description_zh"),
    "website": ("website",),
    "stage": ("stage",),
    "founded_year": ("founded_year",),
    "team_size": ("team_size",),
    "clusters": ("clusters",),
    "tags": ("tags",),
    "contact": ("contact_name", "contact_email", "contact_phone"),
    # The latest quarterly progress report's figures (of a start-up with a grant).
    "headcount": ("headcount",),
    "funds_raised": ("funds_raised_cents",),
}
REQUIRED_FIELDS = ("name",)
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "website": "Website",
    "stage": "Stage",
    "founded_year": "Year founded",
    "team_size": "Team size",
    "clusters": "Clusters",
    "tags": "Tags",
    "contact": "Contact person, email and phone",
    "headcount": "Headcount (latest progress report)",
    "funds_raised": "Funds raised in HKD (latest progress report)",
}


def split_fields(text: str) -> list[str]:
    return [f for f in text.split(",") if f in FIELDS]


def is_live(row: dict, day: date) -> bool:
    return row["withdrawn_at"] is None and (row["expires_on"] is None or row["expires_on"] >= day)


async def _require_edit(viewer: Viewer, startup_id: int) -> dict:
    startup = await Startup.select(Startup.id, Startup.name_en).where(Startup.id == startup_id)
    if not startup:
        raise NotFound(f"there is no start-up {startup_id}")
    await startup_policy.require_edit(viewer, startup_id)
    return startup[0]


async def consents_of(viewer: Viewer, startup_id: int) -> list[ConsentOut]:
    """Every partner park, with this start-up's consent to it (or none), for its editors."""
    await _require_edit(viewer, startup_id)
    today = today_hk()
    rows = await PartnerPark.raw(
        f"""
        SELECT p.id AS partner, p.name, p.name_zh, p.country, c.fields, c.expires_on,
               c.granted_at, c.withdrawn_at,
               EXISTS (SELECT 1 FROM mou m WHERE m.partner = p.id AND {MOU_IN_FORCE})
                 AS has_live_mou
        FROM partner_park p
        LEFT JOIN sharing_consent c ON c.partner = p.id AND c.startup = {{}}
        ORDER BY p.name
        """,
        today,
        today,
        startup_id,
    )
    for row in rows:
        row["field_list"] = split_fields(row["fields"] or "")
        row["live"] = row["fields"] is not None and is_live(row, today)
        row["has_live_mou"] = bool(row["has_live_mou"])
    return msgspec.convert(rows, list[ConsentOut], strict=False)


async def grant_consent(viewer: Viewer, startup_id: int, partner_id: int, grant: ConsentIn) -> None:
    """Grant consent, or change which fields and until when; recorded in the history."""
    data = msgspec.structs.asdict(grant)
    await _require_edit(viewer, startup_id)
    if not await PartnerPark.exists().where(PartnerPark.id == partner_id):
        raise NotFound(f"there is no partner park {partner_id}")
    errors: dict[str, str] = {}
    fields = read_choices(data, "fields", errors, FIELDS)
    if "fields" not in errors and not set(REQUIRED_FIELDS) <= set(fields):
        errors["fields"] = "must include the name: a partner cannot be referred a nameless start-up"
    expires_on = read_date(data, "expires_on", errors, required=False)
    if expires_on is not None and expires_on < today_hk():
        errors["expires_on"] = "must be today or later"
    if errors:
        raise ValidationFailed(errors)
    ordered = ",".join(f for f in FIELDS if f in fields)
    async with write_transaction():
        existing = (
            await SharingConsent.select()
            .where((SharingConsent.startup == startup_id) & (SharingConsent.partner == partner_id))
            .first()
        )
        values = {
            SharingConsent.fields: ordered,
            SharingConsent.expires_on: expires_on,
            SharingConsent.granted_at: utcnow(),
            SharingConsent.granted_by: viewer.user_id,
            SharingConsent.withdrawn_at: None,
        }
        if existing is None:
            await SharingConsent.insert(
                SharingConsent(
                    startup=startup_id,
                    partner=partner_id,
                    fields=ordered,
                    expires_on=expires_on,
                    granted_by=viewer.user_id,
                )
            )
            action = "granted"
        else:
            await SharingConsent.update(values).where(SharingConsent.id == existing["id"])
            action = "changed" if is_live(existing, today_hk()) else "granted"
        await _record(startup_id, partner_id, action, ordered, expires_on, viewer)


async def withdraw_consent(viewer: Viewer, startup_id: int, partner_id: int) -> None:
    await _require_edit(viewer, startup_id)
    async with write_transaction():
        updated = (
            await SharingConsent.update({SharingConsent.withdrawn_at: utcnow()})
            .where(
                (SharingConsent.startup == startup_id)
                & (SharingConsent.partner == partner_id)
                & SharingConsent.withdrawn_at.is_null()
            )
            .returning(SharingConsent.id)
        )
        if not updated:
            raise NotFound("there is no consent to withdraw for this partner park")
        await _record(startup_id, partner_id, "withdrawn", "", None, viewer)


async def _record(
    startup_id: int,
    partner_id: int,
    action: str,
    fields: str,
    expires_on: date | None,
    viewer: Viewer,
) -> None:
    await ConsentChange.insert(
        ConsentChange(
            startup=startup_id,
            partner=partner_id,
            action=action,
            fields=fields,
            expires_on=expires_on,
            actor=viewer.user_id,
            actor_name=viewer.name,
        )
    )
    if viewer.is_admin or viewer.is_manager:
        # A start-up's own members keep their consents; staff changing one is audited.
        names = (
            await SharingConsent.select(SharingConsent.startup.name_en, SharingConsent.partner.name)
            .where((SharingConsent.startup == startup_id) & (SharingConsent.partner == partner_id))
            .first()
        )
        subject = f"{names['startup.name_en']} → {names['partner.name']}"
        kind = Action.consent_withdrawn if action == "withdrawn" else Action.consent_granted
        detail = {"fields": split_fields(fields)} if fields else {}
        await audit.record(viewer, kind, subject, detail)


async def consent_history(viewer: Viewer, startup_id: int) -> list[ConsentEvent]:
    await _require_edit(viewer, startup_id)
    rows = (
        await ConsentChange.select(
            ConsentChange.all_columns(), ConsentChange.partner.name.as_alias("partner_name")
        )
        .where(ConsentChange.startup == startup_id)
        .order_by(ConsentChange.id, ascending=False)
        .limit(200)
    )
    return msgspec.convert(rows, list[ConsentEvent])


async def consented_groups(viewer: Viewer, startup_id: int) -> frozenset[str]:
    """The field groups a partner user's park may see of this start-up today (none without
    live consent): what the start-up core's visibility rule asks of partners."""
    caller = await policy.partner_of(viewer)
    if caller is None:
        return frozenset()
    return frozenset(await live_fields(startup_id, caller.partner_id) or [])


async def live_fields(startup_id: int, partner_id: int) -> list[str] | None:
    """The fields this start-up lets the partner have today; None without live consent."""
    return (await live_fields_of([startup_id], partner_id)).get(startup_id)


async def live_fields_of(startup_ids: list[int], partner_id: int) -> dict[int, list[str]]:
    """For each of these start-ups with a live consent to the partner, the fields it allows."""
    if not startup_ids:
        return {}
    marks = ", ".join("{}" for _ in startup_ids)
    rows = await SharingConsent.raw(
        f"SELECT c.startup, c.fields FROM sharing_consent c WHERE c.partner = {{}} "
        f"AND c.startup IN ({marks}) AND {LIVE_CONSENT}",
        partner_id,
        *startup_ids,
        today_hk(),
    )
    return {r["startup"]: split_fields(r["fields"]) for r in rows}
