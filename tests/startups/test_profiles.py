"""Start-up profiles: self-service editing, validation that names the rule, history, team, logo."""

import pytest

from incubator.startups.tables import ProfileChange, Startup, TeamMember
from tests.conftest import api, login, post_form, text_of

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


async def snapshot(startup_id: int) -> dict:
    row = await Startup.select().where(Startup.id == startup_id).first()
    row.pop("search_document")
    return row


async def test_member_edits_own_profile_and_the_change_is_in_the_history(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    response = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={"description_en": "Instant FPS payments for SMEs.", "team_size": 12},
    )
    assert response.status_code == 200, response.text
    assert response.json()["team_size"] == 12
    history = (await api(client, "GET", f"/api/startups/{sid}/history")).json()
    by_field = {}
    for change in history:  # newest first
        by_field.setdefault(change["field"], change)
    assert by_field["team_size"]["old_value"] == "1" and by_field["team_size"]["new_value"] == "12"
    assert by_field["description_en"]["actor_name"] == "Member"
    assert by_field["description_en"]["old_value"] == "Cross-border payments for SMEs."
    # The new words are searchable at once.
    found = (await client.get("/api/startups?q=fps")).json()["items"]
    assert [i["id"] for i in found] == [sid]


async def test_profile_form_saves_and_shows_history_on_the_profile(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    form = (await client.get(f"/startups/{sid}/edit")).text
    assert 'name="name_en"' in form and 'name="centres"' not in form  # members: no centre field
    response = await post_form(
        client,
        f"/startups/{sid}/edit",
        {
            "name_en": "Harbour Pay",
            "name_zh": "海港支付",
            "description_en": "New words",
            "description_zh": "",
            "website": "https://harbourpay.example",
            "founded_year": "2019",
            "stage": "series_a",
            "team_size": "8",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "tags": "payments, fps",
            "clusters": "fintech",
        },
    )
    assert response.status_code == 303
    profile = await client.get(response.headers["location"])
    assert "Your changes are saved." in profile.text
    assert "History of changes" in profile.text
    # The history names the field and the stage as people read them, not their codes.
    history = text_of(profile.text.split("History of changes")[1])
    assert "Stage Seed Series A" in history and "series_a" not in profile.text
    # Affiliations read as names, linked to the directory filtered by them.
    assert '<a href="/startups?centre=entrepreneurship">Entrepreneurship Centre</a>' in profile.text
    assert '<a href="/startups?cluster=fintech">FinTech</a>' in profile.text


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("website", "harbourpay", "must be a web address starting with http:// or https://"),
        ("founded_year", 1800, "must be a year from 1950 to"),
        ("team_size", 0, "must be a whole number from 1 to 100000"),
        ("contact_email", "not-an-email", "must be an email address"),
        ("name_en", "", "is required"),
        ("name_en", "x" * 201, "must be at most 200 characters"),
        ("clusters", ["fintech", "space-mining"], "unknown cluster space-mining"),
        ("tags", ["ok", "<script>"], "tag '<script>' must be"),
    ],
)
async def test_invalid_input_gets_422_naming_field_and_rule_and_changes_nothing(
    client, park, field, value, rule
):
    sid = park.startups["harbour-pay"]
    before = await snapshot(sid)
    await login(client, park.users["member"])
    response = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={"description_en": "should not be saved", field: value},
    )
    assert response.status_code == 422, response.text
    assert rule in response.json()["errors"][field]
    assert await snapshot(sid) == before
    assert await ProfileChange.count().where(ProfileChange.actor_name == "Member") == 0


