"""Grants, their milestones and amendments; claims, their evidence and every step taken on
them; payment batches; quarterly progress reports. Money is HKD in integer cents."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import BigInt, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User
from incubator.programmes.tables import Application
from incubator.startups.tables import Centre, Programme, Startup


class GrantKind(str, Enum):
    milestones = "milestones"  # tranches released as milestones are reported and approved
    matching = "matching"  # 1:1 matching: half the approved spend, up to the grant's total


class GrantStatus(str, Enum):
    draft = "draft"
    active = "active"
    completed = "completed"
    terminated = "terminated"


class ClaimStatus(str, Enum):
    submitted = "submitted"  # waiting for its review (the maker)
    returned = "returned"  # more evidence asked for: back with the start-up
    reviewed = "reviewed"  # reviewed and recommended: waiting for approval (the checker)
    approved = "approved"  # waiting for a payment batch
    rejected = "rejected"
    paid = "paid"  # in a batch marked paid: never changes again


OPEN_CLAIMS = ("submitted", "returned", "reviewed")
# A claim in these holds part of its grant (`Grant.held_cents`): the cap is never overshot.
HOLDING = ("submitted", "returned", "reviewed", "approved", "paid")


class Grant(Table, tablename="programme_grant"):
    """A start-up's grant agreement under a programme, run by a centre's managers. A matching
    grant's total is the SME's cap; `held_cents` is what its live claims hold of it (kept in
    each claim's transaction, and checked by the database never to pass the total)."""

    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, index=True, null=False)
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True, null=False)
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=True, default=None)
    kind = Varchar(length=12, choices=GrantKind, default="milestones")
    status = Varchar(length=12, choices=GrantStatus, default="draft", index=True)
    total_cents = Integer()
    match_percent = Integer(default=50)
    held_cents = Integer(default=0)
    paid_cents = Integer(default=0)
    starts_on = Date()
    ends_on = Date()
    notes = Text(default="")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Milestone(Table, tablename="grant_milestone"):
    """What a milestone grant's start-up delivers by a date, and the tranche it releases."""

    grant = ForeignKey(Grant, on_delete=OnDelete.cascade, index=True, null=False)
    position = Integer()
    title_en = Varchar(length=200)
    title_zh = Varchar(length=200, default="")
    deliverables_en = Text(default="")
    deliverables_zh = Text(default="")
    due_on = Date()
    tranche_cents = Integer()


class GrantAmendment(Table, tablename="grant_amendment"):
    """One change to a grant's terms: the terms before and after (JSON), why, by whom."""

    grant = ForeignKey(Grant, on_delete=OnDelete.cascade, index=True, null=False)
    version = Integer()  # the grant's version the change made
    reason = Text(default="")
    before = Text(default="{}")
    after = Text(default="{}")
    changed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())


class PaymentBatch(Table, tablename="payment_batch"):
    """Approved claims gathered for finance to pay: exported, then marked paid whole."""

    reference = Varchar(length=20)
    # The programme whose approved claims it gathers; none: every programme's.
    programme = ForeignKey(Programme, null=True, on_delete=OnDelete.restrict)
    status = Varchar(length=8, default="open")  # open, then paid
    claims = Integer(default=0)
    total_cents = BigInt(default=0)  # a batch of thousands of claims passes 2^31 cents
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    paid_at = Timestamptz(null=True, default=None)


class Claim(Table, tablename="grant_claim"):
    """A milestone report or a matching claim. `amount_cents` is what the grant pays: the
    milestone's tranche, or the match of the spend (first as claimed, then as approved),
    never more than the grant has left. The reviewer (maker) and the approver (checker) are
    two different people, which the database checks too."""

    grant = ForeignKey(Grant, on_delete=OnDelete.restrict, index=True, null=False)
    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, null=False)
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, null=False)  # the grant's
    milestone = ForeignKey(Milestone, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=10, choices=ClaimStatus, default="submitted")
    report = Text(default="")
    spend_cents = Integer(default=0)
    approved_spend_cents = Integer(null=True, default=None)
    amount_cents = Integer(default=0)
    reason = Text(default="")  # the last rejection's or request's reason, to the start-up
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz(default=TimestamptzNow())
    reviewed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    reviewed_at = Timestamptz(null=True, default=None)
    approved_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    approved_at = Timestamptz(null=True, default=None)
    batch = ForeignKey(PaymentBatch, null=True, default=None, on_delete=OnDelete.restrict)
    paid_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class ClaimEvidence(Table, tablename="claim_evidence"):
    """An invoice or receipt behind a claim, checked by content and size."""

    claim = ForeignKey(Claim, on_delete=OnDelete.restrict, index=True, null=False)
    filename = Varchar(length=200)
    content_type = Varchar(length=80)
    size = Integer()
    sha256 = Varchar(length=64)
    data = Bytea()
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class ClaimStep(Table, tablename="claim_step"):
    """Every step taken on a claim, by whom and when, with the reason or note given."""

    claim = ForeignKey(Claim, on_delete=OnDelete.restrict, index=True, null=False)
    step = Varchar(length=12)
    by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())
    note = Text(default="")
    amount_cents = Integer(null=True, default=None)


class RevenueBand(str, Enum):
    none = "none"
    under_1m = "under_1m"
    from_1m_to_10m = "1m_10m"
    from_10m_to_50m = "10m_50m"
    over_50m = "over_50m"


class ProgressReport(Table, tablename="progress_report"):
    """A funded start-up's report for one quarter (one a quarter, "2026-Q3")."""

    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, null=False)
    quarter = Varchar(length=7)
    headcount = Integer()
    funds_raised_cents = BigInt(default=0)
    revenue_band = Varchar(length=10, choices=RevenueBand, default="none")
    customers = Integer(default=0)
    patents = Integer(default=0)
    summary = Text(default="")  # a short update, in either language
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz(default=TimestamptzNow())
