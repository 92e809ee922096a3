"""Referral exports: only consented fields of start-ups in the MOU's scope, in every format, logged, neutralised, built in batches beside their log."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from datetime import timedelta

import openpyxl

from incubator.auth.tables import User
from incubator.partners.services import export_rows
from incubator.partners.tables import ExportItem, ReferralExport, SharingConsent
from tests.conftest import api, login, make_client, text_of
from tests.partners.conftest import (
    TODAY,
    consent,
    csv_rows,
    download,
    make_export,
    record_mou,
    sheet_rows,
)


async def test_withdrawn_or_expired_consent_leaves_the_next_export(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp, lc = park.startups["harbour-pay"], park.startups["lantern-chain"]
    assert (await consent(client, hp, partners["lingang"], ["name", "website"])).status_code == 200
    assert (await consent(client, lc, partners["lingang"], ["name"])).status_code == 200
    first = csv_rows(await download(client, await make_export(client, partners["lingang"], "csv")))
    assert {r["slug"] for r in first} == {"harbour-pay", "lantern-chain"}

    withdrawn = await api(client, "DELETE", f"/api/partners/consents/{hp}/{partners['lingang']}")
    assert withdrawn.status_code == 204
    # Lantern Chain's consent ran out yesterday (set in the database: the API refuses a past date).
    await SharingConsent.update({SharingConsent.expires_on: TODAY - timedelta(days=1)}).where(
        SharingConsent.startup == lc
    )
    second = await make_export(client, partners["lingang"], "csv")
    assert csv_rows(await download(client, second)) == []
    assert second["row_count"] == 0
    # Consent to Lingang says nothing about Dubai: Dubai's export stays empty throughout.
    await record_mou(client, partners["dubai"])
    assert (await make_export(client, partners["dubai"], "json"))["row_count"] == 0


async def test_unconsented_fields_never_appear_in_any_format(client, park, partners):
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    secret_email = "cfo-private@harbour.example"
    await Startup.update(
        {Startup.contact_email: secret_email, Startup.website: "https://harbour.example"}
    ).where(Startup.id == hp)
    assert (await consent(client, hp, partners["lingang"], ["name", "stage"])).status_code == 200

    for fmt in ("csv", "xlsx", "json"):
        export = await make_export(client, partners["lingang"], fmt)
        data = await download(client, export)
        assert secret_email.encode() not in data and b"harbour.example" not in data
        assert b"Cross-border" not in data  # the description was not consented either
        if fmt == "csv":
            (row,) = csv_rows(data)
            assert row["name_en"] == "Harbour Pay" and row["stage"] == "Seed"  # by its name
            assert row["contact_email"] == "" and row["description_en"] == ""
        elif fmt == "xlsx":
            (row,) = sheet_rows(data)
            assert row["name_zh"] == "海港支付" and row["contact_email"] is None
            assert row["stage"] == "Seed"
        else:
            document = json.loads(data)
            (row,) = document["rows"]
            assert set(row) == {"slug", "name_en", "name_zh", "stage"}
            assert row["stage"] == "seed"  # JSON keeps the code
            assert document["partner"] == "Shanghai Lingang Group"


async def test_an_export_holds_only_the_mou_scope_and_needs_an_mou_in_force(client, park, partners):
    await login(client, park.users["admin"])
    lingang = partners["lingang"]
    none_yet = await api(client, "POST", f"/api/partners/{lingang}/exports", json={"format": "csv"})
    assert none_yet.status_code == 422 and "no MOU in force" in none_yet.json()["detail"]
    await record_mou(client, lingang, clusters=["web3"], stages=["series_a", "seed"])
    for slug in ("harbour-pay", "lantern-chain", "bamboo-home"):
        response = await consent(client, park.startups[slug], lingang, ["name", "clusters"])
        assert response.status_code == 200, response.text
    # Harbour Pay is FinTech only; Bamboo Home is an idea-stage smart-living start-up.
    rows = csv_rows(await download(client, await make_export(client, lingang, "csv")))
    assert [r["slug"] for r in rows] == ["lantern-chain"]
    assert rows[0]["clusters"] == "FinTech; Web3"
    bad = await api(client, "POST", f"/api/partners/{lingang}/exports", json={"format": "pdf"})
    assert bad.status_code == 422 and "format" in bad.json()["errors"]


async def test_every_export_is_logged_with_its_sha256_and_shown_to_the_startup(
    client, park, partners
):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    await consent(client, hp, partners["lingang"], ["name", "description", "contact"])
    export = await make_export(client, partners["lingang"], "xlsx")
    data = await download(client, export)
    logged = await ReferralExport.select().where(ReferralExport.id == export["id"]).first()
    assert logged["sha256"] == hashlib.sha256(data).hexdigest() == export["sha256"]
    assert logged["size_bytes"] == len(data) and logged["requested_by_name"] == "Admin"
    items = await ExportItem.select().where(ExportItem.export == export["id"])
    assert [(i["startup"], i["fields"]) for i in items] == [(hp, "name,description,contact")]
    log_page = await client.get("/partners/exports")
    assert logged["sha256"][:12] in log_page.text and "Shanghai Lingang Group" in log_page.text
    detail = text_of((await client.get(f"/partners/exports/{export['id']}")).text)
    assert "Harbour Pay" in detail and "name, description, contact" in detail

    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        sharing = text_of((await member.get(f"/startups/{hp}/sharing")).text)
        assert "Who received my data" in sharing
        assert "Shanghai Lingang Group" in sharing and f"Referral export {export['id']}" in sharing
        # Another start-up's member may not look.
        await login(member, park.users["other_member"])
        assert (await member.get(f"/startups/{hp}/sharing")).status_code == 403


async def test_the_export_log_outlives_the_startup_it_names(client, park, partners):
    """The log is a record of what was sent: were a start-up deleted (nothing in the app does),
    its log rows keep its id and name as they were."""
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    (made,) = await Startup.insert(Startup(slug="brief-co", name_en="Brief Co")).returning(
        Startup.id
    )
    await consent(client, made["id"], partners["lingang"], ["name"])
    export = await make_export(client, partners["lingang"], "csv")
    await Startup.delete().where(Startup.id == made["id"])  # its consent goes with it
    items = await ExportItem.select().where(ExportItem.export == export["id"])
    assert [(i["startup"], i["startup_name"]) for i in items] == [(made["id"], "Brief Co")]


async def test_exports_neutralise_spreadsheet_formulas(client, park, partners):
    from incubator.startups.tables import Cluster, Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    formula = '=HYPERLINK("https://evil.example","click")'
    await Startup.update({Startup.name_en: formula, Startup.tags: "+1,@sum"}).where(
        Startup.id == hp
    )
    await Cluster.update({Cluster.name_en: "=FinTech"}).where(Cluster.name_en == "FinTech")
    await consent(client, hp, partners["lingang"], ["name", "tags", "clusters"])
    (row,) = csv_rows(await download(client, await make_export(client, partners["lingang"], "csv")))
    assert row["name_en"] == "'" + formula and row["tags"] == "'+1; @sum"
    assert row["clusters"] == "'=FinTech"
    data = await download(client, await make_export(client, partners["lingang"], "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    (cells,) = sheet_rows(data)
    assert cells["name_en"] == "'" + formula and cells["tags"] == "'+1; @sum"
    assert cells["clusters"] == "'=FinTech"
    assert sheet["B2"].data_type == "s"  # a string, never a formula
    # JSON is data for machines: kept exact.
    document = json.loads(
        await download(client, await make_export(client, partners["lingang"], "json"))
    )
    assert document["rows"][0]["name_en"] == formula and document["rows"][0]["tags"] == [
        "+1",
        "@sum",
    ]
    assert document["rows"][0]["clusters"] == ["=FinTech"]


async def test_a_csv_export_keeps_every_cells_text_exactly(client, park, partners):
    """Line ends, quotes and control characters inside cells come back exactly, however the
    file is made (on PostgreSQL the server writes it; a row's end is found after it)."""
    from incubator.downloads.csv_files import CsvEncoder
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    description = 'Line one\r\nline "two", \x1e\n,"\x1e"\nend'
    await Startup.update({Startup.description_en: description, Startup.name_zh: "\x1e"}).where(
        Startup.id == hp
    )
    await consent(client, hp, partners["lingang"], ["name", "description"])
    export = await make_export(client, partners["lingang"], "csv")
    data = await download(client, export)
    (row,) = csv_rows(data)
    assert row["description_en"] == description and row["name_zh"] == "\x1e"
    assert export["row_count"] == 1
    # Byte for byte what the csv module writes for the consented cells.
    startup = await Startup.select().where(Startup.id == hp).first()
    shown = {"slug", "name_en", "name_zh", "description_en", "description_zh"}
    cells = [startup[column] if column in shown else "" for column in export_rows.COLUMNS]
    encoder = CsvEncoder(export_rows.HEADER)
    assert data == encoder.start() + encoder.rows([cells])


async def test_an_export_built_in_many_batches_is_its_log_row_for_row(
    client, park, partners, monkeypatch
):
    """The log is written beside the file, from the same snapshot, and the file is read
    through one cursor, a batch at a time, while the next batch is read and earlier chunks
    are stored: with batches of one start-up and tiny chunks, every file still holds exactly
    the logged start-ups, in the log's order, with exactly their consented fields, and its
    SHA-256 stays true."""
    from incubator.partners.services import exports
    from incubator.startups.tables import Startup

    monkeypatch.setattr(exports, "BATCH", 1)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 40)
    monkeypatch.setattr(exports, "STORE_BYTES", 100)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])  # no clusters or stages: every start-up
    hp, lc, bh = (park.startups[s] for s in ("harbour-pay", "lantern-chain", "bamboo-home"))
    await Startup.update({Startup.founded_year: None}).where(Startup.id == bh)
    await consent(client, hp, partners["lingang"], ["name", "clusters", "tags"])
    await consent(client, lc, partners["lingang"], ["name", "clusters", "contact"])
    await consent(client, bh, partners["lingang"], ["name", "founded_year"])

    made = {fmt: await make_export(client, partners["lingang"], fmt) for fmt in ("csv", "json")}
    for fmt, export in made.items():
        data = await download(client, export)
        assert export["sha256"] == hashlib.sha256(data).hexdigest()
        assert export["row_count"] == 3
        items = (
            await ExportItem.select(ExportItem.startup, ExportItem.fields)
            .where(ExportItem.export == export["id"])
            .order_by(ExportItem.id)
        )
        assert [(i["startup"], i["fields"]) for i in items] == [
            (hp, "name,clusters,tags"),
            (lc, "name,clusters,contact"),
            (bh, "name,founded_year"),
        ]
        if fmt == "csv":
            rows = csv_rows(data)
            assert [r["slug"] for r in rows] == ["harbour-pay", "lantern-chain", "bamboo-home"]
            assert rows[0]["clusters"] == "FinTech" and rows[0]["tags"] == "payments; b2b"
            assert rows[1]["clusters"] == "FinTech; Web3" and rows[1]["tags"] == ""
            assert rows[2]["founded_year"] == "" and rows[2]["clusters"] == ""
        else:
            first, second, third = json.loads(data)["rows"]
            assert first["clusters"] == ["FinTech"] and first["tags"] == ["payments", "b2b"]
            assert second["clusters"] == ["FinTech", "Web3"] and "tags" not in second
            assert "contact_email" in second and "description_en" not in second
            # Consented but unknown is null; not consented is left out.
            assert set(third) == {"slug", "name_en", "name_zh", "founded_year"}
            assert third["founded_year"] is None