async def test_invalid_form_is_shown_again_with_the_message_beside_the_field(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    response = await post_form(
        client,
        f"/startups/{sid}/edit",
        {
            "name_en": "Harbour Pay",
            "website": "ftp://x",
            "stage": "seed",
            "team_size": "3",
            "founded_year": "abc",
            "clusters": "fintech",
        },
    )
    assert response.status_code == 422
    assert 'id="website-error"' in response.text and 'id="founded_year-error"' in response.text
    assert 'value="ftp://x"' in response.text  # what was typed is kept
    assert (await snapshot(sid))["website"] == ""


async def test_members_cannot_change_fields_reserved_for_managers(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    before = await snapshot(sid)
    response = await api(client, "PATCH", f"/api/startups/{sid}", json={"centres": ["technology"]})
    assert response.status_code == 403
    assert "centres" in response.json()["errors"]
    assert await snapshot(sid) == before


async def test_onsite_cannot_be_set_by_anyone_because_it_follows_leases(client, park):
    sid = park.startups["bamboo-home"]
    await login(client, park.users["admin"])
    response = await api(client, "PATCH", f"/api/startups/{sid}", json={"onsite": True})
    assert response.status_code == 422
    assert "lease" in response.json()["errors"]["onsite"]
    assert (await api(client, "GET", f"/api/startups/{sid}")).json()["onsite"] is False


async def test_manager_changes_centres_and_programmes_in_their_scope(client, park):
    sid = park.startups["bamboo-home"]
    await login(client, park.users["manager"])
    response = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={
            "centres": ["entrepreneurship", "web3hub"],
            "programmes": [
                {
                    "programme": "cyberport-incubation",
                    "started_on": "2025-03-01",
                    "status": "incubating",
                }
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hubs"] == ["web3hub"]
    assert body["programmes"][0]["started_on"] == "2025-03-01"
    bad = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={
            "programmes": [
                {
                    "programme": "cyberport-incubation",
                    "started_on": "2025-03-01",
                    "ended_on": "2024-01-01",
                }
            ]
        },
    )
    assert bad.status_code == 422 and "end date" in bad.json()["errors"]["programmes"]
    # Removing the manager's own centre would take the start-up out of their hands.
    away = await api(client, "PATCH", f"/api/startups/{sid}", json={"centres": ["technology"]})
    assert away.status_code == 422 and "your own centres" in away.json()["errors"]["centres"]


async def test_managers_create_start_ups_for_their_centres_only(client, park):
    await login(client, park.users["manager"])
    created = await api(
        client,
        "POST",
        "/api/startups",
        json={"name_en": "Peak Vision Labs", "centres": ["entrepreneurship"]},
    )
    assert created.status_code == 201, created.text
    startup = await Startup.select().where(Startup.id == created.json()["id"]).first()
    assert startup["slug"] == "peak-vision-labs"
    nameless = await api(client, "POST", "/api/startups", json={"centres": ["entrepreneurship"]})
    assert nameless.status_code == 422 and nameless.json()["errors"]["name_en"] == "is required"
    elsewhere = await api(
        client, "POST", "/api/startups", json={"name_en": "Other Labs", "centres": ["technology"]}
    )
    assert elsewhere.status_code == 422
    assert not await Startup.exists().where(Startup.name_en == "Other Labs")


async def test_archive_and_restore_are_recorded(client, park):
    sid = park.startups["bamboo-home"]
    await login(client, park.users["manager"])
    response = await post_form(client, f"/startups/{sid}/archive", {"archived": "1"})
    assert response.status_code == 303
    assert (await snapshot(sid))["status"] == "archived"
    await post_form(client, f"/startups/{sid}/archive", {"archived": "0"})
    changes = await ProfileChange.select(ProfileChange.new_value).where(
        (ProfileChange.startup == sid) & (ProfileChange.field == "status")
    )
    assert [c["new_value"] for c in changes] == ["archived", "active"]


async def test_team_members_are_added_changed_and_removed_with_history(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    await client.get(f"/startups/{sid}/team")
    added = await post_form(
        client,
        f"/startups/{sid}/team",
        {
            "name": "Chan Ka Ming",
            "name_zh": "陳家明",
            "title": "CTO",
            "email": "kaming@harbour.example",
            "is_founder": "on",
        },
    )
    assert added.status_code == 303
    member = await TeamMember.select().where(TeamMember.startup == sid).first()
    assert member["is_founder"] and member["name_zh"] == "陳家明"
    invalid = await post_form(client, f"/startups/{sid}/team", {"name": "", "email": "x"})
    assert invalid.status_code == 422 and "is required" in invalid.text
    await post_form(
        client,
        f"/startups/{sid}/team/{member['id']}",
        {"name": "Chan Ka Ming", "title": "CEO", "email": ""},
    )
    assert (await TeamMember.select().where(TeamMember.id == member["id"]).first())[
        "title"
    ] == "CEO"
    await post_form(client, f"/startups/{sid}/team/{member['id']}/remove")
    assert await TeamMember.count().where(TeamMember.startup == sid) == 0
    team_changes = (
        await ProfileChange.select(ProfileChange.old_value, ProfileChange.new_value)
        .where((ProfileChange.startup == sid) & (ProfileChange.field == "team"))
        .order_by(ProfileChange.id)
    )
    assert [(c["old_value"], c["new_value"]) for c in team_changes] == [
        ("", "Chan Ka Ming (CTO)"),
        ("Chan Ka Ming (CTO)", "Chan Ka Ming (CEO)"),
        ("Chan Ka Ming (CEO)", ""),
    ]


async def test_another_start_ups_team_member_cannot_be_touched(client, park):
    lantern = park.startups["lantern-chain"]
    await TeamMember.insert(TeamMember(startup=lantern, name="Lee Wing Yan"))
    other = await TeamMember.select(TeamMember.id).first()
    await login(client, park.users["member"])
    harbour = park.startups["harbour-pay"]
    response = await post_form(client, f"/startups/{harbour}/team/{other['id']}/remove")
    assert response.status_code == 404
    assert await TeamMember.count() == 1


async def test_logo_upload_accepts_images_and_rejects_everything_else(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    await client.get(f"/startups/{sid}/edit")
    bad = await post_form(
        client,
        f"/startups/{sid}/logo",
        files={"logo": ("x.svg", b"<svg onload=alert(1)>", "image/svg+xml")},
    )
    assert bad.status_code == 422 and "must be a PNG, JPEG or WebP image" in bad.text
    assert (await client.get(f"/startups/{sid}/logo")).status_code == 404
    good = await post_form(
        client, f"/startups/{sid}/logo", files={"logo": ("logo.png", PNG, "image/png")}
    )
    assert good.status_code == 303
    served = await client.get(f"/startups/{sid}/logo")
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    big = await post_form(
        client,
        f"/startups/{sid}/logo",
        files={"logo": ("big.png", PNG + b"\0" * 600_000, "image/png")},
    )
    assert big.status_code == 422 and "at most 512 KB" in big.text


async def test_an_archived_start_ups_logo_is_shown_only_to_its_editors(client, park):
    from incubator.startups.tables import StartupLogo

    sid = park.startups["bamboo-home"]
    await StartupLogo.insert(
        StartupLogo(startup=sid, content_type="image/png", data=PNG, sha256="x")
    )
    assert (await client.get(f"/startups/{sid}/logo")).status_code == 200
    await Startup.update({Startup.status: "archived"}).where(Startup.id == sid)
    assert (await client.get(f"/startups/{sid}/logo")).status_code == 404
    await login(client, park.users["manager"])
    assert (await client.get(f"/startups/{sid}/logo")).status_code == 200


async def test_a_member_finds_their_start_up_in_the_navigation(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    home = await client.get("/events")
    assert f'<a href="/startups/{sid}" >My start-up</a>' in home.text.replace("  ", " ")
    own = await client.get(f"/startups/{sid}")
    assert f'<a href="/startups/{sid}" aria-current="page">My start-up</a>' in own.text
    await client.get("/logout")
    await login(client, park.users["manager"])
    assert "My start-up" not in (await client.get("/events")).text


async def test_the_history_names_programmes_clusters_and_statuses_in_the_reader_s_words(
    client, park
):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["admin"])
    changed = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={
            "clusters": ["fintech", "smart-living"],
            "programmes": [
                {
                    "programme": "cyberport-incubation",
                    "status": "graduated",
                    "started_on": "2022-01-01",
                    "ended_on": "2024-01-01",
                }
            ],
        },
    )
    assert changed.status_code == 200, changed.text
    client.cookies.set("lang", "zh-Hant")
    history = text_of((await client.get(f"/startups/{sid}")).text).split("更改紀錄")[-1]
    assert "數碼港培育計劃 (已畢業, 2022-01-01 – 2024-01-01)" in history
    assert "金融科技, 智慧生活" in history
    for code in ("cyberport-incubation", "smart-living", "graduated"):
        assert code not in history
