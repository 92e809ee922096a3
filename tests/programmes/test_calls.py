"""Managers open calls: every broken rule of a call is named beside its field; the centre's
managers run it; its questions freeze once an application has been submitted."""

from __future__ import annotations

from tests.conftest import api, login
from tests.programmes.conftest import QUESTIONS, call_body, complete_draft, open_call


async def test_a_manager_opens_a_call_that_anyone_reads(client, park):
    call = await open_call(client, park)
    assert call["status"] == "open" and call["frozen"] is False
    assert [q["key"] for q in call["questions"]] == [
        "pitch",
        "stage",
        "raised",
        "team",
        "incorporated",
        "deck",
    ]
    assert [c["key"] for c in call["rubric"]["criteria"]] == ["c1", "c2"]
    client.cookies.clear()
    listed = await api(client, "GET", "/api/programmes/calls?status=open")
    assert [c["id"] for c in listed.json()] == [call["id"]]
    assert (await api(client, "GET", "/api/programmes/calls?status=closed")).json() == []
    bad = await api(client, "GET", "/api/programmes/calls?status=soon")
    assert bad.status_code == 400 and "open, upcoming, closed" in bad.json()["errors"]["status"]


async def test_every_broken_rule_of_a_call_is_named(client, park):
    await login(client, park.users["manager"])
    body = call_body(
        programme="no-such",
        title_en=" ",
        opens_at="2027-01-10 09:00",
        closes_at="2027-01-01 09:00",
        questions=[
            {"kind": "text", "label_en": ""},
            {"kind": "choice", "label_en": "Pick", "choices": ["One"]},
            {"kind": "text", "label_en": "Dup", "key": "q1"},
            {"kind": "number", "label_en": "N", "choices": ["1", "2"]},
            {"kind": "text", "label_en": "BR", "key": "br_number"},
        ],
        rubric={"scale": 11, "criteria": [{"label_en": "Team", "weight": 0}]},
        eligibility={"founded_within_years": 0, "clusters": ["space"]},
    )
    refused = await api(client, "POST", "/api/programmes/calls", json=body)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert errors == {
        "programme": "there is no programme no-such",
        "title_en": "is required",
        "closes_at": "must be after the opening time",
        "questions.1.label_en": "is required",
        "questions.2.choices": "a choice question needs two or more different options",
        "questions.3.key": "q1 names another question of this call",
        "questions.4.choices": "only a choice question has options",
        "questions.5.key": errors["questions.5.key"],
        "rubric.scale": "scores run from 1 to a top score from 2 to 10",
        "rubric.1.weight": "must be a whole number from 1 to 100",
        "eligibility.founded_within_years": "must be a whole number from 1 to 50",
        "eligibility.clusters": "unknown: space; choose from fintech, smart-living, web3",
    }
    assert "not be br_number" in errors["questions.5.key"]
    kind = await api(
        client,
        "POST",
        "/api/programmes/calls",
        json=call_body(questions=[{"kind": "essay", "label_en": "x"}]),
    )
    assert kind.status_code == 400, kind.text
    assert "questions[0].kind" in kind.json()["detail"] and "essay" in kind.json()["detail"]


async def test_only_the_centres_managers_and_admins_run_a_call(client, park):
    call = await open_call(client, park)
    for who in ("other_manager", "member", "partner"):
        await login(client, park.users[who])
        made = await api(client, "POST", "/api/programmes/calls", json=call_body())
        assert made.status_code == 403, who
        changed = await api(
            client, "PUT", f"/api/programmes/calls/{call['id']}", json=call_body(title_en="Mine")
        )
        assert changed.status_code == 403, who
    await login(client, park.users["admin"])
    changed = await api(
        client, "PUT", f"/api/programmes/calls/{call['id']}", json=call_body(title_en="Spring 2027")
    )
    assert changed.status_code == 200 and changed.json()["title_en"] == "Spring 2027"
    assert changed.json()["version"] == 2


async def test_questions_freeze_once_an_application_is_submitted(client, park):
    call = await open_call(client, park)
    fewer = call_body(questions=QUESTIONS[:-1] + [{**QUESTIONS[-1], "required": False}])
    changed = await api(client, "PUT", f"/api/programmes/calls/{call['id']}", json=fewer)
    assert changed.status_code == 200 and changed.json()["questions"][-1]["required"] is False
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    submitted = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert submitted.status_code == 200
    await login(client, park.users["manager"])
    refused = await api(client, "PUT", f"/api/programmes/calls/{call['id']}", json=call_body())
    assert refused.status_code == 409
    assert refused.json()["errors"] == {
        "questions": "cannot change once an application has been submitted"
    }
    assert "1 application(s) have been submitted" in refused.json()["detail"]
    kept = await api(client, "GET", f"/api/programmes/calls/{call['id']}")
    assert kept.json()["frozen"] is True and kept.json()["questions"][-1]["required"] is False
    retitled = await api(
        client, "PUT", f"/api/programmes/calls/{call['id']}", json={**fewer, "title_en": "Renamed"}
    )
    assert retitled.status_code == 200 and retitled.json()["title_en"] == "Renamed"
