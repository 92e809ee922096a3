"""Request and response types of programme intake: calls, their questions, eligibility rules
and rubric, and applications. Times are ISO 8601 with their offset (Hong Kong time when
written without one); HKD amounts are integer cents."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import msgspec


class QuestionKind(str, Enum):
    text = "text"
    long_text = "long_text"
    choice = "choice"
    number = "number"
    amount = "amount"  # HKD, answered as dollars and kept as integer cents
    date = "date"
    file = "file"


class Question(msgspec.Struct, kw_only=True):
    """One question of a call. `key` names its answer (made from its position when blank);
    a choice question's `choices` are its English options, `choices_zh` their Chinese
    labels in the same order."""

    kind: QuestionKind
    label_en: str
    label_zh: str = ""
    required: bool = False
    key: str = ""
    choices: list[str] = msgspec.field(default_factory=list)
    choices_zh: list[str] = msgspec.field(default_factory=list)


class Eligibility(msgspec.Struct, kw_only=True):
    """Who may apply: a company incorporated in Hong Kong (asked its business registration
    number), founded within so many years, in one of these clusters (slugs), not already
    admitted to the call's programme."""

    incorporated_hk: bool = False
    founded_within_years: int | None = None
    clusters: list[str] = msgspec.field(default_factory=list)
    not_admitted: bool = False


class Criterion(msgspec.Struct, kw_only=True):
    label_en: str
    label_zh: str = ""
    weight: int = 1
    key: str = ""


class Rubric(msgspec.Struct, kw_only=True):
    """How reviewers score an application: each criterion from 1 to `scale`, weighted."""

    criteria: list[Criterion] = msgspec.field(default_factory=list)
    scale: int = 5


class CallIn(msgspec.Struct, kw_only=True):
    """A call a centre's managers open for a programme (slugs name both)."""

    programme: str
    centre: str
    title_en: str
    title_zh: str = ""
    description_en: str = ""
    description_zh: str = ""
    opens_at: str
    closes_at: str
    reviews_due_at: str = ""  # when the panel's scores are due (reminders before), if set
    decisions_due_at: str = ""
    eligibility: Eligibility = msgspec.field(default_factory=Eligibility)
    questions: list[Question] = msgspec.field(default_factory=list)
    rubric: Rubric = msgspec.field(default_factory=Rubric)
    blind: bool = False


class CallOut(msgspec.Struct, kw_only=True):
    id: int
    programme: str
    programme_en: str
    programme_zh: str
    centre: str
    centre_en: str
    centre_zh: str
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    opens_at: datetime
    closes_at: datetime
    status: str  # upcoming, open, closed
    reviews_due_at: datetime | None
    decisions_due_at: datetime | None
    eligibility: Eligibility
    questions: list[Question]
    rubric: Rubric
    blind: bool
    frozen: bool  # an application was submitted: the questions no longer change
    version: int


class DraftIn(msgspec.Struct, kw_only=True):
    """Answers to save in a draft, by question key (only those given change); a file
    question is answered by uploading its file."""

    answers: dict[str, Any] = msgspec.field(default_factory=dict)


class StartIn(msgspec.Struct, kw_only=True):
    """Start an application to a call for one of the viewer's start-ups (theirs when they
    have one)."""

    startup: int | None = None


class FileOut(msgspec.Struct, kw_only=True):
    question: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class ApplicationOut(msgspec.Struct, kw_only=True):
    id: int
    call: int
    call_en: str
    call_zh: str
    startup: int
    startup_en: str
    startup_zh: str
    status: str  # draft, submitted, withdrawn, admitted, waitlisted, declined
    answers: dict[str, Any]
    files: list[FileOut]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    withdrawn_at: datetime | None = None
    version: int = 1
    decided_at: datetime | None = None
    decision_en: str = ""  # the message sent with the decision
    decision_zh: str = ""


class ApplicationRow(msgspec.Struct, kw_only=True):
    """An application as a call's list shows it to its managers."""

    id: int
    startup: int
    startup_en: str
    startup_zh: str
    status: str
    updated_at: datetime
    submitted_at: datetime | None = None


class CallFigures(msgspec.Struct, kw_only=True):
    """Applications to a call: started (every one made), drafts, submitted, withdrawn."""

    call: int
    started: int
    drafts: int
    submitted: int
    withdrawn: int


class ReviewerIn(msgspec.Struct, kw_only=True):
    """A person to add to a call's review panel, by their account's email: a member of staff
    or an external reviewer (an account of role reviewer)."""

    email: str


