"""Applicants start, save, submit and withdraw applications to an open call; every broken
rule is named beside its field; nothing is accepted once the call has closed."""

from __future__ import annotations

from tests.conftest import api, login
from tests.programmes.conftest import PDF, complete_draft


async def test_a_member_applies_answers_and_submits(client, park, call):
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    saved = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={"answers": {"raised": "HK$1,250,000.50", "team": "7", "incorporated": "2019-03-01"}},
    )
    body = saved.json()
    assert body["answers"] == {
        "pitch": "Payments for SMEs.",
        "stage": "Revenue",
        "raised": 125_000_050,
        "team": 7,
        "incorporated": "2019-03-01",
    }
    assert [f["filename"] for f in body["files"]] == ["deck.pdf"]
    submitted = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_at"]
    again = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert again.status_code == 409 and "already submitted" in again.json()["detail"]


async def test_submitting_names_every_missing_answer(client, park, call):
    await login(client, park.users["member"])
    started = await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    refused = await api(
        client, "POST", f"/api/programmes/applications/{started.json()['id']}/submit"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "pitch": "is required",
        "stage": "is required",
        "deck": "is required: upload a file",
    }


async def test_a_bad_answer_is_named_and_nothing_is_saved(client, park, call):
    await login(client, park.users["member"])
    started = await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    application = started.json()["id"]
    refused = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={
            "answers": {
                "pitch": "Fine",
                "stage": "Unicorn",
                "raised": "lots",
                "team": "7.5",
                "incorporated": "March",
                "nope": "x",
            }
        },
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert errors["stage"] == "must be one of Idea, Revenue"
    assert "amount in HKD" in errors["raised"]
    assert errors["team"] == "must be a whole number"
    assert errors["incorporated"] == "must be a date written YYYY-MM-DD"
    assert errors["nope"] == "is not a question of this call"
    assert "pitch" not in errors
    shown = await api(client, "GET", f"/api/programmes/applications/{application}")
    assert shown.json()["answers"] == {}


async def test_a_choice_may_be_answered_in_chinese(client, park, call):
    await login(client, park.users["member"])
    started = await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    saved = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{started.json()['id']}/answers",
        json={"answers": {"stage": "有收入"}},
    )
    assert saved.json()["answers"] == {"stage": "Revenue"}


async def test_uploads_are_checked_by_content_and_size(client, park, call, database):
    await login(client, park.users["member"])
    started = await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    url = f"/api/programmes/applications/{started.json()['id']}/files/deck"
    disguised = await api(
        client,
        "POST",
        url,
        files={"file": ("deck.pdf", b"MZ\x90\x00 an executable", "application/pdf")},
    )
    assert disguised.status_code == 422
    assert disguised.json()["errors"]["deck"].startswith("must be a PDF, PNG or JPEG file")
    big = PDF + b"0" * database.upload_max_bytes
    too_big = await api(client, "POST", url, files={"file": ("deck.pdf", big, "application/pdf")})
    assert too_big.status_code == 422 and "at most 8 MB" in too_big.json()["errors"]["deck"]
    not_a_file_question = await api(
        client,
        "POST",
        url.replace("/deck", "/pitch"),
        files={"file": ("deck.pdf", PDF, "application/pdf")},
    )
    assert not_a_file_question.status_code == 422
    kept = await api(
        client, "POST", url, files={"file": ("..\\..\\etc\\deck.pdf", PDF, "text/html")}
    )
    assert kept.status_code == 201
    assert kept.json()["files"][0]["filename"] == "deck.pdf"
    assert kept.json()["files"][0]["content_type"] == "application/pdf"
    fetched = await client.get(url)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.headers["content-disposition"].startswith("attachment;")


async def test_a_withdrawn_application_no_longer_changes(client, park, call):
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    withdrawn = await api(client, "POST", f"/api/programmes/applications/{application}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    refused = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={"answers": {"pitch": "x"}},
    )
    assert refused.status_code == 409 and "withdrawn" in refused.json()["detail"]
    twice = await api(client, "POST", f"/api/programmes/applications/{application}/withdraw")
    assert twice.status_code == 409


async def test_no_one_else_sees_an_application(client, park, call):
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    for who in ("other_member", "partner", "other_manager"):
        await login(client, park.users[who])
        for url in (
            f"/api/programmes/applications/{application}",
            f"/api/programmes/applications/{application}/files/deck",
        ):
            seen = await api(client, "GET", url)
            assert seen.status_code == 404, (who, url)
        mine = await api(client, "GET", "/api/programmes/applications")
        assert application not in [a["id"] for a in mine.json()]
        listed = await api(client, "GET", f"/api/programmes/calls/{call['id']}/applications")
        assert listed.status_code == 403, who
    await login(client, park.users["manager"])
    listed = await api(client, "GET", f"/api/programmes/calls/{call['id']}/applications")
    assert [a["id"] for a in listed.json()] == [application]
    seen = await api(client, "GET", f"/api/programmes/applications/{application}")
    assert seen.status_code == 200


def test_a_stored_file_keeps_its_own_name_only():
    from incubator.programmes.services.files import safe_filename

    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\deck\x07.pdf") == "deck.pdf"
    assert safe_filename('.hidden "deck".pdf') == "hidden deck.pdf"
    assert safe_filename("") == "file"
