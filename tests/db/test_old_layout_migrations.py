"""A database migrated before centres/ and events/ left incubator/ (the dumps in fixtures/ were
made by `incubator migrate` at that layout) counts every migration as applied: Piccolo knows
a migration by its app's name and its id, and the move kept both."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import centres.tallies  # noqa: F401  (registers its tallies)
import events.tallies  # noqa: F401
import incubator.startups.tallies  # noqa: F401
from incubator.db.tallies import TALLIES
from tests.conftest import ON_CI, PG_ADMIN_DSN, postgres_available, recreate_pg_database

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _migrate(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "incubator.cli", "migrate"],
        env={"INCUBATOR_DATABASE_URL": url, "INCUBATOR_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def assert_only_newer_applied(before: list[tuple], after: list[tuple]) -> None:
    """Every migration of the dump counts as applied (none runs again); only migrations
    written after the dump was made are applied now."""
    assert after[: len(before)] == before
    newest = max(name for _app, name in before)
    assert all(name > newest for _app, name in after[len(before) :]), after[len(before) :]


# The triggers that keep the summary rows (incubator.db.tallies), as their tallies name them.
TALLY_TRIGGERS = {
    statement.split()[2] for tally in TALLIES.values() for statement in tally.sqlite()
}
assert {"tally_event_registration_update", "tally_space_unit_update"} <= TALLY_TRIGGERS


# Programme intake's tables and their indexes.
PROGRAMMES = {
    "programme_call",
    "programme_call_programme",
    "programme_call_centre",
    "programme_call_closes_at",
    "programme_application",
    "programme_application_startup",
    "programme_application_applicant",
    "application_file",
    "application_one_per_call",
    "application_by_status",
    "application_file_one",
    "application_review",
    "call_reviewer",
    "call_reviewer_user",
    "call_reviewer_one",
    "review_one",
    "review_queue",
    "review_by_call",
    "application_ranking",
    "application_by_call",
    "application_by_call_status",
    "reviewer_invitation",
    "reviewer_invitation_token",
}

# Programme funding's tables, with the rules the database holds them to.
FUNDING = {
    "claim_evidence",
    "claim_evidence_claim",
    "claim_step",
    "claim_step_claim",
    "grant_amendment",
    "grant_amendment_grant",
    "grant_claim",
    "grant_claim_centre_queue",
    "grant_claim_grant",
    "grant_claim_in_batch",
    "grant_claim_maker_checker_insert",
    "grant_claim_maker_checker_update",
    "grant_claim_paid_stays",
    "grant_claim_queue",
    "grant_milestone",
    "grant_milestone_grant",
    "payment_batch",
    "payment_batch_reference",
    "programme_grant",
    "programme_grant_centre",
    "programme_grant_of_application",
    "programme_grant_programme",
    "programme_grant_startup",
    "programme_grant_status",
    "programme_grant_within_total_insert",
    "programme_grant_within_total_update",
    "progress_report",
    "progress_report_quarter",
}

# The meeting rooms' tables, and the venue holds of events and bookings, with their rules.
ROOMS = {
    "venue_hold",
    "sqlite_autoindex_venue_hold_1",
    "sqlite_autoindex_venue_hold_2",
    "venue_hold_place",
    "venue_hold_no_overlap_insert",
    "venue_hold_no_overlap_update",
    "venue_hold_event_insert",
    "venue_hold_event_update",
    "venue_hold_booking_insert",
    "venue_hold_booking_update",
    "event_time_order_insert",
    "event_time_order_update",
    "room_booking",
    "sqlite_autoindex_room_booking_1",
    "room_booking_booked_by",
    "room_booking_order",
    "room_booking_place",
    "room_booking_startup_time",
    "bookable_room",
    "sqlite_autoindex_bookable_room_1",
    "room_credit_default",
    "sqlite_autoindex_room_credit_default_1",
    "lease_room_credits",
    "sqlite_autoindex_lease_room_credits_1",
    "room_credit_month",
    "room_credit_month_one",
    "room_credit_month_never_negative_insert",
    "room_credit_month_never_negative_update",
    "room_credit_entry",
    "room_credit_entry_startup",
    "room_credit_entry_booking",
    "venue_unit_one",
}


def test_an_old_layout_sqlite_database_applies_only_what_came_after(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript((FIXTURES / "old-layout.sqlite.sql").read_text())
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT app_name, name FROM migration ORDER BY id").fetchall()
        schema = set(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    assert len(before) == 23
    _migrate(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert_only_newer_applied(
            before, conn.execute("SELECT app_name, name FROM migration ORDER BY id").fetchall()
        )
        # The migrations since keep every object of the old layout as it was (a column's
        # length is nothing SQLite keeps), add the audit trail and the scheduler's beat, and
        # add a column to the reminder ledger and the webhook deliveries (the claim's fencing
        # token), and versions to the
        # records people edit (start-ups, units, leases, events, MOUs, partner parks).
        now = {
            (kind, name): sql
            for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_master")
        }
        was = {(kind, name): sql for kind, name, sql in schema}
        changed = {key for key in was if now.get(key) != was[key]}
        versioned = {"startup", "unit", "lease", "event", "mou", "partner_park"}
        fenced = {"reminder_ledger", "webhook_delivery"}
        # One hold rule for events and room bookings: the events' own overlap triggers gave
        # way to the rule on venue holds.
        replaced = {
            ("trigger", "event_venue_no_overlap_insert"),
            ("trigger", "event_venue_no_overlap_update"),
        }
        assert changed == {("table", name) for name in {*fenced, *versioned, "venue"}} | replaced
        assert not replaced & set(now)
        assert '"location_zh" VARCHAR(200)' in now[("table", "venue")]
        for name in fenced:
            assert '"claim_token" VARCHAR(32)' in now[("table", name)]
        for name in versioned:
            assert '"version" INTEGER' in now[("table", name)]
        for name in versioned - {"startup"}:
            assert '"changed_by" VARCHAR(200)' in now[("table", name)]
        assert {name for _kind, name in set(now) - set(was)} == {
            "audit_entry",
            "audit_entry_at",
            "audit_entry_actor_id",
            "audit_entry_action",
            "audit_entry_no_update",
            "audit_entry_no_delete",
            "scheduler_beat",
            "sqlite_autoindex_scheduler_beat_1",
            "outbox_message",
            "outbox_message_created_at",
            "registration_registered_by",
            "event_tally",
            "sqlite_autoindex_event_tally_1",
            "centre_onsite",
            "sqlite_autoindex_centre_onsite_1",
            "space_day",
            "space_day_centre",
            "space_day_place",
            "centre_startups",
            "centre_startups_key",
            "startup_affiliation_centre_startup",
            "startup_cluster_cluster_startup",
            *TALLY_TRIGGERS,
            "unit_space",
            "sharing_consent_live",
            *ROOMS,
            *PROGRAMMES,
            *FUNDING,
        }


async def test_an_old_layout_postgres_database_applies_only_what_came_after():
    import asyncpg

    problem = await postgres_available()
    if problem:
        if ON_CI:
            pytest.fail(f"PostgreSQL is required on CI but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")

    psql = shutil.which("psql")
    assert psql, "psql (PostgreSQL's client) loads the old layout's dump"
    url = await recreate_pg_database("incubator_old_layout")
    loaded = subprocess.run(
        [
            psql,
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-f",
            FIXTURES / "old-layout.postgres.sql",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    query = "SELECT app_name, name FROM migration ORDER BY id"
    conn = await asyncpg.connect(url)
    try:
        before = [tuple(r) for r in await conn.fetch(query)]
        assert len(before) == 23
        _migrate(url)
        assert_only_newer_applied(before, [tuple(r) for r in await conn.fetch(query)])
    finally:
        await conn.close()
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute('DROP DATABASE IF EXISTS "incubator_old_layout" WITH (FORCE)')
        await admin.close()
