"""Request and response types of the start-up API (explicit, so no column leaks out)."""

from __future__ import annotations

from datetime import date, datetime

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


class TeamMemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """A member of a start-up's team, added or changed."""

    name: str
    name_zh: str = ""
    title: str = ""
    email: str = ""
    is_founder: bool = False


class StartupDetail(StartupSummary):
    contact_name: str
    contact_email: str
    contact_phone: str
    created_at: datetime
    programmes: list[ProgrammeEntry]
    team: list[TeamMemberOut]
    can_edit: bool
    can_manage: bool
    version: int  # one more with every change; the ETag is "v<version>"
    # The latest quarterly progress report's figures: to its editors, and to a partner the
    # start-up consents to share them with (null to anyone else).
    headcount: int | None = None
    funds_raised_cents: int | None = None
    progress_quarter: str = ""


class ProgrammeIn(msgspec.Struct, forbid_unknown_fields=True):
    programme: str
    started_on: date
    status: str = "incubating"  # one of ProgrammeStatus, checked with the other rules
    ended_on: date | None = None


class ProfileUpdate(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
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


class NewStartup(ProfileUpdate):
    """A new start-up: name_en and at least one centre are required."""


class HistoryEntry(msgspec.Struct):
    """One change of a profile field, as the history shows it."""

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


class ClusterOut(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str


class ProgrammeOut(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str


class Choice(msgspec.Struct, frozen=True):
    """A centre, hub, cluster or programme as a form or a filter offers it (kind: centre or
    hub for centres, blank for the others)."""

    id: int
    slug: str
    kind: str
    name_en: str
    name_zh: str


class ChoiceLists(msgspec.Struct, frozen=True):
    """What the directory's filters and the profile forms offer, shared by every request
    (frozen: nobody's change reaches another's page)."""

    centres: tuple[Choice, ...]
    clusters: tuple[Choice, ...]
    programmes: tuple[Choice, ...]


class CentreFigure(msgspec.Struct):
    """A centre or hub with the number of active start-ups affiliated to it."""

    slug: str
    kind: str
    name_en: str
    name_zh: str
    n: int


class ParkFigures(msgspec.Struct):
    """The community's headline figures, for the home page."""

    total: int
    onsite: int
    offsite: int
    units: list[CentreFigure]


class OpenInvitation(msgspec.Struct):
    """An invitation to join a start-up's team, as its link opens it."""

    id: int
    email: str
    name: str
    startup: int
    startup_name: str
    expires_at: datetime
    has_account: bool  # the invited address has an account already (it signs in to join)


class PendingInvitation(msgspec.Struct):
    id: int
    email: str
    created_at: datetime
    expires_at: datetime


class Logo(msgspec.Struct):
    content_type: str
    data: bytes
    sha256: str


class Created(msgspec.Struct):
    id: int
