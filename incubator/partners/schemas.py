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


class PartnerSummary(PartnerOut):
    live_mous: int
    consents: int
    users: int


class MouIn(msgspec.Struct):
    title: str
    signed_on: str
    expires_on: str
    status: str = "draft"
    yearly_quota: int | None = None
    clusters: list[str] = []
    stages: list[str] = []
    markets: list[str] = []
    notes: str = ""


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


class MouDetail(MouOut):
    cluster_slugs: list[str]
    stage_list: list[str]
    market_list: list[str]
    notes: str
    renewed_by: int | None


class RenewIn(msgspec.Struct):
    expires_on: str


class TerminateIn(msgspec.Struct):
    """An MOU ended early: its last day (today when blank), read with its rule."""

    terminated_on: str = ""


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


class ConsentIn(msgspec.Struct):
    fields: list[str]
    expires_on: str | None = None


class ConsentOut(msgspec.Struct):
    partner: int
    name: str
    country: str
    live: bool
    field_list: list[str]
    expires_on: date | None
    has_live_mou: bool


class TokenIn(msgspec.Struct):
    label: str


class TokenCreated(msgspec.Struct):
    token: str
    note: str = "shown once: keep it now; send it as 'Authorization: Bearer <token>'"
