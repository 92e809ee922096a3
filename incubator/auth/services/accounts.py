"""Passwords, log-in with throttling, server-side sessions and user accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import msgspec

from incubator.auth.schemas import NewSession, SessionRow, UserRow, Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.auth.services.passwords import hash_password, needs_rehash, verify_password
from incubator.auth.tables import LoginAttempt, Role, User, UserSession
from incubator.db import contains, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from incubator.fields import EMAIL
from incubator.settings import Settings

MIN_PASSWORD = 10
LANGUAGES = ("en", "zh-Hant")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, field: str = "password") -> dict[str, str]:
    if len(password) < MIN_PASSWORD:
        return {field: f"must be at least {MIN_PASSWORD} characters long"}
    return {}


def check_email(email: str, field: str = "email") -> dict[str, str]:
    if not EMAIL.match(email) or len(email) > 254:
        return {field: "must be an email address such as name@example.com"}
    return {}


async def create_user(
    email: str,
    name: str,
    password: str | None,
    role: Role,
    language: str = "en",
    *,
    by: Viewer | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """A new account. One made by a staff member (`by`) is recorded in the audit trail, with
    its role and any `detail` the caller adds."""
    email = normalise_email(email)
    errors = check_email(email)
    if not name.strip():
        errors["name"] = "is required"
    if password is not None:
        errors |= check_password_rules(password)
    if errors:
        raise ValidationFailed(errors)
    # Hashed before the write transaction, which on SQLite holds the park's one writer.
    password_hash = await hash_password(password) if password else ""
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise Conflict(f"a user with the email {email} already exists", {"email": "is taken"})
        row = await User.insert(
            User(
                email=email,
                name=name.strip(),
                password_hash=password_hash,
                role=role.value,
                language=language if language in LANGUAGES else "en",
            )
        ).returning(User.id)
        if by is not None:
            facts = {"role": role.value} | (detail or {})
            await audit.record(by, Action.account_created, f"{name.strip()} <{email}>", facts)
    return row[0]["id"]


async def set_password(email: str, password: str) -> None:
    errors = check_password_rules(password)
    if errors:
        raise ValidationFailed(errors)
    password_hash = await hash_password(password)
    async with write_transaction():
        user = await User.select(User.id).where(User.email == normalise_email(email)).first()
        if user is None:
            raise NotFound(f"no user with the email {normalise_email(email)}")
        await User.update({User.password_hash: password_hash}).where(User.id == user["id"])
        # A new password ends every session opened with the old one.
        await UserSession.update({UserSession.revoked_at: utcnow()}).where(
            (UserSession.user == user["id"]) & UserSession.revoked_at.is_null()
        )


async def _recent_failures(settings: Settings, email: str, ip: str) -> tuple[int, int]:
    """Failed attempts within the window: at this account from this address, and from this
    address at any account."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    by_pair = await LoginAttempt.count().where(
        (LoginAttempt.email == email)
        & (LoginAttempt.ip == ip)
        & (LoginAttempt.succeeded == False)  # noqa: E712
        & (LoginAttempt.attempted_at > since)
    )
    by_ip = await LoginAttempt.count().where(
        (LoginAttempt.ip == ip)
        & (LoginAttempt.succeeded == False)  # noqa: E712
        & (LoginAttempt.attempted_at > since)
    )
    return by_pair, by_ip


async def authenticate(settings: Settings, email: str, password: str, ip: str) -> int | None:
    """The user id for a right email and password, None otherwise; raises when throttled.

    An address may fail `login_max_failures` times within the window at one account, and four
    times as often across accounts, so one address cannot try many accounts; the account
    stays open to every other address: whoever guesses slows only themselves, and nobody can
    lock its owner (or an administrator) out.
    """
    email = normalise_email(email)
    by_pair, by_ip = await _recent_failures(settings, email, ip)
    if by_pair >= settings.login_max_failures or by_ip >= 4 * settings.login_max_failures:
        raise TooManyRequests(
            f"too many failed log-in attempts; try again in "
            f"{settings.login_window_minutes} minutes",
            retry_after=settings.login_window_minutes * 60,
        )
    user = (
        await User.select(User.id, User.password_hash, User.is_active)
        .where(User.email == email)
        .first()
    )
    ok = await verify_password(user["password_hash"] if user else "", password)
    ok = ok and bool(user and user["is_active"])
    async with write_transaction():
        await LoginAttempt.insert(LoginAttempt(email=email, ip=ip, succeeded=ok))
        # Attempts older than the window no longer count: keep the table small.
        await LoginAttempt.delete().where(
            LoginAttempt.attempted_at
            < utcnow() - timedelta(minutes=settings.login_window_minutes, days=1)
        )
        if ok and user:
            await User.update({User.last_login_at: utcnow()}).where(User.id == user["id"])
    if ok and user and needs_rehash(user["password_hash"]):
        await User.update({User.password_hash: await hash_password(password)}).where(
            User.id == user["id"]
        )
    return user["id"] if ok and user else None


