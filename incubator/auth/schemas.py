"""Who is making a request: carried on every request as `request.user`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from incubator.auth.tables import Role


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int | None = None
    name: str = ""
    email: str = ""
    role: Role | None = None
    language: str = "en"
    session_id: int | None = None
    address: str = ""  # where the request came from, for the audit trail

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def is_manager(self) -> bool:
        return self.role is Role.manager

    @property
    def is_member(self) -> bool:
        return self.role is Role.member

    @property
    def is_partner(self) -> bool:
        return self.role is Role.partner

    @property
    def is_reviewer(self) -> bool:
        return self.role is Role.reviewer


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: datetime


class SessionRow(msgspec.Struct):
    """A signed-in session of a person, as its owner sees it (to end it)."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str


class UserRow(msgspec.Struct):
    """An account as the administrators' list shows it."""

    id: int
    email: str
    name: str
    role: str
    is_active: bool
    last_login_at: datetime | None
