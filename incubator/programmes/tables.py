"""Calls for applications to a programme, and the applications start-ups make to them.

A call's question set, eligibility rules and review rubric are JSON documents in text
columns of the call (`schemas.Question`, `schemas.Eligibility`, `schemas.Rubric`): read and
written whole; the question set is frozen once an application has been submitted."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import (
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User
from incubator.startups.tables import Centre, Programme, Startup


class ApplicationStatus(str, Enum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"
    admitted = "admitted"
    waitlisted = "waitlisted"
    declined = "declined"


DECIDED = ("admitted", "waitlisted", "declined")
FINAL = ("admitted", "declined")  # a waitlisted application may still be admitted or declined


class Call(Table, tablename="programme_call"):
    """A call for applications to a programme, run by a centre's managers. Applications are
    taken from `opens_at` until (not at) `closes_at`, by the database's clock."""

    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True, null=False)
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    title_en = Varchar(length=200)
    title_zh = Varchar(length=200, default="")
    description_en = Text(default="")
    description_zh = Text(default="")
    opens_at = Timestamptz()
    closes_at = Timestamptz(index=True)
    # When the panel's scores and the decisions are due (reminders go out before each).
    reviews_due_at = Timestamptz(null=True, default=None)
    decisions_due_at = Timestamptz(null=True, default=None)
    eligibility = Text(default="{}")
    questions = Text(default="[]")
    rubric = Text(default="{}")
    blind = Boolean(default=False)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Application(Table, tablename="programme_application"):
    """A start-up's application to a call (one per start-up and call): a draft that saves as
    it goes, then submitted, and withdrawn by the applicant before a decision."""

    call = ForeignKey(Call, on_delete=OnDelete.restrict, null=False)
    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, index=True, null=False)
    applicant = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=12, choices=ApplicationStatus, default="draft")
    answers = Text(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    # The panel's scores so far, kept by `services.reviews` in each scoring's transaction, so
    # a call's ranking reads one index: how many reviews, their mean and spread (max - min)
    # of the weighted scores.
    reviews_done = Integer(default=0)
    score_mean = DoublePrecision(null=True, default=None)
    score_spread = DoublePrecision(null=True, default=None)
    shortlisted = Boolean(default=False)
    # The decision, and the message the applicant receives with it (in their language).
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decision_en = Text(default="")
    decision_zh = Text(default="")


class ApplicationFile(Table, tablename="application_file"):
    """A file that answers a file question of an application, checked by content and size;
    one a question (a new upload replaces it)."""

    application = ForeignKey(Application, on_delete=OnDelete.cascade, null=False)
    question = Varchar(length=40)
    filename = Varchar(length=200)
    content_type = Varchar(length=80)
    size = Integer()
    sha256 = Varchar(length=64)
    data = Bytea()
    uploaded_at = Timestamptz(default=TimestamptzNow())


class ReviewStatus(str, Enum):
    pending = "pending"  # assigned; the reviewer has not yet declared their conflicts
    open = "open"  # no conflict declared: the reviewer may read and score it
    conflicted = "conflicted"  # the reviewer declared a conflict: they never see it
    scored = "scored"


class CallReviewer(Table, tablename="call_reviewer"):
    """A member of a call's review panel: staff, or an external reviewer (role reviewer)."""

    call = ForeignKey(Call, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    added_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    added_at = Timestamptz(default=TimestamptzNow())


class Review(Table, tablename="application_review"):
    """A reviewer's assignment to an application, their declaration and their scores (by the
    rubric's criterion keys), and the weighted score they make (1 to the rubric's scale)."""

    call = ForeignKey(Call, on_delete=OnDelete.cascade, null=False)
    application = ForeignKey(Application, on_delete=OnDelete.cascade, null=False)
    reviewer = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    status = Varchar(length=12, choices=ReviewStatus, default="pending")
    scores = Text(default="{}")
    weighted = DoublePrecision(null=True, default=None)
    comment = Text(default="")
    assigned_at = Timestamptz(default=TimestamptzNow())
    declared_at = Timestamptz(null=True, default=None)
    scored_at = Timestamptz(null=True, default=None)


class ReviewerInvitation(Table, tablename="reviewer_invitation"):
    """A one-time link that makes an external reviewer's account and seats it on a call's
    panel (only the token's hash is kept)."""

    token_hash = Varchar(length=64)
    email = Varchar(length=254)
    name = Varchar(length=200, default="")
    call = ForeignKey(Call, on_delete=OnDelete.cascade, null=False)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
