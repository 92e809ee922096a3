"""Concurrent edits of one profile keep its derived data true: each change reads the values
it replaces under the start-up's row lock, so the stored search text, the sets (clusters,
tags, centres) and the history all agree with one serial order of the requests."""

from __future__ import annotations

import asyncio
from itertools import pairwise

from incubator.startups.services.terms import search_document
from incubator.startups.tables import (
    ProfileChange,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupProgramme,
)
from tests.conftest import api, login, make_client

CLUSTER_SETS = [["fintech"], ["web3", "smart-living"], ["smart-living"], ["fintech", "web3"]]
EDITS = 12


def _edit(i: int) -> dict:
    return {
        "name_en": f"Harbour Pay {i}",
        "description_en": f"Payments edition zq{i}x for SMEs.",
        "tags": [f"tag{i}", "payments"],
        "clusters": CLUSTER_SETS[i % len(CLUSTER_SETS)],
        "team_size": 10 + i,
        "centres": ["entrepreneurship"] + (["web3hub"] if i % 3 == 0 else []),
        "programmes": [
            {
                "programme": "cyberport-incubation",
                "status": "incubating",
                "started_on": f"2024-01-{i + 1:02d}",
            }
        ],
    }


async def test_concurrent_edits_agree_with_one_serial_order(app, park):
    sid = park.startups["harbour-pay"]
    editors = [make_client(app) for _ in range(4)]
    for editor in editors:
        await login(editor, park.users["manager"])
    answers = await asyncio.gather(
        *(
            api(editors[i % len(editors)], "PATCH", f"/api/startups/{sid}", json=_edit(i))
            for i in range(EDITS)
        )
    )
    assert [a.status_code for a in answers] == [200] * EDITS, [a.text for a in answers]

    row = await Startup.select().where(Startup.id == sid).first()
    last = int(row["name_en"].rsplit(" ", 1)[1])
    # Every field is the last request's, as if the requests had run one after the other.
    assert row["description_en"] == _edit(last)["description_en"]
    assert row["team_size"] == 10 + last and row["tags"] == f"tag{last},payments"
    clusters = await StartupCluster.select(StartupCluster.cluster.slug).where(
        StartupCluster.startup == sid
    )
    assert sorted(c["cluster.slug"] for c in clusters) == sorted(_edit(last)["clusters"])
    centres = await StartupAffiliation.select(StartupAffiliation.centre.slug).where(
        StartupAffiliation.startup == sid
    )
    assert sorted(c["centre.slug"] for c in centres) == _edit(last)["centres"]
    programmes = await StartupProgramme.select(StartupProgramme.started_on).where(
        StartupProgramme.startup == sid
    )
    assert [str(p["started_on"]) for p in programmes] == [f"2024-01-{last + 1:02d}"]
    # The stored search text is built from the stored values, and finds the start-up.
    assert row["search_document"] == search_document(
        row["name_en"], row["name_zh"], row["description_en"], row["description_zh"], row["tags"]
    )
    found = (await editors[0].get(f"/api/startups?q=zq{last}x")).json()
    assert [item["id"] for item in found["items"]] == [sid]
    # The history chains: each change starts from the value the one before it left.
    history = (
        await ProfileChange.select().where(ProfileChange.startup == sid).order_by(ProfileChange.id)
    )
    for field in (
        "name_en",
        "description_en",
        "tags",
        "clusters",
        "team_size",
        "centres",
        "programmes",
    ):
        rows = [h for h in history if h["field"] == field]
        assert all(a["new_value"] == b["old_value"] for a, b in pairwise(rows)), field
    assert len([h for h in history if h["field"] == "name_en"]) >= EDITS
    for editor in editors:
        await editor.aclose()


async def test_a_patch_with_a_stale_if_match_is_refused_and_writes_nothing(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    read = await client.get(f"/api/startups/{sid}")
    tag = read.headers["etag"]
    assert tag == f'"v{read.json()["version"]}"'
    # Someone else changes the profile after this client read it.
    other = make_client(client._transport.app)
    await login(other, park.users["manager"])
    theirs = await api(other, "PATCH", f"/api/startups/{sid}", json={"tags": ["theirs"]})
    assert theirs.status_code == 200 and theirs.headers["etag"] != tag
    await other.aclose()

    stale = await api(
        client, "PATCH", f"/api/startups/{sid}", json={"tags": ["mine"]}, headers={"If-Match": tag}
    )
    assert stale.status_code == 412
    detail = stale.json()["detail"]
    assert "changed by Manager at" in detail and "Hong Kong time" in detail
    row = await Startup.select(Startup.tags).where(Startup.id == sid).first()
    assert row["tags"] == "theirs"
    # With the current ETag the change applies; with none, it applies to the current version.
    fresh = (await client.get(f"/api/startups/{sid}")).headers["etag"]
    mine = await api(
        client,
        "PATCH",
        f"/api/startups/{sid}",
        json={"tags": ["mine"]},
        headers={"If-Match": fresh},
    )
    assert mine.status_code == 200 and mine.json()["tags"] == ["mine"]
    assert mine.headers["etag"] != fresh
    bad = await api(
        client, "PATCH", f"/api/startups/{sid}", json={"tags": []}, headers={"If-Match": "7"}
    )
    assert bad.status_code == 400 and "If-Match: must be the ETag" in bad.json()["detail"]


async def test_of_concurrent_patches_with_one_if_match_exactly_one_applies(app, park):
    sid = park.startups["harbour-pay"]
    editors = [make_client(app) for _ in range(6)]
    for editor in editors:
        await login(editor, park.users["manager"])
    tag = (await editors[0].get(f"/api/startups/{sid}")).headers["etag"]
    answers = await asyncio.gather(
        *(
            api(e, "PATCH", f"/api/startups/{sid}", json=_edit(i), headers={"If-Match": tag})
            for i, e in enumerate(editors)
        )
    )
    assert sorted(a.status_code for a in answers) == [200] + [412] * 5
    for editor in editors:
        await editor.aclose()
