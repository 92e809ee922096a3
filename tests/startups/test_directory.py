"""The directory: full-text search, filters, sorting, pagination, and the API contract."""

import pytest

from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role
from incubator.startups.services import profiles as services
from incubator.startups.services import reference
from incubator.startups.tables import Startup
from tests.conftest import api, login


async def names(client, query: str) -> list[str]:
    """The names listed, after checking the count agrees with them: the count and the page
    are separate queries, each with its own form of every filter."""
    response = await client.get(f"/api/startups?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]), (query, body["total"])
    return sorted(item["name_en"] for item in body["items"])


async def test_api_returns_items_total_page_and_per_page(client, park):
    body = (await client.get("/api/startups?per_page=2&page=1&sort=name")).json()
    assert set(body) == {"items", "total", "page", "per_page", "more", "order"}
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 2
    assert body["more"] is False and body["order"] == "name"
    assert [i["name_en"] for i in body["items"]] == ["Bamboo Home", "Harbour Pay"]
    second = (await client.get("/api/startups?per_page=2&page=2&sort=name")).json()
    assert [i["name_en"] for i in second["items"]] == ["Lantern Chain"]
    item = body["items"][1]
    assert item["clusters"] == ["fintech"] and item["centres"] == ["entrepreneurship"]
    assert item["onsite"] is True and item["tags"] == ["payments", "b2b"]


async def test_full_text_search_matches_names_descriptions_and_tags(client, park):
    assert await names(client, "q=harbour") == ["Harbour Pay"]
    assert await names(client, "q=tokenised") == ["Lantern Chain"]  # description
    assert await names(client, "q=iot") == ["Bamboo Home"]  # tag
    assert await names(client, "q=pay") == ["Harbour Pay"]  # prefix of a word
    assert await names(client, "q=smart sensors") == ["Bamboo Home"]  # every word must match
    assert await names(client, "q=nothing-like-this") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("區塊鏈", ["Lantern Chain"]),
        ("海港", ["Harbour Pay"]),
        ("支付", ["Harbour Pay"]),
        ("家居", ["Bamboo Home"]),
    ],
)
async def test_full_text_search_finds_traditional_chinese_words(client, park, query, expected):
    assert await names(client, f"q={query}") == expected


async def test_filters_by_centre_hub_cluster_programme_stage_and_onsite(client, park):
    assert await names(client, "centre=entrepreneurship") == ["Bamboo Home", "Harbour Pay"]
    assert await names(client, "hub=web3hub") == ["Lantern Chain"]
    assert await names(client, "cluster=fintech") == ["Harbour Pay", "Lantern Chain"]
    assert await names(client, "programme=cyberport-incubation") == ["Harbour Pay"]
    assert await names(client, "stage=series_a") == ["Lantern Chain"]
    assert await names(client, "onsite=true") == ["Harbour Pay"]
    assert await names(client, "onsite=false") == ["Bamboo Home", "Lantern Chain"]
    assert await names(client, "cluster=fintech&onsite=false&q=blockchain") == ["Lantern Chain"]
    # Onsite with another filter, no terms: the count looks each start-up's leases up.
    assert await names(client, "cluster=fintech&onsite=true") == ["Harbour Pay"]
    assert await names(client, "cluster=fintech&onsite=false") == ["Lantern Chain"]
    assert await names(client, "hub=web3hub&stage=series_a&onsite=false") == ["Lantern Chain"]
    # A hub is not a centre: asking for it as a centre finds nothing.
    assert await names(client, "centre=web3hub") == []


async def test_a_large_centre_with_other_filters_counts_the_same(client, park, monkeypatch):
    """On SQLite a centre larger than LARGE_CENTRE is counted by looking up each start-up of
    the other filter's list: here every centre is "large", and the counts still agree."""
    from incubator.startups.services import search

    monkeypatch.setattr(search, "LARGE_CENTRE", 0)
    assert await names(client, "centre=entrepreneurship&cluster=fintech&onsite=true") == [
        "Harbour Pay"
    ]
    assert await names(client, "centre=entrepreneurship&stage=idea&onsite=false") == ["Bamboo Home"]
    assert await names(client, "centre=entrepreneurship&stage=seed&onsite=false") == []
    assert await names(client, "hub=web3hub&cluster=fintech&onsite=false") == ["Lantern Chain"]
    assert await names(client, "hub=web3hub&programme=cyberport-incubation") == []


