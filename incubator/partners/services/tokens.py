"""Partner API tokens: a machine's revocable key to one partner park's exports and
referrals. The token is shown once; only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import utcnow, write_transaction
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.fields import read_text
from incubator.partners import policy
from incubator.partners.policy import PartnerCaller
from incubator.partners.schemas import TokenRow
from incubator.partners.tables import PartnerPark, PartnerToken

PREFIX = "cpk_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _require_manage_tokens(viewer: Viewer, partner_id: int) -> None:
    """Partnership staff, and the partner's own users, manage its tokens."""
    if viewer.is_partner:
        caller = await policy.require_partner(viewer)
        if caller.partner_id != partner_id:
            raise Forbidden("a partner manages only its own API tokens")
        return
    await policy.require_partnership_staff(viewer, "manage partner API tokens")
    if not await PartnerPark.exists().where(PartnerPark.id == partner_id):
        raise NotFound(f"there is no partner park {partner_id}")


async def create_token(viewer: Viewer, partner_id: int, label: str) -> str:
    await _require_manage_tokens(viewer, partner_id)
    errors: dict[str, str] = {}
    label = read_text({"label": label}, "label", errors, 100, required=True)
    if errors:
        raise ValidationFailed(errors)
    token = PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        await PartnerToken.insert(
            PartnerToken(
                partner=partner_id,
                label=label,
                token_hash=_hash(token),
                prefix=token[:10],
                created_by=viewer.user_id,
            )
        )
        await _audit(viewer, Action.token_created, partner_id, label, token[:10])
    return token


async def list_tokens(viewer: Viewer, partner_id: int) -> list[TokenRow]:
    await _require_manage_tokens(viewer, partner_id)
    rows = (
        await PartnerToken.select(
            PartnerToken.id,
            PartnerToken.label,
            PartnerToken.prefix,
            PartnerToken.created_at,
            PartnerToken.last_used_at,
            PartnerToken.revoked_at,
        )
        .where(PartnerToken.partner == partner_id)
        .order_by(PartnerToken.id, ascending=False)
    )
    return msgspec.convert(rows, list[TokenRow])


async def revoke_token(viewer: Viewer, partner_id: int, token_id: int) -> None:
    await _require_manage_tokens(viewer, partner_id)
    async with write_transaction():
        revoked = (
            await PartnerToken.update({PartnerToken.revoked_at: utcnow()})
            .where(
                (PartnerToken.id == token_id)
                & (PartnerToken.partner == partner_id)
                & PartnerToken.revoked_at.is_null()
            )
            .returning(PartnerToken.label, PartnerToken.prefix)
        )
        if not revoked:
            raise NotFound(f"partner park {partner_id} has no live token {token_id}")
        label, prefix = revoked[0]["label"], revoked[0]["prefix"]
        await _audit(viewer, Action.token_revoked, partner_id, label, prefix)


async def _audit(viewer: Viewer, action: Action, partner_id: int, label: str, prefix: str) -> None:
    park = await PartnerPark.select(PartnerPark.name).where(PartnerPark.id == partner_id).first()
    name = park["name"] if park else f"partner park {partner_id}"
    await audit.record(viewer, action, f"{label} ({prefix}…)", {"partner": name})


async def caller_for_token(token: str) -> PartnerCaller | None:
    """The partner a bearer token acts for, or None for an unknown or revoked token."""
    if not token.startswith(PREFIX):
        return None
    row = (
        await PartnerToken.select(
            PartnerToken.id,
            PartnerToken.partner,
            PartnerToken.label,
            PartnerToken.last_used_at,
            PartnerToken.partner.name.as_alias("partner_name"),
        )
        .where((PartnerToken.token_hash == _hash(token)) & PartnerToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    now = utcnow()
    # Recorded at most once a minute, so a busy client does not write on every call.
    if row["last_used_at"] is None or now - row["last_used_at"] > timedelta(minutes=1):
        await PartnerToken.update({PartnerToken.last_used_at: now}).where(
            PartnerToken.id == row["id"]
        )
    return PartnerCaller(
        partner_id=row["partner"],
        user_id=None,
        name=f"API token {row['label']} ({row['partner_name']})",
        token_id=row["id"],
    )