async def create_session(settings: Settings, user_id: int, ip: str, user_agent: str) -> NewSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(hours=settings.session_idle_hours)
    async with write_transaction():
        await UserSession.insert(
            UserSession(
                token_hash=token_hash(token),
                user=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
                ip=ip[:64],
                user_agent=user_agent[:300],
            )
        )
    return NewSession(token=token, expires_at=expires_at)


async def viewer_for_token(settings: Settings, token: str) -> Viewer | None:
    """The viewer a session token stands for, or None when it is unknown, expired or revoked.

    Sliding expiry: use extends the session, written at most once per ~1/12 of the idle
    period so that reads stay reads, and never past the session's maximum age.
    """
    if not token or len(token) > 100:
        return None
    now = utcnow()
    row = (
        await UserSession.select(
            UserSession.id,
            UserSession.created_at,
            UserSession.expires_at,
            UserSession.last_seen_at,
            UserSession.user.id,
            UserSession.user.name,
            UserSession.user.email,
            UserSession.user.role,
            UserSession.user.language,
            UserSession.user.is_active,
        )
        .where(
            (UserSession.token_hash == token_hash(token))
            & UserSession.revoked_at.is_null()
            & (UserSession.expires_at > now)
        )
        .first()
    )
    if row is None or not row["user.is_active"]:
        return None
    idle = timedelta(hours=settings.session_idle_hours)
    if now - row["last_seen_at"] > idle / 12:
        hard_end = row["created_at"] + timedelta(days=settings.session_max_days)
        await UserSession.update(
            {UserSession.last_seen_at: now, UserSession.expires_at: min(now + idle, hard_end)}
        ).where(UserSession.id == row["id"])
    return Viewer(
        user_id=row["user.id"],
        name=row["user.name"],
        email=row["user.email"],
        role=Role(row["user.role"]),
        language=row["user.language"],
        session_id=row["id"],
    )


async def revoke_session(user_id: int, session_id: int) -> None:
    updated = (
        await UserSession.update({UserSession.revoked_at: utcnow()})
        .where(
            (UserSession.id == session_id)
            & (UserSession.user == user_id)
            & UserSession.revoked_at.is_null()
        )
        .returning(UserSession.id)
    )
    if not updated:
        raise NotFound("no such active session")


async def revoke_all_sessions(user_id: int) -> int:
    rows = (
        await UserSession.update({UserSession.revoked_at: utcnow()})
        .where((UserSession.user == user_id) & UserSession.revoked_at.is_null())
        .returning(UserSession.id)
    )
    return len(rows)


async def active_sessions(user_id: int) -> list[SessionRow]:
    rows = (
        await UserSession.select(
            UserSession.id,
            UserSession.created_at,
            UserSession.last_seen_at,
            UserSession.expires_at,
            UserSession.ip,
            UserSession.user_agent,
        )
        .where(
            (UserSession.user == user_id)
            & UserSession.revoked_at.is_null()
            & (UserSession.expires_at > utcnow())
        )
        .order_by(UserSession.last_seen_at, ascending=False)
    )
    return msgspec.convert(rows, list[SessionRow])


async def set_language(user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed({"language": f"must be one of {', '.join(LANGUAGES)}"})
    await User.update({User.language: language}).where(User.id == user_id)


async def list_users(role: Role | None = None, query: str = "", limit: int = 200) -> list[UserRow]:
    select = User.select(
        User.id, User.email, User.name, User.role, User.is_active, User.last_login_at
    ).order_by(User.email)
    if role:
        select = select.where(User.role == role.value)
    if query:
        select = select.where(contains(User.email, query) | contains(User.name, query))
    return msgspec.convert(await select.limit(limit), list[UserRow])


async def set_active(user_id: int, active: bool, *, by: Viewer) -> None:
    """Let an account in or keep it out; a deactivated account's sessions end at once."""
    async with write_transaction():
        rows = (
            await User.update({User.is_active: active})
            .where(User.id == user_id)
            .returning(User.id, User.email, User.name)
        )
        if not rows:
            raise NotFound(f"no user {user_id}")
        action = Action.account_reactivated if active else Action.account_deactivated
        await audit.record(by, action, f"{rows[0]['name']} <{rows[0]['email']}>")
        if not active:
            await UserSession.update({UserSession.revoked_at: utcnow()}).where(
                (UserSession.user == user_id) & UserSession.revoked_at.is_null()
            )