async def test_onsite_counts_each_holder_once_and_no_archived_one(client, park):
    """An onsite count of a list (counted from the leases' holders on PostgreSQL, less those
    not active): a start-up with two leases in force counts once, an archived one with a
    lease not at all, on every list it is in."""
    from tests.centres.conftest import lease_body

    await login(client, park.users["admin"])
    second = lease_body(park, unit="3F-02", startup="harbour-pay", starts=-5, ends=100)
    lantern = lease_body(park, unit="2F-L01", startup="lantern-chain", starts=-5, ends=100)
    for body in (second, lantern):
        assert (await api(client, "POST", "/api/leases", json=body)).status_code == 201
    await Startup.update({Startup.status: "archived"}).where(Startup.slug == "lantern-chain")
    assert await names(client, "onsite=true") == ["Harbour Pay"]
    assert await names(client, "cluster=fintech&onsite=true") == ["Harbour Pay"]
    assert await names(client, "programme=cyberport-incubation&onsite=true") == ["Harbour Pay"]
    assert await names(client, "hub=web3hub&onsite=true") == []
    assert await names(client, "centre=entrepreneurship&cluster=fintech&onsite=true") == [
        "Harbour Pay"
    ]


async def test_sorting_by_name_and_by_founding_year(client, park):
    by_name = (await client.get("/api/startups?sort=name")).json()["items"]
    assert [i["name_en"] for i in by_name] == ["Bamboo Home", "Harbour Pay", "Lantern Chain"]
    newest = (await client.get("/api/startups?sort=newest")).json()["items"]
    assert [i["founded_year"] for i in newest] == [2024, 2021, 2019]


async def test_blank_parameters_mean_not_set_as_in_the_documented_contract(client, park):
    body = (
        await client.get("/api/startups?q=&centre=&hub=&cluster=&onsite=&page=&per_page=")
    ).json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    page = await client.get(
        "/startups?q=harbour&centre=&hub=&cluster=&programme=&stage=&onsite=&sort=relevance"
    )
    assert page.status_code == 200 and "Harbour Pay" in page.text


