"""Start-ups and the park structure they belong to."""

from enum import Enum

from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
    Date,
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


class UnitKind(str, Enum):
    centre = "centre"
    hub = "hub"


class Stage(str, Enum):
    idea = "idea"
    pre_seed = "pre_seed"
    seed = "seed"
    series_a = "series_a"
    series_b_plus = "series_b_plus"
    growth = "growth"


# Each stage's name in English; pages translate it (the catalog has the Chinese).
STAGE_NAMES = {
    "idea": "Idea",
    "pre_seed": "Pre-seed",
    "seed": "Seed",
    "series_a": "Series A",
    "series_b_plus": "Series B+",
    "growth": "Growth",
}


class ProgrammeStatus(str, Enum):
    applied = "applied"
    incubating = "incubating"
    graduated = "graduated"
    alumni = "alumni"


class StartupStatus(str, Enum):
    active = "active"
    archived = "archived"
    applicant = "applicant"  # made by a new applicant to a programme: private until admitted


# The statuses that keep a start-up out of the community's figures, as an SQL list of
# literals ('archived'): figures count all and take these few away.
NOT_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in StartupStatus if s is not StartupStatus.active)


class MembershipRole(str, Enum):
    owner = "owner"
    member = "member"


class Centre(Table, tablename="centre"):
    """One of the park's five centres, or a hub (Web3Hub, FinTech, ...) that cuts across them."""

    slug = Varchar(length=40, unique=True)
    kind = Varchar(length=8, choices=UnitKind)
    name_en = Varchar(length=120)
    name_zh = Varchar(length=120, default="")
    focus_en = Text(default="")
    focus_zh = Text(default="")
    sort_order = Integer(default=0)


class Cluster(Table, tablename="cluster"):
    slug = Varchar(length=40, unique=True)
    name_en = Varchar(length=120)
    name_zh = Varchar(length=120, default="")


class Programme(Table, tablename="programme"):
    slug = Varchar(length=60, unique=True)
    name_en = Varchar(length=200)
    name_zh = Varchar(length=200, default="")
    centre = ForeignKey(Centre, null=True, on_delete=OnDelete.set_null)


class Startup(Table, tablename="startup"):
    slug = Varchar(length=80, unique=True)
    name_en = Varchar(length=200)
    name_zh = Varchar(length=200, default="")
    description_en = Text(default="")
    description_zh = Text(default="")
    website = Varchar(length=300, default="")
    founded_year = Integer(null=True, default=None)
    stage = Varchar(length=20, choices=Stage, default=Stage.seed.value)
    team_size = Integer(default=1)
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=40, default="")
    tags = Varchar(length=500, default="")  # comma-separated, lower-case
    status = Varchar(length=12, choices=StartupStatus, default="active", index=True)
    # The latest quarterly progress report's figures (written by programme funding through
    # `services.progress.record_progress`); shown to its editors and consenting partners.
    headcount = Integer(null=True, default=None)
    funds_raised_cents = BigInt(null=True, default=None)
    progress_quarter = Varchar(length=7, default="")  # "2026-Q3"
    # What full-text search indexes: names, descriptions, tags, CJK split into characters.
    search_document = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    # One more with every change: the API's ETag, so a stale If-Match is refused with a 412.
    version = Integer(default=1)


class StartupCluster(Table, tablename="startup_cluster"):
    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    cluster = ForeignKey(Cluster, on_delete=OnDelete.restrict, index=True)


class StartupAffiliation(Table, tablename="startup_affiliation"):
    """A start-up's affiliation with a centre or a hub; managers' scope follows it."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True)


class StartupProgramme(Table, tablename="startup_programme"):
    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=12, choices=ProgrammeStatus, default="incubating")
    started_on = Date()
    ended_on = Date(null=True, default=None)


class TeamMember(Table, tablename="team_member"):
    """A person in a start-up's team as shown on its profile (not necessarily a user)."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    name_zh = Varchar(length=200, default="")
    title = Varchar(length=120, default="")
    email = Varchar(length=254, default="")
    is_founder = Boolean(default=False)
    sort_order = Integer(default=0)


class StartupMembership(Table, tablename="startup_membership"):
    """A user who may act for a start-up (edit its profile and team)."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=10, choices=MembershipRole, default="member")


class ManagerAssignment(Table, tablename="manager_assignment"):
    """A centre manager's centre (or hub); a manager works only inside these."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    centre = ForeignKey(Centre, on_delete=OnDelete.cascade, index=True)


class ProfileChange(Table, tablename="profile_change"):
    """One changed field of a start-up profile: who, what, when, old and new value."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    # The actor may be deleted later; the name stays on the record.
    actor = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    actor_name = Varchar(length=200, default="")
    field = Varchar(length=60)
    old_value = Text(default="")
    new_value = Text(default="")
    changed_at = Timestamptz(default=TimestamptzNow(), index=True)


class StartupLogo(Table, tablename="startup_logo"):
    """Logos live in the database so every worker and machine serves the same one."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, unique=True)
    content_type = Varchar(length=40)
    data = Bytea()
    sha256 = Varchar(length=64)
    updated_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="invitation"):
    """A one-time link that lets a person join a start-up's team as a user."""

    token_hash = Varchar(length=64, unique=True)
    email = Varchar(length=254)
    name = Varchar(length=200, default="")
    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)


class CentreStartups(Table, tablename="centre_startups"):
    """Each centre's or hub's active start-ups: all of them (`kind` all), by stage (`value` the
    stage) and by cluster (`value` the cluster's id), kept by the database's triggers on
    start-ups, affiliations and clusters in the same transaction as every change
    (`incubator.startups.tallies`). One row per centre, kind and value (a unique index)."""

    centre = ForeignKey(Centre, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=8)
    value = Varchar(length=20, default="")
    n = Integer(default=0)
