"""Review panels: reviewers declare conflicts before they see anything, a conflicted reviewer
never sees the application, a blind call hides who applies, scores make the ranking."""

from __future__ import annotations

from tests.conftest import api, login
from tests.programmes.conftest import (
    PDF,
    REVIEWER,
    complete_draft,
    external_reviewer,
    open_call,
    panel_of,
    submitted,
)


async def _reviews(client, email: str, call_id: int) -> dict[str, int]:
    """As the reviewer: declare no conflict; their reviews by applicant."""
    await login(client, email)
    await api(client, "POST", f"/api/programmes/calls/{call_id}/conflicts", json={"conflicts": []})
    queue = await api(client, "GET", f"/api/programmes/reviews?call={call_id}")
    return {r["applicant_en"]: r["id"] for r in queue.json()}


async def test_a_conflicted_reviewer_sees_nothing_of_the_application(client, park):
    call = await open_call(client, park)
    harbour = await submitted(client, park, call["id"], "member")
    lantern = await submitted(client, park, call["id"], "other_member")
    await external_reviewer()
    await panel_of(client, park, call["id"], REVIEWER, park.users["manager"])

    await login(client, REVIEWER)
    before = await api(client, "GET", "/api/programmes/reviews")
    assert before.json() == []  # nothing to read before declaring
    choices = await api(client, "GET", f"/api/programmes/calls/{call['id']}/conflicts")
    assert [c["name_en"] for c in choices.json()] == ["Harbour Pay", "Lantern Chain"]
    assert "application" not in choices.text
    declared = await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/conflicts",
        json={"conflicts": [park.startups["harbour-pay"]]},
    )
    assert declared.json() == {"conflicted": 1, "open": 1}
    queue = (await api(client, "GET", "/api/programmes/reviews")).json()
    assert [r["application"] for r in queue] == [lantern]
    from incubator.programmes.tables import Review

    hidden = (
        await Review.select(Review.id)
        .where((Review.application == harbour) & (Review.status == "conflicted"))
        .first()
    )
    for url in (
        f"/api/programmes/reviews/{hidden['id']}",
        f"/api/programmes/reviews/{hidden['id']}/files/deck",
        f"/api/programmes/applications/{harbour}",
        f"/api/programmes/applications/{harbour}/files/deck",
        f"/programmes/reviews/{hidden['id']}",
        f"/programmes/applications/{harbour}",
    ):
        seen = await client.get(url)
        assert seen.status_code == 404, url
        assert "Payments for SMEs" not in seen.text and "deck.pdf" not in seen.text

    # A manager of the call who declares a conflict loses sight of it too.
    await login(client, park.users["manager"])
    await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/conflicts",
        json={"conflicts": [park.startups["harbour-pay"]]},
    )
    assert (await api(client, "GET", f"/api/programmes/applications/{harbour}")).status_code == 404
    for url in (
        f"/api/programmes/applications/{harbour}/reviews",
        f"/api/programmes/calls/{call['id']}/export",
    ):
        seen = await api(client, "GET", url)
        assert seen.status_code in (200, 404) and "Harbour Pay" not in seen.text, url
    listed = await api(client, "GET", f"/api/programmes/calls/{call['id']}/applications")
    assert [a["id"] for a in listed.json()] == [lantern]
    ranked = await api(client, "GET", f"/api/programmes/calls/{call['id']}/ranking")
    assert [r["application"] for r in ranked.json()] == [lantern]
    page = await client.get(f"/programmes/calls/{call['id']}/ranking")
    assert "Harbour Pay" not in page.text and "Lantern Chain" in page.text


async def test_a_blind_call_hides_who_applies_from_reviewers(client, park):
    call = await open_call(client, park, blind=True, eligibility={"incorporated_hk": True})
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    url = f"/api/programmes/applications/{application}"
    await api(client, "PUT", f"{url}/answers", json={"answers": {"br_number": "12345678"}})
    named = {"file": ("HarbourPay-deck.pdf", PDF, "application/pdf")}
    await api(client, "POST", f"{url}/files/deck", files=named)
    assert (await api(client, "POST", f"{url}/submit")).status_code == 200
    await external_reviewer()
    await panel_of(client, park, call["id"], REVIEWER)
    reviews = await _reviews(client, REVIEWER, call["id"])
    assert list(reviews) == [f"Application {application}"]
    review = reviews[f"Application {application}"]
    identities = ("Harbour Pay", "海港支付", "12345678", "HarbourPay", "harbour-pay")
    for seen_at in (
        "/api/programmes/reviews",
        f"/api/programmes/reviews/{review}",
        f"/api/programmes/reviews/{review}/files/deck",
        "/programmes/reviews",
        f"/programmes/reviews/{review}",
    ):
        seen = await client.get(seen_at)
        assert seen.status_code == 200, seen_at
        shown = seen.text + str(seen.headers)
        assert not [i for i in identities if i in shown], seen_at
    body = (await api(client, "GET", f"/api/programmes/reviews/{review}")).json()
    assert body["answers"]["pitch"] == "Payments for SMEs." and "br_number" not in body["answers"]
    assert body["files"][0]["filename"] == "deck.pdf"  # named by its question
    assert "startup" not in body


