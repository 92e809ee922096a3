"""The audit trail of staff actions (incubator/auth/services/audit.py): every change of
people's data or access is recorded with who, when, what and from where, in the change's own
transaction; administrators read it at /admin/audit; nothing can change or remove an entry."""

from __future__ import annotations

import pytest

from incubator.auth.tables import AuditEntry, User
from incubator.startups.tables import ManagerAssignment
from tests.centres.conftest import day, lease_body
from tests.conftest import api, login, post_form, text_of
from tests.partners.conftest import _token_id, consent, make_export, partners, record_mou

__all__ = ["partners"]  # the fixture, used by name


async def _trail() -> list[dict]:
    return await AuditEntry.select().order_by(AuditEntry.id)


async def test_accounts_made_and_deactivated_by_an_administrator_are_recorded(client, park):
    await login(client, park.users["admin"])
    made = await post_form(
        client,
        "/admin/users",
        {
            "email": "new.manager@park.example",
            "name": "New Manager",
            "role": "manager",
            "password": "long-enough-password",
            "centres": "technology",
        },
    )
    assert made.status_code == 303, made.text
    user = await User.select(User.id).where(User.email == "new.manager@park.example").first()
    assert await ManagerAssignment.exists().where(ManagerAssignment.user == user["id"])
    off = await post_form(client, f"/admin/users/{user['id']}/active", {"active": "0"})
    on = await post_form(client, f"/admin/users/{user['id']}/active", {"active": "1"})
    assert off.status_code == on.status_code == 303

    rows = await _trail()
    assert [r["action"] for r in rows] == [
        "account_created",
        "centres_assigned",
        "account_deactivated",
        "account_reactivated",
    ]
    assert {r["actor_email"] for r in rows} == {park.users["admin"]}
    assert {r["address"] for r in rows} == {"127.0.0.1"}
    assert {r["subject"] for r in rows} == {"New Manager <new.manager@park.example>"}
    assert '"role":"manager"' in rows[0]["detail"]
    assert "Technology Centre" in rows[1]["detail"]


async def test_a_change_that_fails_leaves_no_entry(client, park):
    await login(client, park.users["admin"])
    taken = await post_form(
        client,
        "/admin/users",
        {"email": park.users["member"], "name": "Twin", "role": "admin", "password": "x" * 12},
    )
    assert taken.status_code == 409
    refused = await post_form(
        client,
        "/admin/users",
        {
            "email": "a@park.example",
            "name": "A",
            "role": "manager",
            "password": "x" * 12,
            "centres": "atlantis",
        },
    )
    assert refused.status_code == 422 and "unknown centre" in refused.text
    assert not await User.exists().where(User.email == "a@park.example")
    assert await _trail() == []


async def test_lease_changes_are_recorded_with_the_start_up_and_unit(client, park):
    await login(client, park.users["manager"])
    made = await api(client, "POST", "/api/leases", json=lease_body(park, status="draft"))
    assert made.status_code == 201, made.text
    lease = made.json()["id"]
    assert (await api(client, "POST", f"/api/leases/{lease}/activate")).status_code == 200
    ended = await api(
        client,
        "POST",
        f"/api/leases/{lease}/terminate",
        json={"last_day": day(30), "reason": "moved to a bigger unit"},
    )
    assert ended.status_code == 200, ended.text
    rows = await _trail()
    assert [r["action"] for r in rows] == ["lease_created", "lease_activated", "lease_terminated"]
    assert all(r["subject"].startswith("Bamboo Home: ") and "3F-02" in r["subject"] for r in rows)
    assert "moved to a bigger unit" in rows[2]["detail"]
    assert {r["actor_email"] for r in rows} == {park.users["manager"]}


async def test_partner_access_mous_tokens_exports_and_staff_consents_are_recorded(
    client, park, partners
):
    lingang, harbour = partners["lingang"], park.startups["harbour-pay"]
    await login(client, park.users["admin"])
    mou = await record_mou(client, lingang, clusters=["fintech"])
    made = await api(client, "POST", f"/api/partners/{lingang}/tokens", json={"label": "CRM"})
    assert made.status_code == 201, made.text
    token = await _token_id(lingang)
    revoked = await api(client, "POST", f"/api/partners/{lingang}/tokens/{token}/revoke")
    assert revoked.status_code == 204
    assert (await consent(client, harbour, lingang, ["name", "contact"])).status_code == 200
    await make_export(client, lingang, "csv")
    ended = await post_form(client, f"/partners/mous/{mou}/terminate", {"terminated_on": ""})
    assert ended.status_code == 303, ended.text

    rows = await _trail()
    assert [r["action"] for r in rows] == [
        "mou_created",
        "token_created",
        "token_revoked",
        "consent_granted",
        "export_made",
        "mou_terminated",
    ]
    assert rows[1]["subject"].startswith("CRM (cpk_") and "cpk_" not in rows[1]["detail"]
    assert rows[3]["subject"] == "Harbour Pay → Shanghai Lingang Group"
    assert "contact" in rows[3]["detail"]


