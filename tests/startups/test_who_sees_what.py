"""Who sees which fields of a start-up's profile (incubator/startups/policy.py,
`visible_groups`), on its page and its API answer, for every kind of viewer: the public and
partners see the company (a partner its contact only while the start-up consents to it),
the community its contact and team, those who edit it the team's emails too."""

from __future__ import annotations

import pytest

from incubator.partners.tables import PartnerPark, SharingConsent
from incubator.startups.tables import Startup, TeamMember
from tests.conftest import login

CONTACT = "hello@harbourpay.example"
TEAM_NAME = "Lee Ka Ming"
TEAM_EMAIL = "lee@harbourpay.example"

# viewer kind -> (contact, team names, team emails)
EXPECTED = {
    "anonymous": (False, False, False),
    "member": (True, True, True),  # of Harbour Pay
    "other_member": (True, True, False),  # of another start-up
    "partner_without_consent": (False, False, False),
    "partner_with_consent": (True, False, False),  # consented: name, contact
    "partner_of_another_park": (False, False, False),  # the consent is to Lingang only
    "manager": (True, True, True),  # of Harbour Pay's centre
    "other_manager": (True, True, False),
    "admin": (True, True, True),
}


async def _harbour_pay(park) -> int:
    sid = park.startups["harbour-pay"]
    await Startup.update({Startup.contact_name: "Ada Chan", Startup.contact_email: CONTACT}).where(
        Startup.id == sid
    )
    await TeamMember.insert(TeamMember(startup=sid, name=TEAM_NAME, email=TEAM_EMAIL))
    return sid


async def _as(client, park, kind: str) -> None:
    from incubator.auth.services.passwords import hash_password
    from incubator.auth.tables import User
    from incubator.partners.tables import PartnerMembership
    from tests.conftest import PASSWORD

    sid = park.startups["harbour-pay"]
    if kind == "anonymous":
        return
    if kind.startswith("partner"):
        if kind == "partner_with_consent":
            await SharingConsent.insert(
                SharingConsent(startup=sid, partner=park.partners["lingang"], fields="name,contact")
            )
        if kind == "partner_of_another_park":
            await SharingConsent.insert(
                SharingConsent(startup=sid, partner=park.partners["lingang"], fields="name,contact")
            )
            other = await PartnerPark.insert(PartnerPark(name="Dubai", country="UAE")).returning(
                PartnerPark.id
            )
            user = await User.insert(
                User(
                    email="dubai@partner.example",
                    name="Dubai",
                    role="partner",
                    password_hash=await hash_password(PASSWORD),
                )
            ).returning(User.id)
            await PartnerMembership.insert(
                PartnerMembership(user=user[0]["id"], partner=other[0]["id"])
            )
            await login(client, "dubai@partner.example")
            return
        await login(client, park.users["partner"])
        return
    await login(client, park.users[kind])


@pytest.mark.parametrize("kind", list(EXPECTED))
async def test_each_viewer_sees_the_profile_s_fields_the_policy_gives_them(client, park, kind):
    sid = await _harbour_pay(park)
    await _as(client, park, kind)
    contact, team, team_emails = EXPECTED[kind]
    page = await client.get(f"/startups/{sid}")
    assert page.status_code == 200
    answer = await client.get(f"/api/startups/{sid}")
    assert answer.status_code == 200
    shown = answer.json()
    assert "Harbour Pay" in page.text and shown["name_en"] == "Harbour Pay"
    assert (CONTACT in page.text) is contact and (shown["contact_email"] == CONTACT) is contact
    assert (TEAM_NAME in page.text) is team
    assert any(m["name"] == TEAM_NAME for m in shown["team"]) is team
    assert any(m["email"] == TEAM_EMAIL for m in shown["team"]) is team_emails
    assert team_emails or TEAM_EMAIL not in page.text  # the page lists the team's emails on
    team_page = await client.get(f"/startups/{sid}/team")  # the team page, for its editors
    assert (team_page.status_code == 200 and TEAM_EMAIL in team_page.text) is team_emails


async def test_a_withdrawn_consent_hides_the_contact_again(client, park):
    from incubator.db import utcnow

    sid = await _harbour_pay(park)
    await _as(client, park, "partner_with_consent")
    assert CONTACT in (await client.get(f"/startups/{sid}")).text
    await SharingConsent.update({SharingConsent.withdrawn_at: utcnow()}).where(
        SharingConsent.startup == sid
    )
    assert CONTACT not in (await client.get(f"/startups/{sid}")).text
    assert (await client.get(f"/api/startups/{sid}")).json()["contact_email"] == ""