async def test_scores_make_the_ranking_with_its_mean_and_spread(client, park):
    call = await open_call(client, park)  # rubric: Team (weight 2), Market (weight 1), 1-5
    harbour = await submitted(client, park, call["id"], "member")
    lantern = await submitted(client, park, call["id"], "other_member")
    await external_reviewer()
    await panel_of(client, park, call["id"], REVIEWER, park.users["other_manager"])
    rita = await _reviews(client, REVIEWER, call["id"])
    refused = await api(
        client,
        "PUT",
        f"/api/programmes/reviews/{rita['Harbour Pay']}",
        json={"scores": {"c1": 6, "c3": 1}},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "c1": "must be a whole number from 1 to 5",
        "c2": "is required",
        "c3": "is not a criterion of this call's rubric",
    }
    scored = await api(
        client,
        "PUT",
        f"/api/programmes/reviews/{rita['Harbour Pay']}",
        json={"scores": {"c1": 5, "c2": 2}, "comment": "Strong team."},
    )
    assert scored.status_code == 200 and scored.json()["weighted"] == 4.0  # (2*5 + 1*2) / 3
    await api(
        client,
        "PUT",
        f"/api/programmes/reviews/{rita['Lantern Chain']}",
        json={"scores": {"c1": 3, "c2": 3}},
    )
    tom = await _reviews(client, park.users["other_manager"], call["id"])
    await api(
        client,
        "PUT",
        f"/api/programmes/reviews/{tom['Harbour Pay']}",
        json={"scores": {"c1": 2, "c2": 2}},
    )

    await login(client, park.users["manager"])
    ranked = (await api(client, "GET", f"/api/programmes/calls/{call['id']}/ranking")).json()
    assert [(r["rank"], r["application"]) for r in ranked] == [(1, harbour), (2, lantern)]
    assert ranked[0]["score_mean"] == 3.0 and ranked[0]["score_spread"] == 2.0
    assert ranked[0]["reviews_done"] == 2 and ranked[1]["reviews_assigned"] == 2
    shortlisted = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{lantern}/shortlist",
        json={"shortlisted": True},
    )
    assert shortlisted.status_code == 200
    only = (
        await api(client, "GET", f"/api/programmes/calls/{call['id']}/ranking?shortlisted=true")
    ).json()
    assert [r["application"] for r in only] == [lantern]
    panel_reviews = (
        await api(client, "GET", f"/api/programmes/applications/{harbour}/reviews")
    ).json()
    assert sorted(r["weighted"] for r in panel_reviews) == [2.0, 4.0]
    assert "Strong team." in [r["comment"] for r in panel_reviews]
    members = (await api(client, "GET", f"/api/programmes/calls/{call['id']}/panel")).json()
    assert {m["email"]: m["scored"] for m in members} == {
        REVIEWER: 2,
        park.users["other_manager"]: 1,
    }
    # Only those who run the call see the ranking, the panel and the panel's reviews.
    for who in ("member", "partner", "other_manager"):
        await login(client, park.users[who])
        for url in (
            f"/api/programmes/calls/{call['id']}/ranking",
            f"/api/programmes/calls/{call['id']}/panel",
            f"/api/programmes/applications/{harbour}/reviews",
        ):
            assert (await api(client, "GET", url)).status_code == 403, (who, url)


async def test_only_staff_and_external_reviewers_sit_on_a_panel(client, park):
    call = await open_call(client, park)
    for email, words in (
        (park.users["member"], "not start-up members or partners"),
        ("nobody@nowhere.example", "no active account has the email"),
    ):
        refused = await api(
            client, "POST", f"/api/programmes/calls/{call['id']}/panel", json={"email": email}
        )
        assert refused.status_code == 422 and words in refused.json()["errors"]["email"]
    await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/panel",
        json={"email": park.users["admin"]},
    )
    twice = await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/panel",
        json={"email": park.users["admin"]},
    )
    assert twice.status_code == 409
    nothing = await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/assignments",
        json={"per_application": 0},
    )
    assert nothing.status_code == 422