async def test_cluster_names_are_in_code_point_order_in_every_format(
    client, park, partners, engine_name
):
    """The same order in every file, whatever the database's collation: "Web3" before
    "fintech" (an upper-case W before a lower-case f), where a language's collation, as the
    cluster names get here on PostgreSQL, puts "fintech" first."""
    from incubator.startups.tables import Cluster

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await Cluster.update({Cluster.name_en: "fintech"}).where(Cluster.name_en == "FinTech")
    await consent(client, park.startups["lantern-chain"], partners["lingang"], ["name", "clusters"])
    language = 'ALTER TABLE cluster ALTER COLUMN name_en TYPE varchar(120) COLLATE "{}"'

    async def collate(collation: str) -> None:
        from incubator import db

        await Cluster.raw(language.format(collation))
        # Statements the pooled connections prepared before are void after the change.
        await db.current_engine().pool.expire_connections()

    if engine_name == "postgres":
        await collate("und-x-icu")
        ordered = [
            r["name_en"] for r in await Cluster.raw("SELECT name_en FROM cluster ORDER BY 1")
        ]
        assert ordered.index("fintech") < ordered.index("Web3")
    try:
        made = {
            fmt: await download(client, await make_export(client, partners["lingang"], fmt))
            for fmt in ("csv", "xlsx", "json")
        }
    finally:
        if engine_name == "postgres":
            await collate("default")
    (row,) = csv_rows(made["csv"])
    assert row["clusters"] == "Web3; fintech"
    assert sheet_rows(made["xlsx"])[0]["clusters"] == "Web3; fintech"
    assert json.loads(made["json"])["rows"][0]["clusters"] == ["Web3", "fintech"]


