"""Partner parks, their MOUs, start-ups' consent to be shared, referrals, referral exports
(with the log of what went to whom), partner API tokens and webhook deliveries."""

from enum import Enum

from piccolo.columns import (
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Secret,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User
from incubator.startups.tables import Cluster, Startup


class MouStatus(str, Enum):
    draft = "draft"
    active = "active"
    terminated = "terminated"


class ReferralDirection(str, Enum):
    outbound = "outbound"  # one of our start-ups recommended to the partner's park
    inbound = "inbound"  # a partner's start-up landing here


class ReferralStatus(str, Enum):
    proposed = "proposed"
    introduced = "introduced"
    in_discussion = "in_discussion"
    landed = "landed"
    declined = "declined"
    withdrawn = "withdrawn"


class ExportFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class ExportStatus(str, Enum):
    building = "building"
    ready = "ready"
    failed = "failed"


class DeliveryStatus(str, Enum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    dead = "dead"


class PartnerPark(Table, tablename="partner_park"):
    name = Varchar(length=200, unique=True)
    name_zh = Varchar(length=200, default="")
    country = Varchar(length=100, default="")  # country or region
    city = Varchar(length=100, default="")
    website = Varchar(length=300, default="")
    notes = Text(default="")
    # Where exports are pushed, and the shared secret their signature is made with.
    webhook_url = Varchar(length=500, default="")
    webhook_secret = Secret(length=128, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # One more with every change, and who made the last one and when: a stale form or
    # If-Match is refused with a 412 that names them (incubator/versions.py).
    version = Integer(default=1)
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz(null=True, default=None)


class PartnerMembership(Table, tablename="partner_membership"):
    """A partner user belongs to exactly one partner park."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)


class PartnerContact(Table, tablename="partner_contact"):
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    title = Varchar(length=120, default="")
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")


class Mou(Table, tablename="mou"):
    """A memorandum of understanding with a partner park, and what it covers."""

    partner = ForeignKey(PartnerPark, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    signed_on = Date()
    expires_on = Date(index=True)
    status = Varchar(length=12, choices=MouStatus, default=MouStatus.draft.value)
    # Outbound referrals allowed in each year from the signing date; none means no limit.
    yearly_quota = Integer(null=True, default=None)
    stages = Varchar(length=200, default="")  # comma-separated; empty covers every stage
    markets = Varchar(length=300, default="")  # comma-separated markets the MOU opens
    notes = Text(default="")
    renewal_of = ForeignKey("self", null=True, default=None, on_delete=OnDelete.set_null)
    terminated_on = Date(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # One more with every change, and who made the last one and when: a stale form or
    # If-Match is refused with a 412 that names them (incubator/versions.py).
    version = Integer(default=1)
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz(null=True, default=None)


class MouCluster(Table, tablename="mou_cluster"):
    """A cluster in an MOU's scope; an MOU without clusters covers every cluster."""

    mou = ForeignKey(Mou, on_delete=OnDelete.cascade, index=True)
    cluster = ForeignKey(Cluster, on_delete=OnDelete.restrict, index=True)


class SharingConsent(Table, tablename="sharing_consent"):
    """A start-up's consent to be shared with one partner: which fields, until when.
    One row per start-up and partner (unique index); withdrawing keeps the row."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
    fields = Varchar(length=300)  # comma-separated keys of partners.consent.FIELDS
    expires_on = Date(null=True, default=None)
    granted_at = Timestamptz(default=TimestamptzNow())
    granted_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    withdrawn_at = Timestamptz(null=True, default=None)


class ConsentChange(Table, tablename="consent_change"):
    """The history of a consent: every grant, change and withdrawal, by whom."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=12)  # granted | changed | withdrawn
    fields = Varchar(length=300, default="")
    expires_on = Date(null=True, default=None)
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    actor_name = Varchar(length=200, default="")
    changed_at = Timestamptz(default=TimestamptzNow())


class Referral(Table, tablename="referral"):
    direction = Varchar(length=10, choices=ReferralDirection)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.restrict, index=True)
    mou = ForeignKey(Mou, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    # Outbound: the start-up referred. Inbound: the start-up it became once it landed.
    startup = ForeignKey(Startup, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    company_name = Varchar(length=200, default="")  # inbound: the partner's company
    company_country = Varchar(length=100, default="")
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    summary = Text(default="")
    status = Varchar(length=16, choices=ReferralStatus, default="proposed", index=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ReferralNote(Table, tablename="referral_note"):
    """A note on a referral; a change of status is a note that records both statuses."""

    referral = ForeignKey(Referral, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    author_name = Varchar(length=200, default="")
    body = Text(default="")
    status_from = Varchar(length=16, default="")
    status_to = Varchar(length=16, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PartnerToken(Table, tablename="partner_token"):
    """A machine's key to one partner's exports; only its hash is kept."""

    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
    label = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ReferralExport(Table, tablename="referral_export"):
    """One export file for one partner: the log entry of what went to whom, and the file
    itself (in ExportChunk rows, so every worker serves the same bytes)."""

    partner = ForeignKey(PartnerPark, on_delete=OnDelete.restrict, index=True)
    mou = ForeignKey(Mou, null=True, default=None, on_delete=OnDelete.set_null)
    format = Varchar(length=8, choices=ExportFormat)
    status = Varchar(length=10, choices=ExportStatus, default="building")
    requested_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    requested_by_name = Varchar(length=200, default="")
    columns = Varchar(length=500, default="")
    row_count = Integer(default=0)
    size_bytes = Integer(default=0)
    sha256 = Varchar(length=64, default="")
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    finished_at = Timestamptz(null=True, default=None)


class ExportChunk(Table, tablename="export_chunk"):
    export = ForeignKey(ReferralExport, on_delete=OnDelete.cascade)
    seq = Integer()
    data = Bytea()  # PostgreSQL compresses it with lz4 where it can (the 2026-11-24 migration)


class ExportItem(Table, tablename="export_item"):
    """One start-up in one export, with the fields that were sent. An append-only record that
    outlives the start-up and the export it names, so without foreign keys (checking them was
    most of writing an export's log)."""

    export = Integer()  # a referral_export id, never NULL; indexed with id
    startup = Integer(null=True, default=None, index=True)  # a startup id, kept if it goes
    startup_name = Varchar(length=200, default="")
    fields = Varchar(length=300, default="")


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """Pushing one export to the partner's endpoint: retried with backoff until delivered,
    or dead after the last attempt. The idempotency key is the same on every attempt."""

    export = ForeignKey(ReferralExport, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
    url = Varchar(length=500)
    idempotency_key = Varchar(length=64, unique=True)
    status = Varchar(length=10, choices=DeliveryStatus, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    # The claim's fencing token: an attempt records its outcome only while it still holds
    # the claim (one taken back as stale by another process no longer does).
    claim_token = Varchar(length=32, null=True, default=None)
    last_status = Integer(null=True, default=None)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
