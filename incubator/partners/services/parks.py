"""Partner parks: their details, contacts, users and the webhook their exports go to."""

from __future__ import annotations

import secrets
from typing import Any

import msgspec

from incubator import outbound
from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.accounts import create_user, normalise_email
from incubator.auth.services.audit import Action
from incubator.auth.tables import Role, User
from incubator.db import write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.fields import read_email, read_text, read_url
from incubator.i18n import today_hk
from incubator.partners import policy
from incubator.partners.schemas import (
    ContactIn,
    Park,
    ParkDetail,
    PartnerIn,
    PartnerName,
    PartnerSummary,
    PartnerUserIn,
    WebhookIn,
)
from incubator.partners.services.conditions import LIVE_CONSENT, MOU_IN_FORCE
from incubator.partners.tables import PartnerContact, PartnerMembership, PartnerPark
from incubator.settings import Settings
from incubator.startups.tables import NOT_ACTIVE_SQL
from incubator.versions import held_version, next_version

PARK_FIELDS = ("name", "name_zh", "country", "city", "website", "notes")


def _clean_park(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean = {
        "name": read_text(data, "name", errors, 200, required=True),
        "name_zh": read_text(data, "name_zh", errors, 200),
        "country": read_text(data, "country", errors, 100, required=True),
        "city": read_text(data, "city", errors, 100),
        "website": read_url(data, "website", errors),
        "notes": read_text(data, "notes", errors, 4000),
    }
    if errors:
        raise ValidationFailed(errors)
    return clean


async def _name_taken(name: str, partner_id: int | None) -> bool:
    rows = await PartnerPark.raw(
        "SELECT id FROM partner_park WHERE lower(name) = lower({}) AND id <> {}",
        name,
        partner_id or 0,
    )
    return bool(rows)


async def create_partner(viewer: Viewer, partner: PartnerIn) -> int:
    await policy.require_partnership_staff(viewer, "add partner parks")
    clean = _clean_park(msgspec.structs.asdict(partner))
    async with write_transaction():
        if await _name_taken(clean["name"], None):
            raise Conflict(f"a partner park named {clean['name']} exists", {"name": "is taken"})
        rows = await PartnerPark.insert(PartnerPark(**clean)).returning(PartnerPark.id)
    return rows[0]["id"]


async def update_partner(
    viewer: Viewer, partner_id: int, partner: PartnerIn, expected_version: int | None = None
) -> None:
    """Change a partner park's details; with `expected_version` (the form's), a park changed
    since is refused."""
    await policy.require_partnership_staff(viewer, "change partner parks")
    await _park(partner_id)
    clean = _clean_park(msgspec.structs.asdict(partner))
    async with write_transaction():
        await held_version(PartnerPark, partner_id, expected_version, "partner park")
        if await _name_taken(clean["name"], partner_id):
            raise Conflict(f"a partner park named {clean['name']} exists", {"name": "is taken"})
        values = {getattr(PartnerPark, k): v for k, v in clean.items()}
        await PartnerPark.update(values | next_version(PartnerPark, viewer)).where(
            PartnerPark.id == partner_id
        )


async def _park(partner_id: int) -> dict:
    row = await PartnerPark.select().where(PartnerPark.id == partner_id).first()
    if row is None:
        raise NotFound(f"there is no partner park {partner_id}")
    return row


async def partner_row(partner_id: int) -> Park:
    """The park's own details (no secret)."""
    return msgspec.convert(await _park(partner_id), Park)


async def require_view_partner(viewer: Viewer, partner_id: int) -> Park:
    """Staff see every partner park; a partner user sees only their own."""
    policy.require_staff_or_partner(viewer)
    if viewer.is_partner:
        caller = await policy.partner_of(viewer)
        if caller is None or caller.partner_id != partner_id:
            raise NotFound(f"there is no partner park {partner_id}")
    return await partner_row(partner_id)


# A live consent of a start-up still in the community: what the partner list counts, the
# partner's page says, and an export would hold if the MOU's scope took every start-up.
# Counted as the partner's live consents (off the `sharing_consent_live` index) less those of
# the few start-ups not active, found from the start-ups' side (CROSS JOIN keeps SQLite to
# that order): testing each consent's start-up read all 100,000 start-ups for each partner
# (46 -> 7 ms for three partners of 20,000 consents each on PostgreSQL). Takes the day twice.
LIVE_CONSENTS = (
    f"((SELECT COUNT(*) FROM sharing_consent c WHERE c.partner = p.id AND {LIVE_CONSENT}) - "
    "(SELECT COUNT(*) FROM startup s CROSS JOIN sharing_consent c WHERE c.startup = s.id "
    f"AND c.partner = p.id AND s.status IN ({NOT_ACTIVE_SQL}) AND {LIVE_CONSENT}))"
)


async def list_partners(viewer: Viewer) -> list[PartnerSummary]:
    """Every partner park with its live MOUs, consents and users, for staff."""
    policy.require_staff(viewer, "see the partner parks")
    today = today_hk()
    rows = await PartnerPark.raw(
        f"""
        SELECT p.id, p.name, p.name_zh, p.country, p.city, p.website, p.version,
          (SELECT COUNT(*) FROM mou m WHERE m.partner = p.id AND {MOU_IN_FORCE}) AS live_mous,
          (SELECT MIN(m.expires_on) FROM mou m WHERE m.partner = p.id AND m.status = 'active'
             AND m.expires_on >= {{}}) AS next_expiry,
          {LIVE_CONSENTS} AS consents,
          (SELECT COUNT(*) FROM partner_membership pm WHERE pm.partner = p.id) AS users,
          (SELECT MAX(e.created_at) FROM referral_export e WHERE e.partner = p.id
             AND e.status = 'ready') AS last_export
        FROM partner_park p ORDER BY p.name
        """,
        *[today] * 5,
    )
    return msgspec.convert(rows, list[PartnerSummary], strict=False)


async def partner_details(viewer: Viewer, partner_id: int) -> ParkDetail:
    """The park, its contacts and users; the webhook secret only for partnership staff."""
    await require_view_partner(viewer, partner_id)
    park = await _park(partner_id)
    staff = await policy.is_partnership_staff(viewer)
    park["can_manage"] = staff
    if not staff:
        park["webhook_secret"] = ""
    park["contacts"] = (
        await PartnerContact.select()
        .where(PartnerContact.partner == partner_id)
        .order_by(PartnerContact.id)
    )
    park["users"] = (
        await PartnerMembership.select(
            PartnerMembership.user.id.as_alias("id"),
            PartnerMembership.user.name.as_alias("name"),
            PartnerMembership.user.email.as_alias("email"),
            PartnerMembership.user.is_active.as_alias("is_active"),
        )
        .where(PartnerMembership.partner == partner_id)
        .order_by(PartnerMembership.user.name)
    )
    park["consents"] = await live_consents(partner_id)
    return msgspec.convert(park, ParkDetail)


async def live_consents(partner_id: int) -> int:
    rows = await PartnerPark.raw(
        f"SELECT {LIVE_CONSENTS} AS n FROM partner_park p WHERE p.id = {{}}",
        today_hk(),
        today_hk(),
        partner_id,
    )
    return int(rows[0]["n"]) if rows else 0


async def partner_names() -> list[PartnerName]:
    rows = await PartnerPark.select(
        PartnerPark.id, PartnerPark.name, PartnerPark.name_zh, PartnerPark.country
    ).order_by(PartnerPark.name)
    return msgspec.convert(rows, list[PartnerName])


async def add_contact(viewer: Viewer, partner_id: int, contact: ContactIn) -> int:
    await policy.require_partnership_staff(viewer, "change partner contacts")
    await _park(partner_id)
    data = msgspec.structs.asdict(contact)
    errors: dict[str, str] = {}
    clean = {
        "name": read_text(data, "name", errors, 200, required=True),
        "title": read_text(data, "title", errors, 120),
        "email": read_email(data, "email", errors),
        "phone": read_text(data, "phone", errors, 40),
    }
    if errors:
        raise ValidationFailed(errors)
    rows = await PartnerContact.insert(PartnerContact(partner=partner_id, **clean)).returning(
        PartnerContact.id
    )
    return rows[0]["id"]


async def remove_contact(viewer: Viewer, partner_id: int, contact_id: int) -> None:
    await policy.require_partnership_staff(viewer, "change partner contacts")
    deleted = (
        await PartnerContact.delete()
        .where((PartnerContact.id == contact_id) & (PartnerContact.partner == partner_id))
        .returning(PartnerContact.id)
    )
    if not deleted:
        raise NotFound(f"partner park {partner_id} has no contact {contact_id}")


async def add_partner_user(viewer: Viewer, partner_id: int, user: PartnerUserIn) -> int:
    """A partner user for this park: a new account, or an existing partner-role account that
    belongs to no park yet."""
    await policy.require_partnership_staff(viewer, "add partner users")
    park = await _park(partner_id)
    email = normalise_email(user.email)
    existing = await User.select(User.id, User.role).where(User.email == email).first()
    if existing is None:
        user_id = await create_user(
            email,
            user.name,
            user.password,
            Role.partner,
            by=viewer,
            detail={"partner": park["name"]},
        )
    elif existing["role"] != Role.partner.value:
        raise ValidationFailed({"email": f"{email} is a {existing['role']}, not a partner user"})
    else:
        user_id = existing["id"]
    async with write_transaction():
        other = (
            await PartnerMembership.select(PartnerMembership.partner.name)
            .where(PartnerMembership.user == user_id)
            .first()
        )
        if other is not None:
            raise Conflict(
                f"{email} already belongs to {other['partner.name']}",
                {"email": f"already belongs to {other['partner.name']}"},
            )
        await PartnerMembership.insert(PartnerMembership(user=user_id, partner=park["id"]))
        await audit.record(
            viewer, Action.partner_user_added, f"{user.name} <{email}>", {"partner": park["name"]}
        )
    return user_id


async def remove_partner_user(viewer: Viewer, partner_id: int, user_id: int) -> None:
    await policy.require_partnership_staff(viewer, "remove partner users")
    async with write_transaction():
        deleted = (
            await PartnerMembership.delete()
            .where((PartnerMembership.partner == partner_id) & (PartnerMembership.user == user_id))
            .returning(PartnerMembership.id)
        )
        if not deleted:
            raise NotFound(f"user {user_id} is not a user of partner park {partner_id}")
        person = await User.select(User.name, User.email).where(User.id == user_id).first()
        park = await _park(partner_id)
        subject = f"{person['name']} <{person['email']}>" if person else f"user {user_id}"
        await audit.record(viewer, Action.partner_user_removed, subject, {"partner": park["name"]})


async def set_webhook(
    settings: Settings, viewer: Viewer, partner_id: int, webhook: WebhookIn
) -> str:
    """Set (or clear) the endpoint exports are pushed to: https on a public address (or an
    allow-listed host). A first endpoint, or `rotate`, makes a new signing secret; the secret
    is returned so it can be handed to the partner."""
    await policy.require_partnership_staff(viewer, "change a partner's webhook")
    park = await _park(partner_id)
    errors: dict[str, str] = {}
    url = read_url(msgspec.structs.asdict(webhook), "webhook_url", errors)
    if url and not errors:
        try:
            await outbound.resolve(url, settings.webhook_allowed_hosts)
        except outbound.Unresolved:
            pass  # a name unknown today may resolve when exports go out; checked then
        except outbound.Refused as exc:
            errors["webhook_url"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    secret = park["webhook_secret"]
    if url and (not secret or webhook.rotate):
        secret = "whsec_" + secrets.token_urlsafe(32)
    await PartnerPark.update(
        {PartnerPark.webhook_url: url, PartnerPark.webhook_secret: secret}
    ).where(PartnerPark.id == partner_id)
    return secret