async def test_an_export_made_inside_a_transaction_stores_its_file_after_reading_it(
    client, park, partners, monkeypatch
):
    """Inside a caller's transaction every statement shares one connection: the next batch is
    read when this one is done, and the chunks are stored once the cursor is spent (a write
    between a cursor's reads aborted SQLite's cursor at 100,000 start-ups)."""
    from incubator import db
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role
    from incubator.partners.services import exports

    monkeypatch.setattr(exports, "BATCH", 1)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 40)
    monkeypatch.setattr(exports, "STORE_BYTES", 100)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    for slug in ("harbour-pay", "lantern-chain", "bamboo-home"):
        await consent(client, park.startups[slug], partners["lingang"], ["name", "description"])
    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    viewer = Viewer(user_id=admin["id"], name="Admin", role=Role.admin)
    async with db.write_transaction():
        export_id = await exports.create_export(viewer, partners["lingang"], "csv")
    data = b"".join([chunk async for chunk in exports.stream_chunks(export_id)])
    made = await ReferralExport.select().where(ReferralExport.id == export_id).first()
    assert made["status"] == "ready" and made["sha256"] == hashlib.sha256(data).hexdigest()
    assert [r["slug"] for r in csv_rows(data)] == ["harbour-pay", "lantern-chain", "bamboo-home"]


