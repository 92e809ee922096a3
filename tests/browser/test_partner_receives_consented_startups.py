"""A member consents to share two fields with a partner park; the partner downloads an export
from its portal holding exactly those; after the member withdraws, the next export is empty:
in a real chromium against a real server process."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from incubator.i18n import today_hk
from incubator.partners.tables import Mou
from incubator.startups.tables import Startup
from tests.browser.pages import log_in, snap
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("postgres")]


async def download_fresh_csv(page) -> list[dict]:
    await page.get_by_label("Format").select_option("csv")
    await page.get_by_role("button", name="Make a fresh export").click()
    await page.wait_for_url("**/portal?message=export-ready")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Download").first.click()
    download = await info.value
    data = Path(await download.path()).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_a_partner_receives_only_what_the_member_consented_to(
    settings, park, browser, artifacts, engine_name
):
    await Mou.insert(
        Mou(
            partner=park.partners["lingang"],
            title="Lingang soft landing",
            signed_on=today_hk() - timedelta(days=10),
            expires_on=today_hk() + timedelta(days=700),
            status="active",
        )
    )
    await Startup.update(
        {Startup.website: "https://harbour.example", Startup.contact_email: "cfo@harbour.example"}
    ).where(Startup.id == park.startups["harbour-pay"])
    with running_server(settings.database_url) as url:
        member = await log_in(browser, url, park.users["member"])
        await member.goto(f"{url}/startups/{park.startups['harbour-pay']}")
        await member.get_by_role("link", name="Sharing with partner parks").click()
        form = member.locator(f"#consent-{park.partners['lingang']}")
        await form.get_by_label("Website").check()
        await form.get_by_role("button", name="Give consent").click()
        await member.wait_for_url("**/sharing?message=granted")
        assert (
            "Consent given"
            in await member.locator(f"#consent-{park.partners['lingang']}").inner_text()
        )

        partner = await log_in(browser, url, park.users["partner"])
        await partner.get_by_role("link", name="Partner portal").click()
        (row,) = await download_fresh_csv(partner)
        # Columns named for people, as a partner opens the file.
        assert row["Address name"] == "harbour-pay" and row["Website"] == "https://harbour.example"
        assert row["Contact email"] == "" and row["Description (English)"] == ""
        await snap(partner, artifacts / f"portal-{engine_name}.png", full_page=True)

        await member.get_by_role(
            "button", name="Withdraw consent for Shanghai Lingang Group"
        ).click()
        await member.wait_for_url("**/sharing?message=withdrawn")
        assert "Referral export" in await member.locator("table").inner_text()  # who received it

        assert await download_fresh_csv(partner) == []