async def test_consent_given_by_the_start_up_itself_is_its_own_and_not_audited(
    client, park, partners
):
    await login(client, park.users["member"])
    given = await consent(client, park.startups["harbour-pay"], partners["lingang"], ["name"])
    assert given.status_code == 200, given.text
    assert await _trail() == []


async def test_the_trail_is_append_only_in_the_database(client, park, engine_name):
    await login(client, park.users["admin"])
    user = await User.select(User.id).where(User.email == park.users["member"]).first()
    await post_form(client, f"/admin/users/{user['id']}/active", {"active": "0"})
    assert len(await _trail()) == 1
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.actor_email: "someone@else.example"}).where(
            AuditEntry.id > 0
        )
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.id > 0)
    if engine_name == "postgres":
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.raw("TRUNCATE audit_entry")
    assert (await _trail())[0]["actor_email"] == park.users["admin"]


async def test_administrators_read_the_trail_in_their_language_and_filter_it(client, park):
    await login(client, park.users["admin"])
    for email in (park.users["member"], park.users["other_member"]):
        user = await User.select(User.id).where(User.email == email).first()
        await post_form(client, f"/admin/users/{user['id']}/active", {"active": "0"})
    await post_form(client, f"/admin/users/{user['id']}/active", {"active": "1"})

    page = await client.get("/admin/audit")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Account deactivated" in text and "Account reactivated" in text
    assert "account_deactivated" not in text and "Entries: 3" in text
    filtered = text_of((await client.get("/admin/audit?action=account_reactivated")).text)
    assert "Entries: 1" in filtered and park.users["other_member"] in filtered
    mine = text_of((await client.get("/admin/audit?actor=nobody@x.example")).text)
    assert "No entries match." in mine
    bad = await client.get("/admin/audit?since=yesterday")
    assert bad.status_code == 400 and "must be a date" in bad.text
    unknown = await client.get("/admin/audit?action=drop_tables")
    assert unknown.status_code == 400 and "must be one of the listed actions" in unknown.text

    await client.get("/lang/zh-Hant")
    chinese = text_of((await client.get("/admin/audit")).text)
    assert "審計紀錄" in chinese and "已停用帳戶" in chinese


@pytest.mark.parametrize("role", ["manager", "member", "partner"])
async def test_only_administrators_read_the_trail(client, park, role):
    assert (await client.get("/admin/audit")).status_code in (302, 303, 401)
    await login(client, park.users[role])
    assert (await client.get("/admin/audit")).status_code == 403


async def test_an_administrator_changes_a_role_and_centres_and_both_are_recorded(client, park):
    await login(client, park.users["admin"])
    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    form = await client.get(f"/admin/users/{member['id']}")
    assert form.status_code == 200 and "Role and centres" in form.text
    changed = await post_form(
        client,
        f"/admin/users/{member['id']}",
        {"role": "manager", "centres": ["technology", "web3hub"]},
    )
    assert changed.status_code == 303, changed.text
    narrowed = await post_form(
        client, f"/admin/users/{member['id']}", {"role": "manager", "centres": "web3hub"}
    )
    assert narrowed.status_code == 303
    row = await User.select(User.role).where(User.id == member["id"]).first()
    held = await ManagerAssignment.select(ManagerAssignment.centre.slug).where(
        ManagerAssignment.user == member["id"]
    )
    assert row["role"] == "manager" and [h["centre.slug"] for h in held] == ["web3hub"]
    rows = await _trail()
    assert [r["action"] for r in rows] == ["role_changed", "centres_changed", "centres_changed"]
    assert '"from":"member"' in rows[0]["detail"] and '"role":"manager"' in rows[0]["detail"]
    assert '"removed":["Technology Centre"]' in rows[2]["detail"]
    text = text_of((await client.get("/admin/audit")).text)
    assert (
        "Role changed" in text and "From: Start-up member" in text and "Removed: Technology" in text
    )


async def test_a_role_change_that_breaks_a_rule_is_shown_beside_the_field_and_changes_nothing(
    client, park
):
    await login(client, park.users["admin"])
    ids = {
        key: (await User.select(User.id).where(User.email == park.users[key]).first())["id"]
        for key in ("admin", "partner", "member")
    }
    mine = await post_form(client, f"/admin/users/{ids['admin']}", {"role": "member"})
    assert mine.status_code == 422 and "your own administrator role" in mine.text
    partner = await post_form(client, f"/admin/users/{ids['partner']}", {"role": "member"})
    assert partner.status_code == 422 and "partner park" in partner.text
    unknown = await post_form(
        client, f"/admin/users/{ids['member']}", {"role": "manager", "centres": "atlantis"}
    )
    assert unknown.status_code == 422 and "unknown centre or hub atlantis" in unknown.text
    bad_role = await post_form(client, f"/admin/users/{ids['member']}", {"role": "root"})
    assert bad_role.status_code == 422 and "choose one of the roles" in bad_role.text
    assert (await client.get("/admin/users/999999")).status_code == 404
    roles = {r["email"]: r["role"] for r in await User.select(User.email, User.role)}
    assert roles[park.users["member"]] == "member" and roles[park.users["admin"]] == "admin"
    assert await _trail() == []