async def test_exports_on_demand_are_limited_per_partner_with_a_clear_429(settings, park, partners):
    """Beyond the settings' hourly share a partner's exports are refused, 429 with when to
    try again, counted in the database: of six asked for at once, the share is made."""
    from dataclasses import replace

    from incubator.app import create_app
    from incubator.auth.schemas import Viewer
    from incubator.partners.policy import PartnerCaller
    from incubator.partners.services import exports

    app = create_app(replace(settings, partner_exports_per_hour=2), manage_engine=False)
    async with make_client(app) as client:
        await login(client, park.users["admin"])
        await record_mou(client, partners["lingang"])
        await record_mou(client, partners["dubai"])
        url = f"/api/partners/{partners['lingang']}/exports"
        answers = await asyncio.gather(
            *[api(client, "POST", url, json={"format": "csv"}) for _ in range(6)]
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 429, 429, 429, 429]
        refused = next(a for a in answers if a.status_code == 429)
        assert "the most allowed" in refused.json()["detail"]
        assert 3500 < int(refused.headers["retry-after"]) <= 3601
        # Another partner has its own share; the schedule is not counted against anyone.
        other = f"/api/partners/{partners['dubai']}/exports"
        assert (await api(client, "POST", other, json={"format": "csv"})).status_code == 201
    viewer = Viewer(user_id=None, name="schedule")
    caller = PartnerCaller(partners["lingang"], None, "schedule")
    assert await exports.create_export(viewer, partners["lingang"], "json", caller) > 0


async def test_an_exports_page_lists_its_start_ups_a_hundred_at_a_time(client, park, partners):
    """An export of the whole park names 100,000 start-ups: its page shows them by name a
    hundred at a time, with the way to the next page, and says where a page is empty."""
    from incubator.partners.services.exports import ITEMS_PER_PAGE

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    await consent(client, hp, partners["lingang"], ["name"])
    export = await make_export(client, partners["lingang"], "csv")
    # The log of a large export, written as the export writes it.
    await ExportItem.insert(
        *(
            ExportItem(
                export=export["id"], startup=None, startup_name=f"Start-up {n:03d}", fields="name"
            )
            for n in range(ITEMS_PER_PAGE + 20)
        )
    )
    await ReferralExport.update({ReferralExport.row_count: ITEMS_PER_PAGE + 21}).where(
        ReferralExport.id == export["id"]
    )
    first = text_of((await client.get(f"/partners/exports/{export['id']}")).text)
    # by name: Harbour Pay, then Start-up 000 to 098
    assert "Harbour Pay" in first and "Start-up 098" in first and "Start-up 099" not in first
    assert "Page 1 of 2" in first and "Next" in first
    second = text_of((await client.get(f"/partners/exports/{export['id']}?items_page=2")).text)
    assert "Start-up 099" in second and "Start-up 119" in second and "Harbour Pay" not in second
    assert "Start-up 098" not in second and "Previous" in second and "Next" not in second
    beyond = text_of((await client.get(f"/partners/exports/{export['id']}?items_page=9")).text)
    assert "No start-ups on this page." in beyond
