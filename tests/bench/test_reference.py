"""The load benchmark's raw-SQL reference endpoint: not part of the app, and mounted beside it
finds what the directory finds (the same SQL), so comparing their speed is fair."""

from bench.reference import BenchReference
from incubator.app import create_app
from tests.conftest import make_client


async def test_the_app_itself_does_not_serve_the_raw_directory_reference(client, park):
    assert (await client.get("/bench/directory-raw?q=pay")).status_code == 404


async def test_the_raw_directory_reference_finds_what_the_directory_finds(settings, park):
    app = create_app(settings, manage_engine=False)
    app.register(BenchReference)
    async with make_client(app) as client:
        queries = [{"q": q} for q in ("", "pay", "chain", "海港")] + [
            {"centre": "entrepreneurship", "onsite": "true"},
            {"cluster": "fintech", "sort": "name"},
            {"stage": "seed", "sort": "newest", "per_page": "2", "page": "2"},
        ]
        for params in queries:
            raw = (await client.get("/bench/directory-raw", params=params)).json()
            api = (await client.get("/api/startups", params=params)).json()
            assert raw["total"] == api["total"], params
            assert [r["id"] for r in raw["rows"]] == [r["id"] for r in api["items"]], params
            assert api["total"] or not params.get("centre"), "the filters found no one"
