"""Inviting an external reviewer who has no account yet: a one-time link (emailed when SMTP is
set up, otherwise shown to pass on) that makes an account of role reviewer, scoped to the
reviews it is given, and seats it on the call's panel, once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from incubator.auth.schemas import Viewer
from incubator.auth.services.accounts import check_email, create_user, normalise_email, token_hash
from incubator.auth.tables import Role, User
from incubator.db import utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.programmes import policy
from incubator.programmes.schemas import ReviewerInvitationOut
from incubator.programmes.services.calls import centre_of, get_call
from incubator.programmes.tables import CallReviewer, ReviewerInvitation
from incubator.settings import Settings
from incubator.startups.services.invitations import InvitationSent, send_link


async def invite_reviewer(
    settings: Settings, viewer: Viewer, call_id: int, email: str, name: str
) -> InvitationSent:
    await policy.require_run(viewer, await centre_of(call_id), "change this call's panel")
    email = normalise_email(email)
    errors = check_email(email)
    if not name.strip():
        errors["name"] = "is required: the reviewer's name, for their account"
    if errors:
        raise ValidationFailed(errors)
    if await User.exists().where(User.email == email):
        raise Conflict(
            f"{email} has an account already: add it to the panel by its email",
            {"email": "has an account already: add it to the panel instead"},
        )
    call = await get_call(call_id)
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        # A new invitation replaces an open one to the same person for this call.
        await ReviewerInvitation.delete().where(
            (ReviewerInvitation.call == call_id)
            & (ReviewerInvitation.email == email)
            & ReviewerInvitation.accepted_at.is_null()
        )
        await ReviewerInvitation.insert(
            ReviewerInvitation(
                token_hash=token_hash(token),
                email=email,
                name=name.strip()[:200],
                call=call_id,
                invited_by=viewer.user_id,
                expires_at=utcnow() + timedelta(days=settings.invitation_days),
            )
        )
    link = f"{settings.base_url}/programmes/reviewer-invitations/{token}"
    text = (
        f"{viewer.name} invited you to review applications to {call.title_en} on the "
        f"Cyberport community. Accept within {settings.invitation_days} days: {link}\n\n"
        f"{viewer.name} 邀請你評審「{call.title_zh or call.title_en}」的申請。"
        f"請於 {settings.invitation_days} 日內接受邀請：{link}\n"
    )
    subject = "Review applications / 評審申請"
    return await send_link(settings, email, link, subject, text, f"call {call_id}'s panel")


async def open_invitation(token: str) -> ReviewerInvitationOut:
    row = (
        await ReviewerInvitation.select(
            ReviewerInvitation.id,
            ReviewerInvitation.email,
            ReviewerInvitation.name,
            ReviewerInvitation.call,
            ReviewerInvitation.expires_at,
            ReviewerInvitation.accepted_at,
            ReviewerInvitation.call.title_en.as_alias("call_en"),
            ReviewerInvitation.call.title_zh.as_alias("call_zh"),
        )
        .where(ReviewerInvitation.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["accepted_at"] is not None:
        raise NotFound("this invitation link is not valid or has been used already")
    if row["expires_at"] <= utcnow():
        raise NotFound("this invitation link has expired; ask for a new one")
    return ReviewerInvitationOut(
        **{k: row[k] for k in ("id", "email", "name", "call", "call_en", "call_zh")}
    )


async def accept_invitation(token: str, name: str, password: str) -> int:
    """The reviewer's new account, seated on the call's panel; returns its user id."""
    invitation = await open_invitation(token)
    async with write_transaction():
        # Claim the link first: a second acceptance at the same moment finds it taken.
        claimed = (
            await ReviewerInvitation.update({ReviewerInvitation.accepted_at: utcnow()})
            .where(
                (ReviewerInvitation.id == invitation.id) & ReviewerInvitation.accepted_at.is_null()
            )
            .returning(ReviewerInvitation.id)
        )
        if not claimed:
            raise NotFound("this invitation link has been used already")
        # Nested in this transaction: a rule it refuses also undoes the claim above.
        user_id = await create_user(
            invitation.email, name or invitation.name, password, Role.reviewer
        )
        await CallReviewer.insert(CallReviewer(call=invitation.call, user=user_id))
    return user_id
