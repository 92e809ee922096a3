"""A start-up claims against its matching grant with a receipt, one manager reviews the claim,
an administrator approves it, and finance gathers it into a payment batch, downloads the
batch's payment instructions and marks it paid: in a real chromium against a real server,
on both engines."""

import csv
import io
from decimal import Decimal

import pytest
from playwright.async_api import expect

from tests.browser.pages import log_in, snap
from tests.programmes.funding.conftest import PDF
from tests.server import running_server

pytestmark = pytest.mark.browser


async def test_a_start_up_claims_two_staff_approve_and_finance_exports_the_batch(
    settings, park, browser, artifacts, engine_name, tmp_path
):
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    with running_server(settings.database_url) as url:
        manager = await log_in(browser, url, park.users["manager"])
        await manager.locator("summary", has_text="Programmes").click()
        await manager.get_by_role("link", name="Grants", exact=True).click()
        await manager.get_by_role("link", name="Make a grant").click()
        await manager.get_by_label("Start-up and programme").select_option(
            label="Harbour Pay · Cyberport Incubation Programme"
        )
        await manager.get_by_label("1:1 matching", exact=False).check()
        await manager.get_by_label("Total (HK$); for a matching grant, the cap").fill("50,000")
        await manager.get_by_label("Starts on").fill("2026-01-01")
        await manager.get_by_label("Ends on").fill("2027-12-31")
        await manager.get_by_role("button", name="Make the grant (as a draft)").click()
        await manager.get_by_role("button", name="Activate").click()
        await expect(manager.locator("main")).to_contain_text("Active")

        member = await log_in(browser, url, park.users["member"])
        await member.get_by_role("link", name="Programmes").click()
        await member.get_by_role("link", name="Grants").click()
        await member.get_by_role("link", name="Harbour Pay", exact=True).click()
        await member.get_by_label("What you spent (HK$)").fill("30,000")
        await member.get_by_label("Report: what was delivered or bought").fill(
            "A year of cloud hosting for the payment gateway."
        )
        await member.get_by_label(
            "Evidence: invoices, receipts or the deliverable"
        ).set_input_files(str(receipt))
        await snap(member, artifacts / f"grant-claim-form-{engine_name}.png")
        await member.get_by_role("button", name="Submit the claim").click()
        await member.wait_for_url("**/grants/claims/*")
        claim_url = member.url
        text = await member.locator("main").inner_text()
        assert "Waiting for review" in text and "HK$15,000" in text and "receipt.pdf" in text

        await manager.locator("summary", has_text="Programmes").click()
        await manager.get_by_role("link", name="Claims queue").click()
        await snap(manager, artifacts / f"claims-queue-{engine_name}.png", full_page=True)
        await manager.get_by_role("link", name="Claim ").first.click()
        await manager.get_by_label("Spend the evidence supports (HK$)").fill("28,000")
        await manager.get_by_role("button", name="Record my review").click()
        await expect(manager.locator("main")).to_contain_text("another person approves it")

        admin = await log_in(browser, url, park.users["admin"])
        await admin.goto(f"{url}/grants/claims")
        await admin.get_by_role("link", name="To approve").click()
        # The queue approves what is ticked: "every claim on this page" is the script's.
        await admin.get_by_label("Choose every claim on this page that you may approve").check()
        assert await admin.get_by_label("Approve claim ").first.is_checked()
        await snap(admin, artifacts / f"claims-to-approve-{engine_name}.png", full_page=True)
        await admin.get_by_role("button", name="Approve the chosen claims").click()
        await expect(admin.locator("main")).to_contain_text("1 claim approved.")
        await admin.goto(claim_url)
        await expect(admin.locator("main")).to_contain_text("Approved, waiting for payment")

        await admin.locator("summary", has_text="Programmes").click()
        await admin.get_by_role("link", name="Payment batches").click()
        await admin.get_by_role("button", name="Gather them into a batch").click()
        async with admin.expect_download() as waiting:
            await admin.get_by_role("link", name="CSV").click()
        download = await waiting.value
        rows = list(csv.reader(io.StringIO((await download.path()).read_text("utf-8-sig"))))
        assert rows[-1][3] == "Total (1 claim)" and Decimal(rows[-1][-1]) == Decimal("14000.00")
        assert rows[1][3] == "Harbour Pay" and Decimal(rows[1][-1]) == Decimal("14000.00")
        await admin.get_by_role("button", name="Mark PB-").click()
        # The click posts a form and the page is replaced: wait for the new page's table
        # before the screenshot (capturing mid-navigation fails in chromium).
        await expect(admin.locator("tbody")).to_contain_text("Paid")
        await admin.wait_for_load_state()
        await snap(admin, artifacts / f"payment-batches-{engine_name}.png")

        await member.goto(claim_url)
        text = await member.locator("main").inner_text()
        assert "Paid" in text and "Added to a payment batch" in text
        await snap(member, artifacts / f"claim-paid-{engine_name}.png")
