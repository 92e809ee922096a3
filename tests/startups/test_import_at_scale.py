"""Imports at the park's scale: checked outside the write transaction, applied in bulk with one
statement a table, whole or not at all, and correct when someone edits a profile meanwhile.
(The 100,000-row figures are bench/imports.py's.)"""

from __future__ import annotations

import asyncio

from incubator.db import fetch, one_of
from incubator.startups.services import bulk
from incubator.startups.services.importer import import_startups
from incubator.startups.services.terms import search_document
from incubator.startups.tables import ProfileChange, Startup, StartupAffiliation, StartupCluster
from tests.conftest import api, login, make_client
from tests.startups.test_centre_startups import counted, kept

# More than either engine takes as a statement's arguments (32,767 on PostgreSQL, 32,766 on
# SQLite): the slugs of such a file once went into one IN list, and PostgreSQL refused it.
ROWS = 33_000


def big_file(rows: int, prefix: str = "bulk") -> str:
    lines = ["slug,name_en,centres,clusters,tags"]
    lines += [
        f"{prefix}-{n},Bulk {n} Robotics,technology,{'fintech' if n % 2 else 'web3'},"
        f"arm{n % 7}{';kestrel' if n % 1000 == 999 else ''}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


async def test_one_of_takes_more_values_than_a_statement_takes_arguments(park):
    ids = [r["id"] for r in await Startup.select(Startup.id)]
    where, args = one_of("id", ids + list(range(10**6, 10**6 + 40_000)))
    assert len(args) == 1
    found = await fetch(f"SELECT id FROM startup WHERE {where}", args)
    assert sorted(r["id"] for r in found) == sorted(ids)


async def test_a_file_of_more_rows_than_a_statement_takes_arguments_applies_whole(app, park):
    report = await import_startups(big_file(ROWS), apply=True)
    assert not report.errors and report.applied
    assert (report.rows, report.created, report.updated) == (ROWS, ROWS, 0)
    assert await Startup.count().where(Startup.slug.like("bulk-%")) == ROWS
    last = await Startup.select().where(Startup.slug == f"bulk-{ROWS - 1}").first()
    assert last["search_document"] == search_document(
        f"Bulk {ROWS - 1} Robotics", "", "", "", f"arm{(ROWS - 1) % 7},kestrel"
    )
    assert await StartupCluster.count().where(StartupCluster.startup == last["id"]) == 1
    assert await StartupAffiliation.count().where(StartupAffiliation.startup == last["id"]) == 1
    # Found by the search index, which was filled in one statement after the rows.
    async with make_client(app) as client:
        found = await client.get("/api/startups", params={"q": "kestrel", "per_page": 100})
        assert found.json()["total"] == ROWS // 1000
    # Each new start-up has one history row saying who created it.
    assert await ProfileChange.count().where(ProfileChange.startup == last["id"]) == 1
    # The centres' counts, counted once after the write (more than bulk.COUNT_AFTER rows).
    assert ROWS > bulk.COUNT_AFTER
    assert await kept() == await counted()
    assert (await kept())[(park.centres["technology"], "all", "")] == ROWS + 1
    # The same file again changes nothing, in bulk too.
    again = await import_startups(big_file(ROWS), apply=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS)
    assert again.applied and again.writer_seconds == 0  # nothing to write: no writer taken


async def test_a_bad_row_among_many_applies_nothing(park):
    text = big_file(2000).replace(
        "bulk-1500,Bulk 1500 Robotics,technology", "bulk-1500,,technology"
    )
    report = await import_startups(text, apply=True)
    assert not report.applied and [(e.line, e.field) for e in report.errors] == [(1502, "name_en")]
    assert not await Startup.exists().where(Startup.slug.like("bulk-%"))


async def test_a_profile_edited_while_the_import_ran_is_read_again_inside_its_write(
    app, park, monkeypatch
):
    """The import reads the stored profiles before its write transaction; a member's edit
    that commits in between is seen inside it: the file's values win (it is applied after
    the edit) and the history records the edit's value as the one the import replaced."""
    await import_startups(big_file(50), apply=True)
    target = await Startup.select(Startup.id).where(Startup.slug == "bulk-7").first()
    admin = make_client(app)
    first_read = asyncio.Event()
    stored = bulk.stored

    async def read_then_let_the_edit_in(*args, **kwargs):
        found = await stored(*args, **kwargs)
        if not first_read.is_set():
            first_read.set()
            async with admin:
                await login(admin, park.users["admin"])
                edited = await api(
                    admin,
                    "PATCH",
                    f"/api/startups/{target['id']}",
                    json={"name_en": "Renamed Meanwhile", "tags": ["meanwhile"]},
                )
                assert edited.status_code == 200, edited.text
        return found

    monkeypatch.setattr(bulk, "stored", read_then_let_the_edit_in)
    changed = big_file(50).replace("Bulk 7 Robotics", "Bulk Seven Robotics")
    report = await import_startups(changed, apply=True)
    assert not report.errors and (report.updated, report.unchanged) == (1, 49)
    row = await Startup.select().where(Startup.id == target["id"]).first()
    assert (row["name_en"], row["tags"]) == ("Bulk Seven Robotics", "arm0")
    assert row["search_document"] == search_document("Bulk Seven Robotics", "", "", "", "arm0")
    assert row["version"] == 3  # created, edited, imported
    history = await (
        ProfileChange.select(ProfileChange.field, ProfileChange.old_value, ProfileChange.new_value)
        .where((ProfileChange.startup == target["id"]) & (ProfileChange.field == "name_en"))
        .order_by(ProfileChange.id)
    )
    assert [(h["old_value"], h["new_value"]) for h in history] == [
        ("Bulk 7 Robotics", "Renamed Meanwhile"),
        ("Renamed Meanwhile", "Bulk Seven Robotics"),
    ]
