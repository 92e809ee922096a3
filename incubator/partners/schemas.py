"""Request and response types of the partners API (dates YYYY-MM-DD, instants ISO 8601)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class PartnerIn(msgspec.Struct):
    name: str
    country: str
    name_zh: str = ""
    city: str = ""
    website: str = ""
    notes: str = ""


class PartnerOut(msgspec.Struct):
    id: int
    name: str
    name_zh: str
    country: str
    city: str
    website: str
    version: int  # one more with every change: the ETag, and the edit form's hidden field


class PartnerSummary(PartnerOut):
    live_mous: int
    consents: int
    users: int
    next_expiry: date | None = None  # of its MOUs in force
    last_export: datetime | None = None


class PartnerName(msgspec.Struct):
    id: int
    name: str
    name_zh: str
    country: str


class Park(PartnerOut, kw_only=True):
    """A partner park's own details (never its webhook's secret)."""

    notes: str
    webhook_url: str
    created_at: datetime


class Contact(msgspec.Struct):
    id: int
    partner: int
    name: str
    title: str
    email: str
    phone: str


class PartnerUser(msgspec.Struct):
    id: int
    name: str
    email: str
    is_active: bool


class ParkDetail(Park, kw_only=True):
    """A partner park's page: its contacts and users, how many start-ups consent to it, and
    its webhook's secret (partnership staff only; blank for others)."""

    webhook_secret: str
    contacts: list[Contact]
    users: list[PartnerUser]
    consents: int
    can_manage: bool


class MouIn(msgspec.Struct):
    title: str
    signed_on: date
    expires_on: date
    status: str = "draft"
    yearly_quota: int | None = None
    clusters: list[str] = []
    stages: list[str] = []
    markets: list[str] = []
    notes: str = ""


class MouRow(msgspec.Struct):
    """An MOU as stored: its scope's stages and markets are comma-separated."""

    id: int
    partner: int
    title: str
    signed_on: date
    expires_on: date
    status: str
    yearly_quota: int | None
    renewal_of: int | None
    stages: str
    markets: str
    notes: str
    terminated_on: date | None


class MouOut(msgspec.Struct):
    id: int
    partner: int
    partner_name: str
    title: str
    signed_on: date
    expires_on: date
    status: str
    state: str
    yearly_quota: int | None
    renewal_of: int | None
    partner_name_zh: str = ""
    # On lists: whether a renewal exists, and the days until it expires.
    renewed: bool = False
    days_left: int = 0


class MouCluster(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str


class MouDetail(MouOut, kw_only=True):
    cluster_slugs: list[str]
    stage_list: list[str]
    market_list: list[str]
    notes: str
    renewed_by: int | None
    version: int = 1  # one more with every change: the ETag, and the edit form's hidden field


class MouView(MouDetail, kw_only=True):
    """An MOU's page: its scope's clusters, and whether the caller may change it."""

    clusters: list[MouCluster]
    cluster_ids: list[int]
    stages: str
    markets: str
    terminated_on: date | None
    can_manage: bool


class RenewIn(msgspec.Struct):
    expires_on: date


class TerminateIn(msgspec.Struct):
    """An MOU ended early: its last day (today when not given)."""

    terminated_on: date | None = None


class ContactIn(msgspec.Struct):
    """A person to contact at a partner park."""

    name: str
    title: str = ""
    email: str = ""
    phone: str = ""


class PartnerUserIn(msgspec.Struct):
    """A partner park's user: an existing partner account by email, or a new one."""

    email: str
    name: str = ""
    password: str = ""


class WebhookIn(msgspec.Struct):
    """Where exports are pushed (blank: nowhere); `rotate` makes a new signing secret."""

    webhook_url: str = ""
    rotate: bool = False


class Suggestion(msgspec.Struct):
    id: int
    slug: str
    name_en: str
    name_zh: str
    stage: str


class OutboundIn(msgspec.Struct):
    """Refer one of our start-ups (id or slug) to a partner park."""

    partner: int
    startup: str
    summary: str = ""


class InboundIn(msgspec.Struct):
    """A partner's start-up coming to the park; `partner` only when staff enter it."""

    company_name: str
    company_country: str = ""
    contact_name: str = ""
    contact_email: str = ""
    summary: str = ""
    partner: int | None = None


class MoveIn(msgspec.Struct):
    status: str = ""
    note: str = ""
    startup: str = ""


class ReferralOut(msgspec.Struct):
    id: int
    direction: str
    partner: int
    partner_name: str
    status: str
    startup: int | None
    startup_name_en: str | None
    company_name: str
    company_country: str
    summary: str
    created_at: datetime
    updated_at: datetime
    shared: dict[str, object] = {}


class ReferralView(ReferralOut, kw_only=True):
    """A referral as the pipeline's pages show it."""

    mou: int | None
    contact_name: str
    contact_email: str
    partner_name_zh: str
    startup_name_zh: str | None
    startup_slug: str | None


class ReferralNoteOut(msgspec.Struct):
    id: int
    author_name: str
    body: str
    status_from: str
    status_to: str
    created_at: datetime


class ReferralDetail(ReferralView, kw_only=True):
    notes: list[ReferralNoteOut]
    can_manage: bool


class StartupReferral(msgspec.Struct):
    """A partner park a start-up was referred to."""

    id: int
    status: str
    created_at: datetime
    partner_name: str
    partner_name_zh: str


class ExportIn(msgspec.Struct):
    format: str = "csv"


class ExportOut(msgspec.Struct):
    id: int
    partner: int
    partner_name: str
    format: str
    status: str
    requested_by_name: str
    row_count: int
    size_bytes: int
    sha256: str
    created_at: datetime
    download: str = ""
    error: str = ""


class Export(ExportOut, kw_only=True):
    """An export as its page and its download show it."""

    mou: int | None
    mou_title: str | None
    columns: str
    requested_by: int | None
    finished_at: datetime | None
    filename: str
    media_type: str


class ExportItemOut(msgspec.Struct):
    """A start-up that went out in an export, with the fields sent."""

    startup: int | None
    startup_name: str
    fields: str


class Received(msgspec.Struct):
    """An export a start-up's data went out in: to whom, when, which fields."""

    export: int
    created_at: datetime
    format: str
    partner_name: str
    partner_name_zh: str
    fields: str


class DeliveryOut(msgspec.Struct):
    id: int
    export: int
    url: str
    idempotency_key: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str
    delivered_at: datetime | None
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    partner: int = 0


class ConsentIn(msgspec.Struct):
    fields: list[str]
    expires_on: date | None = None


class ConsentOut(msgspec.Struct):
    partner: int
    name: str
    country: str
    live: bool
    field_list: list[str]
    expires_on: date | None
    has_live_mou: bool
    name_zh: str = ""
    fields: str | None = None  # as stored; None: never consented
    granted_at: datetime | None = None
    withdrawn_at: datetime | None = None


class ConsentEvent(msgspec.Struct):
    """A consent granted, changed or withdrawn, in the start-up's history."""

    id: int
    startup: int
    partner: int
    partner_name: str
    action: str
    fields: str
    expires_on: date | None
    actor: int | None
    actor_name: str
    changed_at: datetime


class TokenRow(msgspec.Struct):
    """An API token of a partner, by its prefix (the token itself is never kept)."""

    id: int
    label: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(msgspec.Struct):
    label: str


class TokenCreated(msgspec.Struct):
    token: str
    note: str = "shown once: keep it now; send it as 'Authorization: Bearer <token>'"
