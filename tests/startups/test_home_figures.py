"""The home page's headline figures count active start-ups only, however they are computed
(affiliations less those of archived start-ups; leases in force less archived holders): the
same as counting each start-up one by one."""

from __future__ import annotations

from centres.tables import Lease
from incubator.i18n import today_hk
from incubator.startups.services.figures import park_figures
from incubator.startups.tables import Startup, StartupAffiliation
from tests.conftest import login, post_form, text_of


async def counted_one_by_one() -> tuple[int, int, dict[str, int]]:
    today = today_hk()
    active = {r["id"] for r in await Startup.select(Startup.id).where(Startup.status == "active")}
    holding = {
        r["startup"]
        for r in await Lease.select(Lease.startup, Lease.status, Lease.starts_on, Lease.ends_on)
        if r["status"] != "draft" and r["starts_on"] <= today <= r["ends_on"]
    }
    per_centre: dict[str, int] = {}
    for row in await StartupAffiliation.select(
        StartupAffiliation.startup, StartupAffiliation.centre.slug
    ):
        slug = row["centre.slug"]
        per_centre[slug] = per_centre.get(slug, 0) + (row["startup"] in active)
    return len(active), len(active & holding), per_centre


async def test_archived_start_ups_leave_every_headline_figure(client, park):
    before = await park_figures()
    total, onsite, per_centre = await counted_one_by_one()
    assert (before.total, before.onsite) == (total, onsite) and onsite >= 1
    assert {u.slug: u.n for u in before.units if u.slug in per_centre} == per_centre

    await login(client, park.users["admin"])
    sid = park.startups["harbour-pay"]  # onsite: it holds a lease in force
    archived = await post_form(client, f"/startups/{sid}/archive", {"archived": "1"})
    assert archived.status_code == 303
    after = await park_figures()
    total, onsite, per_centre = await counted_one_by_one()
    assert (after.total, after.onsite) == (total, onsite) == (before.total - 1, before.onsite - 1)
    assert {u.slug: u.n for u in after.units if u.slug in per_centre} == per_centre
    assert sum(u.n for u in after.units) < sum(u.n for u in before.units)
    home = text_of((await client.get("/")).text)
    assert f"{after.onsite} onsite" in home and f"{after.offsite} offsite" in home


async def test_each_centre_s_community_figures_count_active_start_ups_only(client, park):
    from centres.services.occupancy import community_figures

    async def one_by_one() -> dict[str, tuple[int, int]]:
        today = today_hk()
        active = {
            r["id"] for r in await Startup.select(Startup.id).where(Startup.status == "active")
        }
        holding = {
            r["startup"]
            for r in await Lease.select(Lease.startup, Lease.status, Lease.starts_on, Lease.ends_on)
            if r["status"] != "draft" and r["starts_on"] <= today <= r["ends_on"]
        }
        found: dict[str, tuple[int, int]] = {}
        for row in await StartupAffiliation.select(
            StartupAffiliation.startup, StartupAffiliation.centre
        ):
            if row["startup"] in active:
                n, here = found.get(row["centre"], (0, 0))
                found[row["centre"]] = (n + 1, here + (row["startup"] in holding))
        return found

    def shown(figures) -> dict:
        return {c: (f.startups, f.onsite) for c, f in figures.items()}

    entrepreneurship = park.centres["entrepreneurship"]
    assert shown(await community_figures()) == await one_by_one()
    await login(client, park.users["admin"])
    sid = park.startups["harbour-pay"]
    assert (
        await post_form(client, f"/startups/{sid}/archive", {"archived": "1"})
    ).status_code == 303
    expected = await one_by_one()
    assert shown(await community_figures()) == expected
    one = shown(await community_figures([entrepreneurship]))
    assert one == {k: v for k, v in expected.items() if k == entrepreneurship}
