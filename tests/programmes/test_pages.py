"""The pages of programme intake: a manager opens a call from its form, a member applies,
answers (a bad answer shown beside its field, the others kept), uploads, submits, withdraws."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import login, post_form, text_of
from tests.programmes.conftest import PDF, hk, open_call


def _call_form(**extra: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "programme": "cyberport-incubation",
        "centre": "entrepreneurship",
        "title_en": "Smart Living intake 2027",
        "title_zh": "智慧生活 2027",
        "opens_at": hk(now - timedelta(hours=1)).replace(" ", "T"),
        "closes_at": hk(now + timedelta(days=20)).replace(" ", "T"),
        "eligibility.clusters": "smart-living",
        "questions.1.kind": "long_text",
        "questions.1.label_en": "What do you make?",
        "questions.1.required": "1",
        "questions.2.kind": "choice",
        "questions.2.label_en": "Stage",
        "questions.2.choices": "Idea; Revenue",
        "questions.2.choices_zh": "構思；有收入",
        "questions.3.kind": "",
        "questions.3.label_en": "",
        "rubric.scale": "5",
        "rubric.1.label_en": "Team",
        "rubric.1.weight": "2",
        "rubric.2.label_en": "",
        "rubric.2.weight": "1",
    } | extra


async def test_a_manager_opens_a_call_from_its_form(client, park):
    await login(client, park.users["manager"])
    form = await client.get("/programmes/calls/new")
    assert form.status_code == 200 and "Question 3" in form.text
    refused = await post_form(
        client,
        "/programmes/calls",
        _call_form(**{"rubric.1.weight": "heavy", "questions.3.label_en": "Team size"}),
    )
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert "must be a whole number" in page and "choose what kind of answer it takes" in page
    assert (
        'value="Team size"' in refused.text and 'value="Smart Living intake 2027"' in refused.text
    )
    made = await post_form(client, "/programmes/calls", _call_form())
    assert made.status_code == 303, made.text
    shown = await client.get(made.headers["location"])
    text = text_of(shown.text)
    assert "Smart Living intake 2027" in text and "Open for applications" in text
    assert "In one of these clusters: Smart Living" in text
    assert "What do you make? (Long text, required)" in text
    assert "Change the call" in text


async def test_a_member_applies_through_the_pages(client, park):
    call = await open_call(client, park)
    await login(client, park.users["member"])
    shown = await client.get(f"/programmes/calls/{call['id']}")
    assert "Start an application" in shown.text
    started = await post_form(client, f"/programmes/calls/{call['id']}/apply")
    assert started.status_code == 303
    url = started.headers["location"]
    form = await client.get(url)
    assert form.status_code == 200 and "Save draft" in form.text
    bad = await post_form(
        client,
        url,
        {
            "answer.pitch": "Payments for SMEs.",
            "answer.stage": "Revenue",
            "answer.team": "seven",
            "do": "save",
        },
    )
    assert bad.status_code == 422
    assert "must be a whole number" in text_of(bad.text)
    assert "Payments for SMEs." in bad.text and 'value="seven"' in bad.text
    missing = await post_form(
        client,
        url,
        {"answer.pitch": "Payments for SMEs.", "answer.stage": "Revenue", "do": "submit"},
    )
    assert missing.status_code == 422 and "is required: upload a file" in text_of(missing.text)
    submitted = await post_form(
        client,
        url,
        {"answer.pitch": "Payments for SMEs.", "answer.stage": "Revenue", "do": "submit"},
        files={"file.deck": ("deck.pdf", PDF, "application/pdf")},
    )
    assert submitted.status_code == 303, submitted.text
    done = await client.get(submitted.headers["location"])
    text = text_of(done.text)
    assert "Your application has been submitted" in text and "Submitted" in text
    assert "deck.pdf" in text and "Save draft" not in text
    listing = await client.get("/programmes")
    assert "My applications" in listing.text and "Submitted" in text_of(listing.text)
    withdrawn = await post_form(client, url + "/withdraw")
    assert withdrawn.status_code == 303
    assert "Withdrawn" in text_of((await client.get(url)).text)


async def test_the_call_and_its_applications_for_managers_in_chinese(client, park):
    call = await open_call(client, park)
    await login(client, park.users["member"])
    await post_form(client, f"/programmes/calls/{call['id']}/apply")
    await login(client, park.users["manager"])
    client.cookies.set("lang", "zh-Hant")
    listed = await client.get(f"/programmes/calls/{call['id']}/applications")
    assert listed.status_code == 200 and "海港支付" in listed.text
    shown = await client.get(f"/programmes/calls/{call['id']}")
    assert "數碼港培育計劃：2027 春季" in shown.text
