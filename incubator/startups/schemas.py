"""Request and response types of the start-up API (explicit, so no column leaks out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from incubator.startups.tables import Stage


class StartupSummary(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str
    description_en: str
    description_zh: str
    website: str
    stage: str
    founded_year: int | None
    team_size: int
    onsite: bool
    status: str
    tags: list[str]
    clusters: list[str]
    centres: list[str]
    hubs: list[str]
    has_logo: bool
    updated_at: datetime


class StartupPage(msgspec.Struct):
    items: list[StartupSummary]
    total: int
    page: int
    per_page: int
    # True when a search matched more start-ups than `total` (counting stops at 1,000).
    more: bool
    # The order applied: `sort`, or "added" (most recently added first) for a search that
    # matched more than 1,000 start-ups, which is not ranked by relevance.
    order: str


class ProgrammeEntry(msgspec.Struct):
    programme: str
    name_en: str
    name_zh: str
    status: str
    started_on: date
    ended_on: date | None


class TeamMemberOut(msgspec.Struct):
    id: int
    name: str
    name_zh: str
    title: str
    email: str
    is_founder: bool


class StartupDetail(StartupSummary):
    contact_name: str
    contact_email: str
    contact_phone: str
    created_at: datetime
    programmes: list[ProgrammeEntry]
    team: list[TeamMemberOut]
    can_edit: bool
    can_manage: bool


class ProgrammeIn(msgspec.Struct):
    programme: str
    started_on: date
    status: str = "incubating"
    ended_on: date | None = None


class ProfileUpdate(msgspec.Struct, omit_defaults=True):
    """Only the fields sent are changed. centres and programmes: managers only; onsite is
    derived from leases and refused with a 422 that says so."""

    name_en: str | UnsetType = UNSET
    name_zh: str | UnsetType = UNSET
    description_en: str | UnsetType = UNSET
    description_zh: str | UnsetType = UNSET
    website: str | UnsetType = UNSET
    founded_year: int | UnsetType | None = UNSET
    stage: Stage | UnsetType = UNSET
    team_size: int | UnsetType = UNSET
    contact_name: str | UnsetType = UNSET
    contact_email: str | UnsetType = UNSET
    contact_phone: str | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    clusters: list[str] | UnsetType = UNSET
    centres: list[str] | UnsetType = UNSET
    onsite: bool | UnsetType = UNSET
    programmes: list[ProgrammeIn] | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET:
                continue
            if name == "programmes":
                value = [msgspec.structs.asdict(p) for p in value]
            elif isinstance(value, Stage):
                value = value.value
            out[name] = value
        return out


class NewStartup(ProfileUpdate):
    """A new start-up: name_en and at least one centre are required."""


class Change(msgspec.Struct):
    id: int
    actor_name: str
    field: str
    old_value: str
    new_value: str
    changed_at: datetime


class CentreOut(msgspec.Struct):
    id: int
    slug: str
    kind: str
    name_en: str
    name_zh: str
    focus_en: str
    focus_zh: str


class Created(msgspec.Struct):
    id: int
