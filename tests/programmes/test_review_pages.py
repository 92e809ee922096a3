"""The review pages: a manager seats reviewers and assigns from the panel page; a reviewer
declares conflicts, scores (a missing score named beside its criterion); the ranking and the
shortlist; the application's page shows the panel's reviews to the call's managers."""

from __future__ import annotations

from tests.conftest import login, post_form, text_of
from tests.programmes.conftest import REVIEWER, external_reviewer, open_call, submitted


async def test_a_panel_reviews_through_the_pages(client, park):
    call = await open_call(client, park)
    harbour = await submitted(client, park, call["id"], "member")
    await external_reviewer()
    await login(client, park.users["manager"])
    panel_url = f"/programmes/calls/{call['id']}/panel"
    refused = await post_form(client, panel_url, {"do": "add", "email": park.users["member"]})
    assert refused.status_code == 422 and "not start-up members" in text_of(refused.text)
    added = await post_form(client, panel_url, {"do": "add", "email": REVIEWER})
    assert added.status_code == 303
    for tampered in ({"do": "remove", "user": "abc"}, {"do": "promote"}):
        refused = await post_form(client, panel_url, tampered)
        assert refused.status_code == 400, tampered
    assigned = await post_form(client, panel_url, {"do": "assign", "per_application": "3"})
    assert assigned.headers["location"].endswith("done=assigned-1")
    shown = text_of((await client.get(assigned.headers["location"])).text)
    assert "1 reviews assigned" in shown and "Rita Reviewer" in shown

    await login(client, REVIEWER)
    queue = text_of((await client.get("/programmes/reviews")).text)
    assert "1 application of Cyberport Incubation Programme: 2027 spring intake waits" in queue
    declaration = await client.get(f"/programmes/calls/{call['id']}/conflicts")
    assert "Harbour Pay" in declaration.text
    declared = await post_form(client, f"/programmes/calls/{call['id']}/conflicts", {})
    assert declared.status_code == 303
    queue = await client.get("/programmes/reviews")
    from incubator.programmes.tables import Review

    review = (await Review.select(Review.id).first())["id"]
    assert f"/programmes/reviews/{review}" in queue.text
    form = await client.get(f"/programmes/reviews/{review}")
    assert "Payments for SMEs." in form.text and "weight 2" in form.text
    missing = await post_form(
        client, f"/programmes/reviews/{review}", {"c1": "4", "c2": "", "comment": "Good"}
    )
    assert missing.status_code == 422 and "choose a score" in text_of(missing.text)
    assert "Good</textarea>" in missing.text
    saved = await post_form(
        client, f"/programmes/reviews/{review}", {"c1": "4", "c2": "1", "comment": "Good"}
    )
    assert saved.status_code == 303

    await login(client, park.users["manager"])
    ranking = await client.get(f"/programmes/calls/{call['id']}/ranking")
    assert "3.00" in ranking.text and "1 of 1" in text_of(ranking.text)
    listed = await post_form(
        client,
        f"/programmes/applications/{harbour}/shortlist",
        {"shortlisted": "1", "back": f"/programmes/calls/{call['id']}/ranking?shortlisted=true"},
    )
    assert listed.headers["location"].endswith("ranking?shortlisted=true")
    assert "Harbour Pay" in (await client.get(listed.headers["location"])).text
    application = text_of((await client.get(f"/programmes/applications/{harbour}")).text)
    assert (
        "Take off the shortlist" in application
        and "Rita Reviewer" in application
        and "Good" in application
    )