class PanelMember(msgspec.Struct, kw_only=True):
    user: int
    name: str
    email: str
    role: str
    assigned: int  # reviews assigned, conflicts included
    scored: int
    conflicted: int


class AssignIn(msgspec.Struct, kw_only=True):
    """Give every submitted application this many reviewers of the panel (fewer if the panel
    is smaller), the least busy first."""

    per_application: int = 3


class ConflictChoice(msgspec.Struct, kw_only=True):
    """An applicant a reviewer declares a conflict with (or not), by start-up."""

    startup: int
    name_en: str
    name_zh: str


class DeclareIn(msgspec.Struct, kw_only=True):
    """The applicants (start-up ids, from the list to declare against) the reviewer has a
    conflict of interest with; every other one they are assigned becomes theirs to score."""

    conflicts: list[int] = msgspec.field(default_factory=list)


class ScoreIn(msgspec.Struct, kw_only=True):
    """A score for each criterion of the rubric (by its key, 1 to the rubric's scale)."""

    scores: dict[str, int]
    comment: str = ""


class ReviewRow(msgspec.Struct, kw_only=True):
    """A review in a reviewer's queue; `applicant_*` is "Application 12" on a blind call."""

    id: int
    call: int
    call_en: str
    call_zh: str
    application: int
    applicant_en: str
    applicant_zh: str
    status: str
    weighted: float | None = None
    scored_at: datetime | None = None


class ReviewOut(msgspec.Struct, kw_only=True):
    """What a reviewer sees of the application they review, and their review of it."""

    id: int
    call: int
    call_en: str
    call_zh: str
    blind: bool
    application: int
    applicant_en: str
    applicant_zh: str
    status: str
    answers: dict[str, Any]
    files: list[FileOut]
    questions: list[Question]
    rubric: Rubric
    scores: dict[str, int]
    comment: str
    weighted: float | None = None
    scored_at: datetime | None = None


class RankRow(msgspec.Struct, kw_only=True):
    """An application in a call's ranking: the mean of its reviews' weighted scores, their
    spread (highest less lowest), and whether the panel shortlisted it."""

    rank: int
    application: int
    startup: int
    startup_en: str
    startup_zh: str
    status: str
    reviews_done: int
    reviews_assigned: int
    score_mean: float | None = None
    score_spread: float | None = None
    shortlisted: bool = False


class ShortlistIn(msgspec.Struct, kw_only=True):
    shortlisted: bool = True


class PanelReview(msgspec.Struct, kw_only=True):
    """A review of an application as the call's managers see it."""

    id: int
    reviewer: str
    status: str
    scores: dict[str, int]
    weighted: float | None = None
    comment: str = ""
    scored_at: datetime | None = None


class Assigned(msgspec.Struct, kw_only=True):
    assigned: int  # reviews newly assigned


class Declared(msgspec.Struct, kw_only=True):
    conflicted: int  # reviews closed to the reviewer for a conflict
    open: int  # reviews now theirs to read and score


class DeclarationDue(msgspec.Struct, kw_only=True):
    """A call where the reviewer has reviews waiting for their declaration of conflicts."""

    call: int
    call_en: str
    call_zh: str
    pending: int


class DecisionIn(msgspec.Struct, kw_only=True):
    """A decision on a submitted (or waitlisted) application, with the message the applicant
    receives in their language (a standard one when blank). Admitting links the start-up to
    the programme from `starts_on` (today when not given) until `ends_on`, if given."""

    decision: str  # admitted, waitlisted or declined
    message_en: str = ""
    message_zh: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class JoinIn(msgspec.Struct, kw_only=True):
    """A new applicant's account and draft start-up, made to apply to an open call."""

    name: str
    email: str
    password: str
    startup_en: str
    startup_zh: str = ""
    founded_year: int | None = None


class IntakeFigures(msgspec.Struct, kw_only=True):
    """A call's applications by how far they went, for the park's figures."""

    call: int
    title_en: str
    title_zh: str
    started: int
    submitted: int
    reviewed: int  # submitted applications with at least one scored review
    admitted: int


class ReviewerInvitationIn(msgspec.Struct, kw_only=True):
    """An external reviewer without an account, invited to a call's panel by email."""

    email: str
    name: str


class ReviewerInvitationOut(msgspec.Struct, kw_only=True):
    id: int
    email: str
    name: str
    call: int
    call_en: str
    call_zh: str


class InvitationSentOut(msgspec.Struct, kw_only=True):
    """An invitation made: emailed, or (no SMTP server, or it failed) its link to pass on."""

    email: str
    emailed: bool
    link: str | None = None
