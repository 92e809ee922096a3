"""Typed commands and results of programme funding, shared by its pages and its API (money in
HKD cents; dates in Hong Kong)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class MilestoneIn(msgspec.Struct, kw_only=True):
    title_en: str
    title_zh: str = ""
    deliverables_en: str = ""
    deliverables_zh: str = ""
    due_on: date
    tranche_cents: int


class GrantIn(msgspec.Struct, kw_only=True):
    """A grant agreement for a start-up admitted to the programme. A milestone grant's
    tranches add up to its total; a matching grant pays `match_percent` of approved spend up
    to its total (the SME's cap) and has no milestones."""

    startup: int
    programme: int
    kind: str = "milestones"  # milestones or matching
    total_cents: int
    match_percent: int = 50
    starts_on: date
    ends_on: date
    notes: str = ""
    milestones: list[MilestoneIn] = []
    application: int | None = None


class AmendmentIn(msgspec.Struct, kw_only=True):
    """New terms for a grant, and why: the history keeps the terms before and after."""

    total_cents: int
    starts_on: date
    ends_on: date
    notes: str = ""
    milestones: list[MilestoneIn] = []
    reason: str


class MilestoneOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    title_en: str
    title_zh: str
    deliverables_en: str
    deliverables_zh: str
    due_on: date
    tranche_cents: int
    claim: int | None = None  # its live or paid claim, if any
    claim_status: str = ""


class AmendmentOut(msgspec.Struct, kw_only=True):
    version: int
    reason: str
    before: dict
    after: dict
    changed_by: str
    changed_at: datetime


class GrantOut(msgspec.Struct, kw_only=True):
    id: int
    startup: int
    startup_en: str
    startup_zh: str
    programme: int
    programme_en: str
    programme_zh: str
    centre: int
    application: int | None
    kind: str
    status: str  # draft, active, completed, terminated
    total_cents: int
    match_percent: int
    held_cents: int  # what its live, approved and paid claims hold of the total
    paid_cents: int
    remaining_cents: int  # total less what the claims hold
    starts_on: date
    ends_on: date
    notes: str
    version: int
    milestones: list[MilestoneOut] = []
    amendments: list[AmendmentOut] = []


class GrantRow(msgspec.Struct, kw_only=True):
    id: int
    startup: int
    startup_en: str
    startup_zh: str
    programme_en: str
    programme_zh: str
    kind: str
    status: str
    total_cents: int
    held_cents: int
    paid_cents: int
    ends_on: date


class ClaimIn(msgspec.Struct, kw_only=True):
    """A milestone report (`milestone` named: it claims that milestone's tranche) or a
    matching claim (`spend_cents`: what was spent, of which the grant pays its share)."""

    report: str
    milestone: int | None = None
    spend_cents: int = 0


class ReviewIn(msgspec.Struct, kw_only=True):
    """The maker's review: the spend the evidence supports (a matching claim) and a note."""

    approved_spend_cents: int | None = None
    note: str = ""


class ReasonIn(msgspec.Struct, kw_only=True):
    """Why a claim is rejected, or what more evidence it needs (sent to the start-up)."""

    reason: str


class NoteIn(msgspec.Struct, kw_only=True):
    note: str = ""


class ApproveManyIn(msgspec.Struct, kw_only=True):
    """Reviewed claims to approve at once (at most 100), with one note for them all."""

    claims: list[int]
    note: str = ""


class ApprovedOut(msgspec.Struct, kw_only=True):
    """Which claims were approved, and why each of the others was not (by claim id)."""

    approved: list[int]
    refused: dict[str, str]


class EvidenceOut(msgspec.Struct, kw_only=True):
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class StepOut(msgspec.Struct, kw_only=True):
    step: str  # submitted, returned, resubmitted, reviewed, approved, rejected, batched, paid
    by: str
    at: datetime
    note: str
    amount_cents: int | None = None


class ClaimOut(msgspec.Struct, kw_only=True):
    id: int
    grant: int
    startup: int
    startup_en: str
    startup_zh: str
    programme_en: str
    programme_zh: str
    kind: str  # milestones or matching, as its grant
    milestone: int | None
    milestone_en: str
    milestone_zh: str
    status: str
    report: str
    spend_cents: int
    approved_spend_cents: int | None
    amount_cents: int
    reason: str
    submitted_at: datetime
    reviewed_by: str
    approved_by: str
    batch: int | None
    paid_at: datetime | None
    version: int
    evidence: list[EvidenceOut] = []
    steps: list[StepOut] = []


class ClaimRow(msgspec.Struct, kw_only=True):
    id: int
    grant: int
    startup: int
    startup_en: str
    startup_zh: str
    programme_en: str = ""
    programme_zh: str = ""
    kind: str
    status: str
    spend_cents: int
    amount_cents: int
    submitted_at: datetime
    reviewed_by: int | None = None


class BatchOut(msgspec.Struct, kw_only=True):
    id: int
    reference: str
    programme: int | None = None  # the one programme whose claims it gathers, or none: all
    programme_en: str | None = None
    programme_zh: str | None = None
    status: str  # open or paid
    claims: int
    total_cents: int
    created_by: str
    created_at: datetime
    paid_by: str
    paid_at: datetime | None


class ReportIn(msgspec.Struct, kw_only=True):
    """A quarter's progress report (the last quarter ended, unless named)."""

    headcount: int
    funds_raised_cents: int = 0
    revenue_band: str = "none"
    customers: int = 0
    patents: int = 0
    summary: str = ""
    quarter: str = ""  # "2026-Q3"


class ReportOut(msgspec.Struct, kw_only=True):
    id: int
    startup: int
    quarter: str
    headcount: int
    funds_raised_cents: int
    revenue_band: str
    customers: int
    patents: int
    summary: str
    submitted_at: datetime
