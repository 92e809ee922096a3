"""Accounts and their sessions."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Secret, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Role(str, Enum):
    admin = "admin"
    manager = "manager"
    member = "member"
    partner = "partner"
    reviewer = "reviewer"  # an external reviewer: sees only the calls whose panel they sit on


class User(Table, tablename="app_user"):
    email = Varchar(length=254, unique=True, index=True)  # stored lower-case
    name = Varchar(length=200)
    password_hash = Secret(length=255, default="")
    role = Varchar(length=16, choices=Role, default=Role.member.value)
    language = Varchar(length=8, default="en")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """A server-side session; the browser holds only a random token whose hash is stored."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")


class LoginAttempt(Table, tablename="login_attempt"):
    """Every log-in attempt, for throttling; kept in the database so all workers agree."""

    email = Varchar(length=254, index=True)
    ip = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)


class AuditEntry(Table, tablename="audit_entry"):
    """One staff action that changed people's data or access: who, when, what, from where.

    Append-only: nothing in the app updates or deletes an entry, and the database refuses
    to (triggers on both engines). The actor is named by id and by email as they were, so an
    entry outlives the account that made it.
    """

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_email = Varchar(length=254, default="")
    address = Varchar(length=64, default="")
    action = Varchar(length=48, index=True)
    subject = Varchar(length=200, default="")
    detail = Text(default="")
