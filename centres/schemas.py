"""Request and response types of the space, lease and occupancy API (money in HKD cents)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from incubator.startups.schemas import CentreOut


class Figures(msgspec.Struct):
    units: int
    occupied_units: int
    vacant_units: int
    area_sqft: int
    occupied_sqft: int
    vacant_sqft: int
    unit_rate: float
    area_rate: float
    # Leases in force that end within 30, 90 and 180 days.
    ending: dict[str, int]


class BuildingFigures(Figures):
    id: int = 0
    slug: str = ""
    name_en: str = ""
    name_zh: str = ""


class CentreFigures(Figures):
    id: int = 0
    slug: str = ""
    kind: str = ""
    name_en: str = ""
    name_zh: str = ""


class Occupancy(msgspec.Struct):
    day: date
    park: Figures
    buildings: list[BuildingFigures]
    centres: list[CentreFigures]


class VacantUnit(msgspec.Struct):
    id: int
    code: str
    floor: int
    kind: str
    area_sqft: int
    list_rent_cents: int
    building_slug: str
    building_en: str = ""
    building_zh: str = ""
    centre_en: str = ""
    centre_zh: str = ""


class CentreCommunity(msgspec.Struct):
    startups: int = 0
    onsite: int = 0
    offsite: int = 0


class VacantPage(msgspec.Struct):
    rows: list[VacantUnit]
    total: int


class ManagerOut(msgspec.Struct):
    name: str


class CentreDetail(msgspec.Struct):
    slug: str
    kind: str
    name_en: str
    name_zh: str
    focus_en: str
    focus_zh: str
    managers: list[ManagerOut]
    community: CentreCommunity
    occupancy: Occupancy
    vacant_units: list[VacantUnit]


class UnitFields(msgspec.Struct):
    """What every view of a unit shows."""

    id: int
    code: str
    floor: int
    kind: str
    area_sqft: int
    list_rent_cents: int
    status: str


class UnitOut(UnitFields):
    building_slug: str
    centre_slug: str
    occupied: bool
    # The tenant today: only for the unit's centre managers and administrators.
    lease_id: int | None = None
    lease_ends_on: date | None = None
    startup_id: int | None = None
    startup_en: str | None = None
    startup_zh: str | None = None
    # Names to show, and whether the caller manages the unit's centre.
    centre: int = 0
    building_en: str = ""
    building_zh: str = ""
    centre_en: str = ""
    centre_zh: str = ""
    can_manage: bool = False


class UnitPage(msgspec.Struct):
    items: list[UnitOut]
    total: int
    page: int
    per_page: int
    pages: int


class UnitDetail(UnitFields):
    """One unit as its page shows it (staff)."""

    notes: str
    building: int
    building_slug: str
    building_en: str
    building_zh: str
    centre: int
    centre_slug: str
    centre_en: str
    centre_zh: str
    retired_at: datetime | None
    lease_count: int
    can_manage: bool
    version: int  # one more with every change: the ETag, and a form's hidden field


class Building(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str
    sort_order: int


class BuildingIn(msgspec.Struct):
    """A new building of the park (administrators)."""

    slug: str
    name_en: str
    name_zh: str = ""


class UnitIn(msgspec.Struct, omit_defaults=True):
    building: str | msgspec.UnsetType = msgspec.UNSET
    centre: str | msgspec.UnsetType = msgspec.UNSET
    code: str | msgspec.UnsetType = msgspec.UNSET
    floor: int | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
    area_sqft: int | msgspec.UnsetType = msgspec.UNSET
    list_rent_cents: int | msgspec.UnsetType = msgspec.UNSET
    notes: str | msgspec.UnsetType = msgspec.UNSET

    def values(self) -> dict:
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not msgspec.UNSET
        }


class LeaseIn(msgspec.Struct):
    unit: int
    # The start-up's id, or its slug.
    startup: int | str
    starts_on: date
    ends_on: date
    monthly_rent_cents: int
    deposit_cents: int = 0
    status: str = "active"


class RenewalIn(msgspec.Struct):
    ends_on: date
    monthly_rent_cents: int | None = None
    deposit_cents: int | None = None
    status: str = "active"


class NoticeIn(msgspec.Struct):
    notice_given_on: date | None = None


class TerminationIn(msgspec.Struct):
    last_day: date
    reason: str


class LeaseOut(msgspec.Struct):
    id: int
    unit: int
    unit_code: str
    building_slug: str
    centre_slug: str
    startup: int
    startup_slug: str
    startup_en: str
    starts_on: date
    ends_on: date
    contract_ends_on: date
    monthly_rent_cents: int
    deposit_cents: int
    status: str
    # What the lease is today: draft, upcoming, active, notice_given or ended.
    state: str
    notice_given_on: date | None
    terminated_on: date | None
    termination_reason: str
    renewal_of: int | None
    renewed_by: int | None
    # Names to show, and where the lease is.
    unit_kind: str
    area_sqft: int
    centre: int
    building_en: str
    building_zh: str
    centre_en: str
    centre_zh: str
    startup_zh: str
    created_at: datetime
    ended_early: bool
    # Whether the caller manages the lease's centre (may change the lease).
    can_manage: bool
    version: int = 1  # one more with every change: the ETag, and the forms' hidden field


class LeasePage(msgspec.Struct):
    items: list[LeaseOut]
    total: int
    page: int
    per_page: int
    pages: int


class Created(msgspec.Struct):
    id: int


class Removed(msgspec.Struct):
    # "deleted" (no lease history) or "retired".
    outcome: str


class CentreRow(CentreOut):
    """A centre or hub of the park, with its place in the park's order."""

    sort_order: int


class Manager(msgspec.Struct):
    name: str
    email: str


class CentreOverview(msgspec.Struct):
    """Everything a centre's page shows."""

    centre: CentreRow
    managers: list[Manager]
    community: CentreCommunity
    occupancy: Occupancy
    vacant: VacantPage
    can_manage: bool
    ending: list[LeaseOut]


class CentreCard(CentreRow):
    """A centre or hub on the list of them: its community and its space (None without
    units)."""

    community: CentreCommunity = msgspec.field(default_factory=CentreCommunity)
    space: CentreFigures | None = None
