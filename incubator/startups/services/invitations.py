"""Inviting people into a start-up's team by a one-time link, sent by email when SMTP is set."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.services.accounts import check_email, create_user, normalise_email, token_hash
from incubator.auth.services.passwords import verify_password
from incubator.auth.tables import Role, User
from incubator.db import utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.mail import send_email
from incubator.settings import Settings
from incubator.startups import policy
from incubator.startups.schemas import OpenInvitation, PendingInvitation
from incubator.startups.tables import Invitation, Startup, StartupMembership

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationSent:
    email: str
    link: str
    emailed: bool
    error: str = ""


async def invite(
    settings: Settings, viewer: Viewer, startup_id: int, email: str, name: str = ""
) -> InvitationSent:
    await policy.require_edit(viewer, startup_id)
    email = normalise_email(email)
    errors = check_email(email)
    if errors:
        raise ValidationFailed(errors)
    startup = await Startup.select(Startup.name_en).where(Startup.id == startup_id).first()
    if startup is None:
        raise NotFound(f"no start-up with id {startup_id}")
    existing = await User.select(User.id, User.role).where(User.email == email).first()
    if existing and existing["role"] != Role.member.value:
        raise ValidationFailed(
            {"email": f"belongs to a {existing['role']} account, which cannot join a start-up team"}
        )
    if existing and await StartupMembership.exists().where(
        (StartupMembership.startup == startup_id) & (StartupMembership.user == existing["id"])
    ):
        raise Conflict(f"{email} is already in this team", {"email": "is already in this team"})
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        # A new invitation replaces an open one to the same person.
        await Invitation.delete().where(
            (Invitation.startup == startup_id)
            & (Invitation.email == email)
            & Invitation.accepted_at.is_null()
        )
        await Invitation.insert(
            Invitation(
                token_hash=token_hash(token),
                email=email,
                name=name.strip()[:200],
                startup=startup_id,
                invited_by=viewer.user_id,
                expires_at=utcnow() + timedelta(days=settings.invitation_days),
            )
        )
    link = f"{settings.base_url}/invitations/{token}"
    text = (
        f"{viewer.name} invited you to join {startup['name_en']} on the Cyberport community.\n\n"
        f"Accept within {settings.invitation_days} days: {link}\n\n"
        f"{viewer.name} 邀請你加入 {startup['name_en']} 的團隊。請於 {settings.invitation_days} "
        f"日內接受邀請：{link}\n"
    )
    subject = f"Join {startup['name_en']} / 加入團隊"
    return await send_link(settings, email, link, subject, text, f"start-up {startup_id}")


async def send_link(
    settings: Settings, email: str, link: str, subject: str, text: str, what: str
) -> InvitationSent:
    """Email an invitation's link; with no SMTP server, or when sending fails, the link comes
    back for the inviter to pass on by hand (`what` names the invitation in the log)."""
    if not settings.smtp_configured:
        return InvitationSent(email=email, link=link, emailed=False)
    try:
        await send_email(settings, email, subject, text)
    except Exception as exc:  # SMTP failure: the inviter gets the link to pass on by hand.
        log.warning("invitation email for %s failed: %s", what, type(exc).__name__)
        return InvitationSent(email=email, link=link, emailed=False, error=str(exc))
    return InvitationSent(email=email, link=link, emailed=True)


async def open_invitation(token: str) -> OpenInvitation:
    row = (
        await Invitation.select(
            Invitation.id,
            Invitation.email,
            Invitation.name,
            Invitation.startup,
            Invitation.startup.name_en.as_alias("startup_name"),
            Invitation.expires_at,
            Invitation.accepted_at,
        )
        .where(Invitation.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["accepted_at"] is not None:
        raise NotFound("this invitation link is not valid or has been used already")
    if row["expires_at"] <= utcnow():
        raise NotFound("this invitation link has expired; ask for a new one")
    row["has_account"] = await User.exists().where(User.email == row["email"])
    return msgspec.convert(row, OpenInvitation)


async def accept_invitation(token: str, name: str, password: str) -> tuple[int, int]:
    """Join the team: a new member account, or the existing one after its password is given.

    Returns (start-up id, user id).
    """
    invitation = await open_invitation(token)
    async with write_transaction():
        # Claim the link first: a concurrent acceptance waits on this row (PostgreSQL) or on
        # the write lock (SQLite), then finds it taken. A failure below rolls the claim back.
        claimed = (
            await Invitation.update({Invitation.accepted_at: utcnow()})
            .where((Invitation.id == invitation.id) & Invitation.accepted_at.is_null())
            .returning(Invitation.id)
        )
        if not claimed:
            raise NotFound("this invitation link has been used already")
        user = (
            await User.select(User.id, User.password_hash)
            .where(User.email == invitation.email)
            .first()
        )
        if user is None:
            # Nested in this transaction: a rule it refuses also undoes the claim above.
            user_id = await create_user(invitation.email, name, password, Role.member)
        else:
            if not await verify_password(user["password_hash"], password):
                raise ValidationFailed({"password": "is not the password of this account"})
            user_id = user["id"]
        if not await StartupMembership.exists().where(
            (StartupMembership.startup == invitation.startup) & (StartupMembership.user == user_id)
        ):
            await StartupMembership.insert(
                StartupMembership(startup=invitation.startup, user=user_id, role="member")
            )
    return invitation.startup, user_id


async def pending_invitations(viewer: Viewer, startup_id: int) -> list[PendingInvitation]:
    await policy.require_edit(viewer, startup_id)
    rows = await Invitation.select(
        Invitation.id, Invitation.email, Invitation.created_at, Invitation.expires_at
    ).where(
        (Invitation.startup == startup_id)
        & Invitation.accepted_at.is_null()
        & (Invitation.expires_at > utcnow())
    )
    return msgspec.convert(rows, list[PendingInvitation])
