"""CSV import: every bad row reported with its line, applied whole or not at all, idempotent."""

from incubator.startups.services.importer import import_startups
from incubator.startups.tables import ProfileChange, Startup, StartupCluster
from tests.conftest import login, post_form

HEADER = (
    "slug,name_en,name_zh,website,founded_year,stage,team_size,clusters,centres,tags,programmes\n"
)
GOOD = (
    HEADER
    + "peak-vision,Peak Vision Labs,山頂視覺實驗室,https://peak.example,2020,seed,6,ai-data;fintech,"
    "entrepreneurship,computer vision,cyberport-incubation:incubating:2024-02-01\n"
    + 'tide-energy,Tide Energy,"潮汐能源",,2018,growth,40,smart-living,technology;web3hub,"ev, iot",\n'
)


async def add_cluster(slug: str) -> None:
    from incubator.startups.tables import Cluster

    await Cluster.insert(Cluster(slug=slug, name_en=slug))


async def test_dry_run_reports_every_bad_row_with_its_line_and_applies_nothing(park):
    await add_cluster("ai-data")
    text = (
        HEADER
        + "ok-row,OK Row,,,2020,seed,3,fintech,technology,,\n"
        + "Bad Slug,Bad,,,2020,seed,3,fintech,technology,,\n"  # line 3
        + "no-name,,,,2020,seed,3,fintech,technology,,\n"  # line 4
        + "future,Future Co,,http//x,2999,rocket,0,moon,nowhere,,\n"  # line 5
        + "ok-row,Duplicate,,,2020,seed,3,fintech,technology,,\n"  # line 6
    )
    before = await Startup.count()
    report = await import_startups(text, apply=True)
    assert not report.applied and report.rows == 5
    found = {(e.line, e.field) for e in report.errors}
    assert (3, "slug") in found and (4, "name_en") in found and (6, "slug") in found
    assert {
        (5, f) for f in ("website", "founded_year", "stage", "team_size", "clusters", "centres")
    } <= found
    assert "repeats line 2" in next(str(e) for e in report.errors if e.line == 6)
    assert await Startup.count() == before


async def test_an_onsite_column_is_refused_because_onsite_follows_leases(park):
    text = "slug,name_en,centres,onsite\nnew-co,New Co,technology,true\n"
    report = await import_startups(text, apply=True)
    assert not report.applied
    error = next(e for e in report.errors if e.field == "onsite")
    assert error.line == 1 and "leases" in error.message
    assert not await Startup.exists().where(Startup.slug == "new-co")


async def test_a_good_file_applies_whole_and_running_it_again_changes_nothing(park):
    await add_cluster("ai-data")
    dry = await import_startups(GOOD, apply=False)
    assert not dry.errors and dry.created == 2 and not dry.applied
    assert not await Startup.exists().where(Startup.slug == "peak-vision")
    report = await import_startups(GOOD, apply=True)
    assert report.applied and report.created == 2 and not report.errors
    peak = await Startup.select().where(Startup.slug == "peak-vision").first()
    assert peak["name_zh"] == "山頂視覺實驗室"
    assert await StartupCluster.count().where(StartupCluster.startup == peak["id"]) == 2
    history_rows = await ProfileChange.count()
    again = await import_startups(GOOD, apply=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert await ProfileChange.count() == history_rows


async def test_a_changed_row_updates_only_that_start_up(park):
    await add_cluster("ai-data")
    await import_startups(GOOD, apply=True)
    changed = GOOD.replace("2018,growth,40", "2018,growth,45")
    report = await import_startups(changed, apply=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    tide = (
        await Startup.select(Startup.id, Startup.team_size)
        .where(Startup.slug == "tide-energy")
        .first()
    )
    assert tide["team_size"] == 45
    change = (
        await ProfileChange.select()
        .where((ProfileChange.startup == tide["id"]) & (ProfileChange.field == "team_size"))
        .order_by(ProfileChange.id, ascending=False)
        .first()
    )
    assert (change["old_value"], change["new_value"], change["actor_name"]) == (
        "40",
        "45",
        "import",
    )


async def test_missing_or_unknown_columns_are_reported_on_line_1(park):
    report = await import_startups("name_en,colour\nX,red\n", apply=True)
    messages = [str(e) for e in report.errors]
    assert any("line 1: header is missing the columns slug, centres" in m for m in messages)
    assert any("unknown columns colour" in m for m in messages)


async def test_admin_upload_page_checks_then_applies(client, park):
    await add_cluster("ai-data")
    await login(client, park.users["admin"])
    await client.get("/admin/import")
    checked = await post_form(
        client, "/admin/import", files={"file": ("s.csv", GOOD.encode(), "text/csv")}
    )
    assert checked.status_code == 200 and "Check passed" in checked.text
    assert "2 new" in checked.text and not await Startup.exists().where(
        Startup.slug == "tide-energy"
    )
    applied = await post_form(
        client,
        "/admin/import",
        {"apply": "1", "csv_text": GOOD},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert applied.status_code == 200 and "Applied" in applied.text
    assert await Startup.exists().where(Startup.slug == "tide-energy")
    bad = await post_form(
        client,
        "/admin/import",
        files={"file": ("s.csv", b"slug,name_en,centres\nx,,technology\n", "text/csv")},
    )
    assert bad.status_code == 422 and "line 2" in bad.text and "nothing was applied" in bad.text
    binary = await post_form(
        client, "/admin/import", files={"file": ("s.csv", b"\xff\xfe\x00", "text/csv")}
    )
    assert binary.status_code == 422 and "UTF-8" in binary.text
