"""Funding's rules the database holds to, whatever code or console writes: a grant's live
claims never hold more than its total, a claim's reviewer never approves it too, a paid claim
never changes; and the indexes of the claims queue and the unique keys."""

from incubator.db import raw_migration

ID = "2026-12-04T20:49:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "funding: the cap, maker and checker, paid claims, unique keys"

COMMON = [
    "CREATE UNIQUE INDEX programme_grant_of_application ON programme_grant (application)",
    "CREATE UNIQUE INDEX progress_report_quarter ON progress_report (startup, quarter)",
    "CREATE UNIQUE INDEX payment_batch_reference ON payment_batch (reference)",
    "CREATE INDEX grant_claim_queue ON grant_claim (status, submitted_at, id)",
    "CREATE INDEX grant_claim_centre_queue ON grant_claim (centre, status, submitted_at, id)",
    "CREATE INDEX grant_claim_in_batch ON grant_claim (batch)",
]

CAP = "the claims on a grant cannot hold more than its total"
SAME = "a claim is approved by someone other than its reviewer"
PAID = "a paid claim cannot be changed"

POSTGRES = [
    "ALTER TABLE programme_grant ADD CONSTRAINT programme_grant_within_total "
    "CHECK (held_cents >= 0 AND held_cents <= total_cents AND paid_cents <= held_cents)",
    "ALTER TABLE grant_claim ADD CONSTRAINT grant_claim_maker_checker "
    "CHECK (approved_by IS NULL OR reviewed_by IS NULL OR approved_by <> reviewed_by)",
    f"""
    CREATE FUNCTION grant_claim_paid_stays() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{PAID}';
    END $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER grant_claim_paid_stays BEFORE UPDATE ON grant_claim "
    "FOR EACH ROW WHEN (OLD.status = 'paid') EXECUTE FUNCTION grant_claim_paid_stays()",
]

SQLITE = [
    *(
        f"CREATE TRIGGER programme_grant_within_total_{when} BEFORE {when.upper()} "
        "ON programme_grant WHEN NEW.held_cents < 0 OR NEW.held_cents > NEW.total_cents "
        f"OR NEW.paid_cents > NEW.held_cents BEGIN SELECT RAISE(ABORT, '{CAP}'); END"
        for when in ("insert", "update")
    ),
    *(
        f"CREATE TRIGGER grant_claim_maker_checker_{when} BEFORE {when.upper()} ON grant_claim "
        "WHEN NEW.approved_by IS NOT NULL AND NEW.approved_by = NEW.reviewed_by "
        f"BEGIN SELECT RAISE(ABORT, '{SAME}'); END"
        for when in ("insert", "update")
    ),
    "CREATE TRIGGER grant_claim_paid_stays BEFORE UPDATE ON grant_claim "
    f"WHEN OLD.status = 'paid' BEGIN SELECT RAISE(ABORT, '{PAID}'); END",
]


async def forwards():
    return raw_migration("programmes", ID, DESCRIPTION, COMMON, postgres=POSTGRES, sqlite=SQLITE)
