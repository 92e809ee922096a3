"""Quarterly progress reports: a start-up in a programme (or with an active grant) reports the
quarter just ended (a second report corrects it), the profile shows the latest figures to
those who may see them, and reminders go out before the due date and when overdue, each
once."""

from datetime import date, timedelta

from incubator.programmes.funding.services.reports import due_on, last_ended, quarter_of
from incubator.programmes.funding.tables import ProgressReport
from incubator.reminders.services import engine
from incubator.reminders.tables import ReminderLedger
from incubator.startups.tables import StartupProgramme
from tests.conftest import api
from tests.programmes.funding.conftest import matching_grant

REPORT = {
    "headcount": 14,
    "funds_raised_cents": 8_000_000_00,
    "revenue_band": "1m_10m",
    "customers": 40,
    "patents": 2,
    "summary": "Closed a seed round; first bank customer live.",
}


def test_quarters_and_their_due_dates():
    assert quarter_of(date(2026, 12, 4)) == "2026 Q4"
    assert last_ended(date(2026, 12, 4)) == "2026 Q3"
    assert last_ended(date(2027, 1, 1)) == "2026 Q4"
    assert due_on("2026 Q3") == date(2026, 10, 15)
    assert due_on("2026 Q4") == date(2027, 1, 15)


async def test_a_start_up_in_a_programme_reports_and_a_second_report_corrects_it(people, park):
    member = people["member"]  # Harbour Pay: incubating in the Cyberport Incubation Programme
    url = f"/api/grants/startups/{park.startups['harbour-pay']}/reports"
    sent = await api(member, "POST", url, json=REPORT)
    assert sent.status_code == 201, sent.text
    assert sent.json()["quarter"] == last_ended()
    corrected = await api(member, "POST", url, json=REPORT | {"headcount": 15})
    assert corrected.json()["headcount"] == 15
    assert await ProgressReport.count() == 1
    listed = await api(people["manager"], "GET", url)  # runs the programme's centre
    assert [r["headcount"] for r in listed.json()] == [15]
    # Lantern Chain is in no programme and has no grant: nothing is asked of it.
    theirs = f"/api/grants/startups/{park.startups['lantern-chain']}/reports"
    unasked = await api(people["other_member"], "POST", theirs, json=REPORT)
    assert unasked.status_code == 409
    assert unasked.json()["detail"] == (
        "progress reports are asked of start-ups in a programme or with an active grant"
    )


async def test_a_graduate_reports_while_its_grant_is_active(people, park):
    url = f"/api/grants/startups/{park.startups['harbour-pay']}/reports"
    await StartupProgramme.update({StartupProgramme.status: "graduated"}).where(
        StartupProgramme.startup == park.startups["harbour-pay"]
    )
    graduated = await api(people["member"], "POST", url, json=REPORT)
    assert graduated.status_code == 409
    await matching_grant(people["manager"], park)
    funded = await api(people["member"], "POST", url, json=REPORT)
    assert funded.status_code == 201, funded.text


async def test_every_broken_rule_of_a_report_is_named(people, park):
    await matching_grant(people["manager"], park)
    url = f"/api/grants/startups/{park.startups['harbour-pay']}/reports"
    bad = REPORT | {"headcount": -1, "revenue_band": "lots", "quarter": "2099 Q1"}
    refused = await api(people["member"], "POST", url, json=bad)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert set(errors) == {"headcount", "revenue_band", "quarter"}
    assert errors["quarter"] == f"must be a quarter that has ended: {last_ended()} or earlier"


async def test_reports_are_seen_by_the_start_up_and_those_who_run_its_grant_only(people, park):
    await matching_grant(people["manager"], park)
    url = f"/api/grants/startups/{park.startups['harbour-pay']}/reports"
    await api(people["member"], "POST", url, json=REPORT)
    for who in ("member", "manager", "admin"):
        assert (await api(people[who], "GET", url)).status_code == 200, who
    for who in ("other_member", "other_manager", "partner"):
        assert (await api(people[who], "GET", url)).status_code == 404, who
    foreign = await api(people["other_member"], "POST", url, json=REPORT)
    assert foreign.status_code == 404


