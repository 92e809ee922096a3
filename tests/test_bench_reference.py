"""The load benchmark's raw-SQL reference endpoint: off unless asked for, and when on it finds
what the directory finds (the same SQL), so comparing their speed is fair."""

from dataclasses import replace

from incubator.app import create_app
from tests.conftest import make_client


async def test_the_raw_directory_reference_is_off_by_default(client, park):
    assert (await client.get("/bench/directory-raw?q=pay")).status_code == 404


async def test_the_raw_directory_reference_finds_what_the_directory_finds(settings, park):
    app = create_app(replace(settings, bench_endpoints=True), manage_engine=False)
    async with make_client(app) as client:
        for q in ("", "pay", "chain", "海港"):
            raw = (await client.get("/bench/directory-raw", params={"q": q})).json()
            api = (await client.get("/api/startups", params={"q": q})).json()
            assert raw["total"] == api["total"], q
            assert [r["id"] for r in raw["rows"]] == [r["id"] for r in api["items"]], q
