"""What a request's body may be: the API takes JSON only, not too large, not nested too deep;
no text holds a NUL on either engine. Each refusal is a 4xx that says why, and nothing is
written."""

from __future__ import annotations

from incubator.limits import API_MAX_BYTES, MAX_DEPTH
from incubator.startups.tables import Startup
from tests.conftest import api, login, post_form


async def _name(park) -> str:
    row = (
        await Startup.select(Startup.name_en)
        .where(Startup.id == park.startups["harbour-pay"])
        .first()
    )
    return row["name_en"]


async def test_json_nested_a_thousand_deep_is_a_400_not_a_500(client, park):
    await login(client, park.users["member"])
    deep = "[" * 1000 + "]" * 1000
    response = await api(
        client,
        "PATCH",
        f"/api/startups/{park.startups['harbour-pay']}",
        content=f'{{"tags": {deep}}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert f"at most {MAX_DEPTH}" in response.json()["detail"]


async def test_a_body_that_is_not_json_is_a_415(client, park):
    await login(client, park.users["member"])
    before = await _name(park)
    for kind in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = await api(
            client,
            "PATCH",
            f"/api/startups/{park.startups['harbour-pay']}",
            content=b'{"name_en": "Renamed"}',
            headers={"Content-Type": kind} if kind else {},
        )
        assert response.status_code == 415, kind
        assert "must be JSON" in response.json()["detail"]
    assert await _name(park) == before


async def test_a_body_too_large_is_a_413(client, park):
    await login(client, park.users["member"])
    huge = b'{"description_en": "' + b"x" * API_MAX_BYTES + b'"}'
    response = await api(
        client,
        "PATCH",
        f"/api/startups/{park.startups['harbour-pay']}",
        content=huge,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


async def test_a_nul_in_any_text_is_refused_on_both_engines(client, park):
    await login(client, park.users["member"])
    sid = park.startups["harbour-pay"]
    before = await _name(park)
    by_api = await api(client, "PATCH", f"/api/startups/{sid}", json={"name_en": "Harbour\x00"})
    assert by_api.status_code == 400 and "NUL" in by_api.json()["detail"]
    by_form = await post_form(
        client,
        f"/startups/{sid}/edit",
        {"name_en": "Harbour\x00Pay", "stage": "seed", "team_size": "3", "clusters": "fintech"},
    )
    assert by_form.status_code == 400 and "NUL" in by_form.text
    assert "<html" in by_form.text  # the error page, not a bare text
    assert await _name(park) == before
    # A plain API change still works.
    fine = await api(client, "PATCH", f"/api/startups/{sid}", json={"name_en": "Harbour Pay"})
    assert fine.status_code == 200