async def test_a_bad_filter_on_the_page_gets_a_400_page_naming_it(client, park):
    page = await client.get("/startups?onsite=perhaps")
    assert (
        page.status_code == 400 and "onsite" in page.text and "must be true or false" in page.text
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("stage=unicorn", "stage"),
        ("sort=random", "sort"),
        ("onsite=maybe", "onsite"),
    ],
)
async def test_bad_parameters_get_400_naming_the_parameter(client, park, query, field):
    response = await client.get(f"/api/startups?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


async def test_archived_start_ups_leave_the_public_directory(client, park):
    admin = Viewer(user_id=1, name="Admin", role=Role.admin)
    await services.set_archived(admin, park.startups["bamboo-home"], True)
    assert "Bamboo Home" not in await names(client, "")
    assert (await client.get("/api/startups?archived=true")).status_code == 403
    await login(client, park.users["manager"])
    archived = (await api(client, "GET", "/api/startups?archived=true")).json()
    assert [i["name_en"] for i in archived["items"]] == ["Bamboo Home"]


async def test_one_start_up_and_the_centres_list(client, park):
    detail = (await client.get(f"/api/startups/{park.startups['harbour-pay']}")).json()
    assert detail["name_zh"] == "海港支付"
    assert detail["programmes"][0]["programme"] == "cyberport-incubation"
    assert detail["contact_email"] == "" and detail["team"] == []  # public view hides people
    assert (await client.get("/api/startups/999999")).status_code == 404
    centres = (await client.get("/api/centres")).json()
    kinds = {c["slug"]: c["kind"] for c in centres}
    assert kinds == {"entrepreneurship": "centre", "technology": "centre", "web3hub": "hub"}


async def test_directory_page_shows_filters_results_and_pages(client, park):
    page = await client.get("/startups?q=harbour")
    assert page.status_code == 200
    assert "Harbour Pay" in page.text and "Lantern Chain" not in page.text
    assert 'name="centre"' in page.text and 'name="cluster"' in page.text
    paged = await client.get("/startups?per_page=1&sort=name")
    assert "Page 1 of 3" in paged.text and 'rel="next"' in paged.text


async def test_the_choice_lists_are_kept_a_while_and_read_again_when_forgotten(park, monkeypatch):
    from incubator.startups.tables import Cluster

    first = await reference.choice_lists()
    assert {c.slug for c in first.clusters} == set(park.clusters)
    with pytest.raises(AttributeError):  # shared by every request, so nobody may change it
        first.clusters = ()
    await Cluster.insert(Cluster(slug="space-tech", name_en="Space Tech", name_zh="太空科技"))
    kept = await reference.choice_lists()
    assert {c.slug for c in kept.clusters} == set(park.clusters)
    monkeypatch.setattr(reference, "CHOICES_SECONDS", 0.0)
    expired = await reference.choice_lists()
    assert "space-tech" in {c.slug for c in expired.clusters}
    monkeypatch.setattr(reference, "CHOICES_SECONDS", 60.0)
    await Cluster.delete().where(Cluster.slug == "space-tech")
    reference.forget_choice_lists()
    assert {c.slug for c in (await reference.choice_lists()).clusters} == set(park.clusters)


async def test_a_name_that_looks_like_markup_is_shown_as_text_in_its_logo_placeholder(client, park):
    await Startup.update({Startup.name_en: "<b>old Pay"}).where(
        Startup.id == park.startups["harbour-pay"]
    )
    page = await client.get("/startups?q=harbour")
    assert 'style="width:56px;height:56px">&lt;</span>' in page.text
    assert "<b>old" not in page.text and "&lt;b&gt;old Pay" in page.text
    profile = await client.get(f"/startups/{park.startups['harbour-pay']}")
    assert 'style="width:96px;height:96px">&lt;</span>' in profile.text


async def test_the_directory_pages_through_a_larger_park(client, settings):
    from incubator.demo.park import build_demo_park
    from tests.conftest import schema_objects

    before = await schema_objects()
    await build_demo_park(startups=120, seed=7)
    # The demo builds its indexes and checks after its bulk load: they are all back, and the
    # search index holds the rows.
    assert await schema_objects() == before
    first = await Startup.select(Startup.name_en).where(Startup.id == 1).first()
    found = (await client.get("/api/startups", params={"q": first["name_en"]})).json()
    assert 1 in {item["id"] for item in found["items"]}
    body = (await client.get("/api/startups?per_page=50&page=3&sort=name")).json()
    assert body["total"] == 120 and len(body["items"]) == 20
    seen = set()
    for page_number in (1, 2, 3):
        items = (await client.get(f"/api/startups?per_page=50&page={page_number}&sort=name")).json()
        seen |= {i["id"] for i in items["items"]}
    assert len(seen) == 120


async def test_a_search_counts_to_the_limit_and_ranks_only_what_it_counted(
    client, settings, monkeypatch
):
    """At 100,000 start-ups a common word matches tens of thousands; the search counts to
    SEARCH_LIMIT and, beyond it, lists the most recently added first instead of ranking."""
    from incubator.demo.park import build_demo_park
    from incubator.startups.services import search

    await build_demo_park(startups=120, seed=7)
    # A term every start-up's search text holds (its index follows the column).
    await Startup.raw("UPDATE startup SET search_document = search_document || ' hong kong'")
    everything = (await client.get("/api/startups?q=hong+kong&per_page=100")).json()
    assert everything["total"] == 120 and everything["more"] is False
    assert everything["order"] == "relevance"
    narrow = (await client.get("/api/startups?q=payments")).json()
    assert 0 < narrow["total"] < 30 and narrow["order"] == "relevance"

    monkeypatch.setattr(search, "SEARCH_LIMIT", 30)
    broad = (await client.get("/api/startups?q=hong+kong&per_page=20")).json()
    assert broad["total"] == 30 and broad["more"] is True and broad["order"] == "added"
    assert [i["id"] for i in broad["items"]] == list(range(120, 100, -1))
    later = (await client.get("/api/startups?q=hong+kong&per_page=20&page=6")).json()
    assert [i["id"] for i in later["items"]] == list(range(20, 0, -1))  # past the count
    by_name = (await client.get("/api/startups?q=hong+kong&sort=name")).json()
    assert by_name["more"] is True and by_name["order"] == "name"
    names = [i["name_en"] for i in by_name["items"]]
    assert names == sorted(names)
    still_ranked = (await client.get("/api/startups?q=payments")).json()
    assert still_ranked == narrow

    page = await client.get("/startups?q=hong+kong")
    assert "Start-ups found: more than 30" in page.text
    assert "listed most recently added first, not by relevance" in page.text
    assert "Page 1" in page.text and 'rel="next"' in page.text and "Page 1 of" not in page.text
    last = await client.get("/startups?q=hong+kong&per_page=25&page=5")  # 20 rows: the end
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    counted = await client.get("/startups?q=payments")
    assert f"Start-ups found: {narrow['total']}" in counted.text
    assert "not by relevance" not in counted.text


def test_a_typed_result_reads_in_a_template_as_a_row_did():
    """Services hand templates Structs: their names in the reader's language, their logo
    placeholder and their fields as a form's values read as a mapping's would."""
    from pathlib import Path

    from incubator.startups.schemas import ClusterOut
    from incubator.templating import environment, templates_dir

    cluster = ClusterOut(id=1, slug="fintech", name_en="FinTech", name_zh="金融科技")
    env = environment("zh-Hant", Path(templates_dir()), {})
    template = env.from_string(
        "{{ localised(c, 'name') }} {{ logo(c) }} {{ (c|fields).get('slug') }}"
    )
    rendered = template.render(c=cluster)
    assert rendered.startswith("金融科技 ") and rendered.endswith(" fintech")
    assert '<span class="logo placeholder"' in rendered and ">F</span>" in rendered