async def test_reminders_before_the_due_date_and_when_overdue_each_once(people, park, settings):
    await matching_grant(people["manager"], park)

    async def sweep(day: date) -> tuple[int, int]:
        at = engine.local_moment(day, settings.reminder_hour) + timedelta(minutes=1)
        first = (await engine.sweep(settings, at))["progress_report"]
        again = (await engine.sweep(settings, at + timedelta(minutes=5)))["progress_report"]
        return first, again

    # Harbour Pay's member, by email and in the inbox: 2030 Q3 is due on 15 October.
    assert await sweep(date(2030, 10, 8)) == (2, 0)
    await ProgressReport.insert(
        ProgressReport(startup=park.startups["harbour-pay"], quarter="2030 Q3", headcount=3)
    )
    assert await sweep(date(2030, 10, 16)) == (0, 0)  # sent: not overdue
    assert await sweep(date(2031, 1, 16)) == (2, 0)  # 2030 Q4 was not
    titles = {
        r["title"]
        for r in await ReminderLedger.select(ReminderLedger.title).where(
            ReminderLedger.source == "progress_report"
        )
    }
    assert titles == {
        "Your 2030 Q3 progress report is due in 7 days",
        "Your 2030 Q4 progress report is overdue",
    }


async def test_the_profile_shows_the_latest_figures_to_editors_and_consenting_partners(
    people, park
):
    from incubator.partners.tables import SharingConsent
    from tests.scene import partner_network

    await matching_grant(people["manager"], park)
    startup = park.startups["harbour-pay"]
    await api(people["member"], "POST", f"/api/grants/startups/{startup}/reports", json=REPORT)
    await partner_network(park)  # an MOU in force; Harbour Pay shares its name only

    async def figures(who: str) -> tuple:
        body = (await api(people[who], "GET", f"/api/startups/{startup}")).json()
        return body["headcount"], body["funds_raised_cents"]

    for who in ("member", "manager", "admin"):
        assert await figures(who) == (14, 8_000_000_00), who
    for who in ("other_member", "other_manager", "partner"):
        assert await figures(who) == (None, None), who
    await SharingConsent.update({SharingConsent.fields: "name,headcount"}).where(
        SharingConsent.startup == startup
    )
    assert await figures("partner") == (14, None)
    page = (await people["partner"].get(f"/startups/{startup}")).text
    assert "Headcount" in page and "HK$8,000,000" not in page
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.partners.services.exports import create_export

    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    made = await create_export(
        Viewer(user_id=admin["id"], name="x", role=Role.admin), park.partners["lingang"], "csv"
    )
    sent = await api(people["admin"], "GET", f"/api/partners/exports/{made}/download")
    assert sent.status_code == 200, sent.text
    header, row = sent.content.decode("utf-8-sig").splitlines()[:2]
    assert "Headcount (latest progress report)" in header
    assert "Funds raised in HKD (latest progress report)" in header
    assert '"14"' in row and "8000000" not in row
    await SharingConsent.update({SharingConsent.fields: "name,funds_raised"}).where(
        SharingConsent.startup == startup
    )
    staff = Viewer(user_id=admin["id"], name="x", role=Role.admin)
    sheet = await create_export(staff, park.partners["lingang"], "csv")
    body = (await api(people["admin"], "GET", f"/api/partners/exports/{sheet}/download")).text
    assert '"8000000"' in body  # whole dollars in a spreadsheet
    made = await create_export(staff, park.partners["lingang"], "json")
    sent = await api(people["admin"], "GET", f"/api/partners/exports/{made}/download")
    [item] = [i for i in sent.json()["rows"] if i.get("name_en") == "Harbour Pay"]
    assert item["funds_raised_cents"] == 8_000_000_00 and "headcount" not in item


async def test_the_report_form_names_every_broken_rule_and_keeps_the_values(people, park):
    from tests.conftest import post_form

    await matching_grant(people["manager"], park)
    url = f"/grants/startups/{park.startups['harbour-pay']}/reports"
    member = people["member"]
    form = await member.get(url)
    assert form.status_code == 200 and f"Report for {last_ended()}" in form.text
    sent = {
        "quarter": last_ended(),
        "headcount": "many",
        "funds_raised": "HK$1,000,000",
        "revenue_band": "lots",
        "customers": "3",
        "patents": "0",
        "summary": "First bank customer",
    }
    refused = await post_form(member, url, sent)
    assert refused.status_code == 422
    assert 'id="headcount-error"' in refused.text and 'id="revenue_band-error"' in refused.text
    assert 'value="HK$1,000,000"' in refused.text and "First bank customer" in refused.text
    done = await post_form(member, url, sent | {"headcount": "9", "revenue_band": "under_1m"})
    assert done.status_code == 303
    listed = await member.get(url)
    assert "HK$1,000,000" in listed.text and "Under HK$1 million" in listed.text
    assert await ProgressReport.count() == 1


async def test_the_profile_leads_its_members_to_their_reports(people, park):
    profile = f"/startups/{park.startups['harbour-pay']}"
    link = f'href="/grants/startups/{park.startups["harbour-pay"]}/reports"'
    assert link in (await people["member"].get(profile)).text
    assert link not in (await people["other_member"].get(profile)).text
    reports = await people["member"].get(link.split('"')[1])
    assert "Send the report" in reports.text
