"""The park dashboard and reports: every figure pinned on a small known park, one definition
behind the page, the API, the CSV and the PDF, and each viewer kept to their own scope."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, date, datetime, time, timedelta

import pymupdf
import pytest

from incubator.dashboard.policy import month_start
from incubator.i18n import HONG_KONG, today_hk
from tests.conftest import Park, api, login, text_of


def hk(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HONG_KONG).astimezone(UTC)


class Known:
    """The months the time series are pinned in: M1 four months ago, M2 the month after."""

    def __init__(self) -> None:
        today = today_hk()
        self.m0 = month_start(today, 5)
        self.m1 = month_start(today, 4)
        self.m2 = month_start(today, 3)
        self.range = f"from={self.m0.isoformat()}&to={today.isoformat()}"
        self.key1, self.key2 = self.m1.strftime("%Y-%m"), self.m2.strftime("%Y-%m")


async def known_park(park: Park) -> Known:
    """Leases that ended (one renewed), events with registrations and check-ins, an academy
    run with certificates, referrals with two partners and MOUs about to expire, on top of
    the conftest park (Harbour Pay onsite in the Entrepreneurship Centre, Bamboo Home there
    too, Lantern Chain in the Technology Centre and Web3Hub)."""
    from centres.tables import Lease
    from events.academy.tables import Certificate
    from events.tables import Course, Event, Registration
    from incubator.partners.tables import Mou, PartnerPark, Referral

    k = Known()
    today = today_hk()
    ent, tech = park.centres["entrepreneurship"], park.centres["technology"]
    bamboo, lantern = park.startups["bamboo-home"], park.startups["lantern-chain"]
    harbour = park.startups["harbour-pay"]

    def lease(unit: str, startup: int, first: date, last: date, status: str, renewal_of=None):
        return Lease(
            unit=park.units[unit],
            startup=startup,
            starts_on=first,
            ends_on=last,
            contract_ends_on=last,
            monthly_rent_cents=1_000_00,
            status=status,
            renewal_of=renewal_of,
        )

    first = await Lease.insert(
        lease("3F-02", bamboo, k.m1 - timedelta(days=200), k.m1 + timedelta(days=9), "ended")
    ).returning(Lease.id)
    await Lease.insert(
        lease(
            "3F-02",
            bamboo,
            k.m1 + timedelta(days=10),
            k.m2 + timedelta(days=9),
            "ended",
            first[0]["id"],
        ),
        lease("5F-D01", lantern, k.m1 - timedelta(days=90), k.m1 + timedelta(days=19), "ended"),
        lease("2F-L01", lantern, k.m1 + timedelta(days=20), k.m1 + timedelta(days=25), "draft"),
    )

    def event(centre: int, starts: datetime, kind="event", status="published", **more):
        return Event(
            kind=kind,
            title_en=f"{kind} at {starts:%Y-%m-%d %H:%M}",
            centre=centre,
            online_url="https://meet.example/x",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=50,
            status=status,
            **more,
        )

    rows = await Event.insert(
        event(ent, hk(k.m1 + timedelta(days=4), 10)),
        # 00:30 on the first of M2 in Hong Kong is still M1 in UTC: counted in M2
        event(tech, hk(k.m2, 0, 30)),
        event(ent, hk(k.m1 + timedelta(days=6), 10), status="draft"),
        event(ent, hk(k.m1 + timedelta(days=7), 10), status="cancelled"),
    ).returning(Event.id)
    held, late = rows[0]["id"], rows[1]["id"]
    n = 0

    def registration(event_id: int, status: str, checked_in: bool = False):
        nonlocal n
        n += 1
        return Registration(
            event=event_id,
            name=f"Person {n}",
            email=f"p{n}@example.com",
            status=status,
            code=f"CODE{n:04d}",
            checked_in_at=hk(k.m1, 12) if checked_in else None,
        )

    await Registration.insert(
        registration(held, "confirmed", True),
        registration(held, "confirmed", True),
        registration(held, "confirmed"),
        registration(held, "waitlisted"),
        registration(held, "cancelled"),
        registration(late, "confirmed", True),
    )

    course = await Course.insert(
        Course(title_en="Smart contracts", track="blockchain", centre=ent)
    ).returning(Course.id)
    course_id = course[0]["id"]
    run = await Event.insert(
        event(ent, hk(k.m1 + timedelta(days=2), 14), kind="course_run", course=course_id)
    ).returning(Event.id)
    run_id = run[0]["id"]
    await Event.insert(event(ent, hk(k.m1 + timedelta(days=2), 14), kind="session", parent=run_id))
    enrolled = await Registration.insert(
        registration(run_id, "confirmed"), registration(run_id, "confirmed")
    ).returning(Registration.id)
    for i, (reg, revoked) in enumerate(zip(enrolled, (None, hk(k.m2, 9)), strict=True)):
        await Certificate.insert(
            Certificate(
                registration=reg["id"],
                code=f"W3A-TEST-{i}",
                course=course_id,
                run=run_id,
                name="Learner",
                email=f"learner{i}@example.com",
                course_title_en="Smart contracts",
                attended_percent=100,
                revoked_at=revoked,
            )
        )

    lingang = park.partners["lingang"]
    dff = (
        await PartnerPark.insert(PartnerPark(name="Digital Futures Forum")).returning(
            PartnerPark.id
        )
    )[0]["id"]
    await Referral.insert(
        Referral(
            direction="outbound",
            partner=lingang,
            startup=harbour,
            status="landed",
            created_at=hk(k.m1, 11),
        ),
        Referral(
            direction="outbound",
            partner=lingang,
            startup=lantern,
            status="proposed",
            created_at=hk(k.m1 + timedelta(days=3), 11),
        ),
        Referral(
            direction="inbound", partner=dff, company_name="Berlin Bots", created_at=hk(k.m2, 11)
        ),
        Referral(
            direction="outbound",
            partner=dff,
            startup=harbour,
            created_at=hk(k.m0 - timedelta(days=1), 11),
        ),  # before the range
    )

    def mou(partner: int, title: str, expires: date, status: str = "active") -> Mou:
        return Mou(
            partner=partner,
            title=title,
            signed_on=today - timedelta(days=365),
            expires_on=expires,
            status=status,
        )

    await Mou.insert(
        mou(lingang, "Soft landing", today + timedelta(days=30)),
        mou(dff, "Exchange", today + timedelta(days=400)),
        mou(dff, "Draft", today + timedelta(days=10), status="draft"),
        mou(lingang, "Lapsed", today - timedelta(days=1)),
    )
    return k


def rows_of(figure: dict) -> dict[str, dict]:
    return {row["name_en"]: row["values"] for row in figure["rows"]}


async def dashboard(client, query: str) -> dict[str, dict]:
    response = await api(client, "GET", f"/api/dashboard?{query}")
    assert response.status_code == 200, response.text
    return {f["key"]: f for f in response.json()["figures"]}


async def test_every_figure_of_the_park_on_a_known_dataset(client, park):
    k = await known_park(park)
    await login(client, park.users["admin"])
    figures = await dashboard(client, k.range)

    centres = rows_of(figures["startups-by-centre"])
    assert centres["Entrepreneurship Centre"] == {"startups": 2, "onsite": 1, "offsite": 1}
    assert centres["Technology Centre"] == {"startups": 1, "onsite": 0, "offsite": 1}
    assert centres["Web3Hub@Cyberport"] == {"startups": 1, "onsite": 0, "offsite": 1}

    clusters = rows_of(figures["startups-by-cluster"])
    assert {name: v["startups"] for name, v in clusters.items()} == {
        "FinTech": 2,
        "Web3": 1,
        "Smart Living": 1,
    }
    assert figures["startups-by-cluster"]["total"] == {"startups": 3}  # each start-up once

    stages = {n: v["startups"] for n, v in rows_of(figures["startups-by-stage"]).items()}
    assert stages == {
        "Idea": 1,
        "Pre-seed": 0,
        "Seed": 1,
        "Series A": 1,
        "Series B+": 0,
        "Growth": 0,
    }

    onsite = rows_of(figures["onsite-offsite"])
    assert onsite["Onsite"]["startups"] == 1 and onsite["Offsite"]["startups"] == 2
    assert onsite["Onsite"]["share"] == pytest.approx(1 / 3, abs=1e-4)

    occupancy = figures["occupancy"]
    assert rows_of(occupancy)["Entrepreneurship Centre"] | {} == {
        "units": 2,
        "occupied_units": 1,
        "vacant_units": 1,
        "unit_rate": 0.5,
        "area_rate": round(800 / 1400, 4),
    }
    assert occupancy["total"]["units"] == 4 and occupancy["total"]["occupied_units"] == 1
    assert occupancy["total"]["unit_rate"] == 0.25

    ending = rows_of(figures["leases-ending"])
    assert ending[k.key1] == {"ending": 2, "renewed": 1, "not_renewed": 1}
    assert ending[k.key2] == {"ending": 1, "renewed": 0, "not_renewed": 1}
    # every month of the range, empty ones too: M0 to this month
    assert list(ending)[:3] == [k.m0.strftime("%Y-%m"), k.key1, k.key2] and len(ending) == 6
    assert figures["leases-ending"]["total"]["ending"] == 3  # the draft is not a lease yet

    events = rows_of(figures["events"])
    assert events[k.key1] == {"events": 1, "registered": 3, "attended": 2}
    assert events[k.key2] == {"events": 1, "registered": 1, "attended": 1}  # Hong Kong month
    assert figures["events"]["total"] == {"events": 2, "registered": 4, "attended": 3}

    academy = figures["academy"]
    assert academy["total"] == {
        "runs": 1,
        "participants": 2,
        "certificates": 1,
        "completion_rate": 0.5,
    }

    referrals = rows_of(figures["referrals"])
    assert referrals == {
        "Shanghai Lingang Group": {"outbound": 2, "inbound": 0, "landed": 1},
        "Digital Futures Forum": {"outbound": 0, "inbound": 1, "landed": 0},
    }

    mous = figures["mous-expiring"]["rows"]
    assert [(r["name_en"], r["values"]["days_left"]) for r in mous] == [
        ("Shanghai Lingang Group: Soft landing", 30)
    ]


async def test_an_archived_start_up_counts_in_no_figure_of_the_park(client, park):
    """The whole park's figures count links off their indexes and take the archived
    start-ups' away: Harbour Pay (FinTech, the Entrepreneurship Centre, a lease in force)
    leaves every count when archived, and its centre's and cluster's figures with it."""
    from centres.services.occupancy import community_figures
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    before = await dashboard(client, "")
    await Startup.update({Startup.status: "archived"}).where(
        Startup.id == park.startups["harbour-pay"]
    )
    after = await dashboard(client, "")
    for figures, fintech, here, onsite in ((before, 2, 2, 1), (after, 1, 1, 0)):
        clusters = rows_of(figures["startups-by-cluster"])
        assert clusters["FinTech"]["startups"] == fintech
        centre = rows_of(figures["startups-by-centre"])["Entrepreneurship Centre"]
        assert centre == {"startups": here, "onsite": onsite, "offsite": here - onsite}
        assert rows_of(figures["onsite-offsite"])["Onsite"]["startups"] == onsite
    community = await community_figures([park.centres["entrepreneurship"]])
    assert community[park.centres["entrepreneurship"]].startups == 1


async def test_a_manager_sees_only_the_figures_of_their_own_centres(client, park):
    k = await known_park(park)
    await login(client, park.users["manager"])  # the Entrepreneurship Centre
    figures = await dashboard(client, k.range)
    assert [r["name_en"] for r in figures["startups-by-centre"]["rows"]] == [
        "Entrepreneurship Centre"
    ]
    assert figures["onsite-offsite"]["total"]["startups"] == 2
    clusters = {n: v["startups"] for n, v in rows_of(figures["startups-by-cluster"]).items()}
    assert clusters == {"FinTech": 1, "Smart Living": 1, "Web3": 0}
    assert figures["occupancy"]["total"]["units"] == 2
    assert rows_of(figures["leases-ending"])[k.key1]["ending"] == 1
    assert rows_of(figures["events"])[k.key2]["events"] == 0  # that one was Technology's
    assert figures["academy"]["total"]["participants"] == 2
    assert rows_of(figures["referrals"]) == {
        "Shanghai Lingang Group": {"outbound": 1, "inbound": 0, "landed": 1}
    }

    refused = await api(client, "GET", "/api/dashboard?centre=technology")
    assert refused.status_code == 403 and "their own centres" in refused.json()["detail"]
    page = await client.get("/dashboard?centre=technology")
    assert page.status_code == 403
    page_html = (await client.get(f"/dashboard?{k.range}")).text
    assert "Technology Centre" not in text_of(page_html.split("<main", 1)[1])
    assert 'value="entrepreneurship"' in page_html and 'value="technology"' not in page_html


async def test_an_administrator_can_narrow_the_dashboard_to_one_centre(client, park):
    k = await known_park(park)
    await login(client, park.users["admin"])
    body = (await api(client, "GET", f"/api/dashboard?{k.range}&centre=technology")).json()
    assert body["centres"] == ["technology"]
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["onsite-offsite"]["total"]["startups"] == 1
    assert rows_of(figures["events"])[k.key2]["events"] == 1
    assert figures["occupancy"]["total"]["units"] == 1


async def test_page_api_csv_and_report_show_the_same_numbers(client, park):
    k = await known_park(park)
    await login(client, park.users["admin"])
    figures = await dashboard(client, k.range)

    # the centres' occupancy API and the academy figures use the same definitions
    park_occupancy = (await api(client, "GET", "/api/occupancy")).json()["park"]
    assert figures["occupancy"]["total"]["occupied_units"] == park_occupancy["occupied_units"]
    academy = (await api(client, "GET", "/api/academy/figures")).json()["total"]
    assert figures["academy"]["total"]["certificates"] == academy["certificates"]

    from incubator.dashboard.schemas import SERIES

    for key, figure in figures.items():
        download = await client.get(f"/dashboard/csv/{key}?{k.range}")
        assert download.status_code == 200, key
        assert download.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert len(table) == len(figure["rows"]) + 1, key  # the rows and the total
        for row, line in zip(figure["rows"], table, strict=False):
            assert line["Name (English)"] == row["name_en"]  # columns named for people
            for series, value in row["values"].items():
                label = SERIES[series]
                assert line[label] == ("" if value is None else str(value)), (key, series)

    page_html = (await client.get(f"/dashboard?{k.range}")).text
    assert page_html.count('<svg class="chart-svg"') == len(figures)
    assert "Leases ending per month" in page_html and "Download CSV" in page_html

    quarter = f"{k.m1.year}-Q{(k.m1.month - 1) // 3 + 1}"
    report = await client.get(f"/reports/quarterly?quarter={quarter}")
    assert report.status_code == 200 and f"Quarterly report {quarter}" in report.text
    pdf = await client.get(f"/reports/quarterly.pdf?quarter={quarter}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.get_text() for p in pymupdf.open(stream=pdf.content))
    assert f"Quarterly report {quarter}" in text and "The whole park" in text
    for title in ("Start-ups by stage", "Events and attendance per month", "Referrals per"):
        assert title in text
    assert "Shanghai Lingang Group" in text
    one_centre = await client.get("/reports/quarterly?quarter=2024-Q1&centre=technology")
    assert "Quarterly report 2024-Q1" in one_centre.text
    assert "Technology Centre · 2024-01-01 – 2024-03-31" in one_centre.text
    assert 'value="2024-Q1" selected' in one_centre.text
    pdf = await client.get("/reports/quarterly.pdf?quarter=2024-Q1&centre=technology")
    assert "report_technology_2024-Q1.pdf" in pdf.headers["content-disposition"]
    text = "\n".join(p.get_text() for p in pymupdf.open(stream=pdf.content))
    assert "Technology Centre" in text and "The whole park" not in text


async def test_the_range_is_checked_and_named_in_the_error(client, park):
    await login(client, park.users["admin"])
    for query, field, rule in [
        ("from=yesterday", "from", "must be a date like 2026-01-31"),
        ("from=2026-05-01&to=2026-04-01", "to", "on or after the first day"),
        ("from=2016-01-01&to=2026-01-01", "to", "at most five years"),
        ("centre=atlantis", "centre", "no centre or hub has the slug 'atlantis'"),
    ]:
        response = await api(client, "GET", f"/api/dashboard?{query}")
        assert response.status_code == 400, query
        assert field in response.text and rule in response.text
        page = await client.get(f"/dashboard?{query}")
        assert page.status_code == 400 and rule in html.unescape(page.text)  # beside the form
        assert 'class="chart-svg"' not in page.text
    assert (await api(client, "GET", "/api/dashboard/nonsense")).status_code == 404
    assert (await client.get("/dashboard/csv/nonsense")).status_code == 404
    bad = await client.get("/reports/quarterly?quarter=2026-Q5")
    assert bad.status_code == 400 and "must be a quarter like 2026-Q3" in bad.text


async def test_nobody_but_staff_sees_the_dashboard(client, park):
    assert (await api(client, "GET", "/api/dashboard")).status_code == 401
    for role in ("member", "partner"):
        await login(client, park.users[role])
        assert (await api(client, "GET", "/api/dashboard")).status_code == 403
        assert (await client.get("/dashboard")).status_code == 403
        assert (await client.get("/reports/quarterly.pdf")).status_code == 403
        assert (await client.get("/dashboard/csv/occupancy")).status_code == 403


async def test_csv_cells_that_look_like_formulas_are_neutralised(client, park):
    from incubator.partners.tables import PartnerPark, Referral

    hostile = await PartnerPark.insert(PartnerPark(name='=HYPERLINK("x")')).returning(
        PartnerPark.id
    )
    await Referral.insert(Referral(direction="inbound", partner=hostile[0]["id"]))
    await login(client, park.users["admin"])
    download = await client.get("/dashboard/csv/referrals")
    assert "'=HYPERLINK" in download.content.decode("utf-8-sig")


async def test_every_figure_title_series_and_note_is_translated(client, park):
    from incubator.dashboard import schemas
    from incubator.i18n import gettext

    await known_park(park)
    await login(client, park.users["admin"])
    from incubator.startups.tables import STAGE_NAMES

    names = [*schemas.TITLES.values(), *schemas.SERIES.values(), *STAGE_NAMES.values()]
    names += [f["note"] for f in (await dashboard(client, "")).values() if f["note"]]
    untranslated = [n for n in names if gettext("zh-Hant", n) == n]
    assert untranslated == []
    await client.get("/lang/zh-Hant")
    page_html = (await client.get("/dashboard")).text
    assert "初創企業" in page_html and "創業中心" in page_html


def test_last_twelve_months_means_the_last_twelve_months():
    from incubator.dashboard.pages import presets
    from incubator.dashboard.policy import default_range, months_back

    assert default_range(date(2026, 12, 4)) == (date(2025, 12, 5), date(2026, 12, 4))
    assert months_back(date(2026, 3, 31), 1) == date(2026, 3, 1)  # February is shorter
    assert months_back(date(2024, 2, 29), 12) == date(2023, 3, 1)
    shown = {p["name"]: (p["from"], p["to"]) for p in presets(date(2026, 12, 4))}
    assert shown["Last 12 months"] == ("2025-12-05", "2026-12-04")
    assert shown["Last 3 months"] == ("2026-09-05", "2026-12-04")
    assert shown["This year"] == ("2026-01-01", "2026-12-04")
