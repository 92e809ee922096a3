"""Every endpoint for every role: nobody reads or changes what is outside their scope.

Each row names an endpoint and the status each role gets. A refused change must leave
the database exactly as it was.
"""

from __future__ import annotations

import pytest

from incubator.db import all_tables
from incubator.startups.tables import Startup
from tests.conftest import api, login, post_form
from tests.startups.test_profiles import PNG

ROLES = ("anon", "admin", "manager", "other_manager", "member", "other_member", "partner")
LOGIN = "login"  # an anonymous visitor is sent to the log-in page

# (method, path, kind, payload, {role: status}); roles not named get `default`.
EDITORS = {"admin": None, "manager": None, "member": None}
MANAGERS = {"admin": None, "manager": None}
STAFF = {"admin": 200, "manager": 200, "other_manager": 200}
LEASE_READERS = {"admin": 200, "manager": 200, "member": 200}


def expect(default: int | str, anon: int | str = LOGIN, **allowed: int) -> dict[str, int | str]:
    table = {role: default for role in ROLES}
    table["anon"] = anon
    table |= allowed
    return table


CASES = [
    ("GET", "/api/startups", "api", None, expect(200, anon=200)),
    ("GET", "/api/startups/{hp}", "api", None, expect(200, anon=200)),
    (
        "GET",
        "/api/startups/{bh}",
        "api",
        None,
        expect(404, anon=404, admin=200, manager=200),
    ),  # archived: managers in scope only
    (
        "GET",
        "/api/startups?archived=true",
        "api",
        None,
        expect(403, anon=403, admin=200, manager=200, other_manager=200),
    ),
    (
        "PATCH",
        "/api/startups/{hp}",
        "api",
        {"team_size": 7},
        expect(403, anon=401, admin=200, manager=200, member=200),
    ),
    (
        "PATCH",
        "/api/startups/{hp}",
        "api",
        {"centres": ["entrepreneurship"]},
        expect(403, anon=401, admin=200, manager=200),
    ),
    (
        "GET",
        "/api/startups/{hp}/history",
        "api",
        None,
        expect(403, anon=401, admin=200, manager=200, member=200),
    ),
    (
        "POST",
        "/api/startups",
        "api",
        {"name_en": "New Co", "centres": ["entrepreneurship"]},
        expect(403, anon=401, admin=201, manager=201, other_manager=422),
    ),
    ("GET", "/startups/{hp}", "page", None, expect(200, anon=200)),
    ("GET", "/startups/{hp}/edit", "page", None, expect(403, admin=200, manager=200, member=200)),
    (
        "POST",
        "/startups/{hp}/edit",
        "form",
        {"name_en": "Harbour Pay", "stage": "seed", "team_size": "3", "clusters": "fintech"},
        expect(403, admin=303, manager=303, member=303),
    ),
    ("GET", "/startups/{hp}/team", "page", None, expect(403, admin=200, manager=200, member=200)),
    (
        "POST",
        "/startups/{hp}/team",
        "form",
        {"name": "New Person"},
        expect(403, admin=303, manager=303, member=303),
    ),
    (
        "POST",
        "/startups/{hp}/invite",
        "form",
        {"email": "new.person@harbour.example"},
        expect(403, admin=200, manager=200, member=200),
    ),
    ("POST", "/startups/{hp}/logo", "logo", None, expect(403, admin=303, manager=303, member=303)),
    (
        "POST",
        "/startups/{hp}/archive",
        "form",
        {"archived": "0"},
        expect(403, admin=303, manager=303),
    ),
    ("GET", "/startups/new", "page", None, expect(403, admin=200, manager=200, other_manager=200)),
    (
        "POST",
        "/startups/new",
        "form",
        {"name_en": "Form Co", "centres": "technology"},
        expect(403, admin=303, other_manager=303, manager=422),
    ),
    ("GET", "/admin/users", "page", None, expect(403, admin=200)),
    (
        "POST",
        "/admin/users",
        "form",
        {
            "email": "new.admin@park.example",
            "name": "New",
            "role": "admin",
            "password": "long-enough-pw",
        },
        expect(403, admin=303),
    ),
    ("POST", "/admin/users/{member_user}/active", "form", {"active": "1"}, expect(403, admin=303)),
    ("GET", "/admin/import", "page", None, expect(403, admin=200)),
    (
        "POST",
        "/admin/import",
        "multipart",
        {"csv_text": "slug,name_en,centres\nx,X,technology\n"},
        expect(403, admin=200),
    ),
    ("GET", "/account", "page", None, expect(200)),
    # Space and leases: the unit's centre managers and administrators; members see their own.
    ("GET", "/centres/entrepreneurship", "page", None, expect(200, anon=200)),
    ("GET", "/api/occupancy", "api", None, expect(200, anon=200)),
    ("GET", "/api/centres/web3hub", "api", None, expect(200, anon=200)),
    ("GET", "/space", "page", None, expect(403, admin=200, manager=200, other_manager=200)),
    ("GET", "/api/units", "api", None, expect(403, anon=401, **STAFF)),
    ("GET", "/leases", "page", None, expect(403, **STAFF)),
    ("GET", "/leases/export.csv", "page", None, expect(403, **STAFF)),
    ("GET", "/api/leases", "api", None, expect(200, anon=401)),
    ("GET", "/api/leases/{lease}", "api", None, expect(404, anon=401, **LEASE_READERS)),
    ("GET", "/leases/{lease}", "page", None, expect(404, **LEASE_READERS)),
    (
        "POST",
        "/api/units",
        "api",
        {
            "building": "cyberport-1",
            "centre": "entrepreneurship",
            "code": "8F-01",
            "floor": 8,
            "kind": "lab",
            "area_sqft": 100,
            "list_rent_cents": 100,
        },
        expect(403, anon=401, admin=201, manager=201, other_manager=422),
    ),
    (
        "PATCH",
        "/api/units/{vacant}",
        "api",
        {"area_sqft": 650},
        expect(403, anon=401, admin=200, manager=200),
    ),
    (
        "POST",
        "/api/leases",
        "api",
        {
            "unit": "{vacant}",
            "startup": "lantern-chain",
            "starts_on": "2030-01-01",
            "ends_on": "2030-12-31",
            "monthly_rent_cents": 100,
        },
        expect(403, anon=401, admin=201, manager=201),
    ),
    (
        "POST",
        "/api/leases/{lease}/notice",
        "api",
        {},
        expect(403, anon=401, admin=200, manager=200, other_manager=404),
    ),
    # Partners: staff see partner parks; partnership staff (here: admins) change them; a
    # partner user sees its own park; a start-up's editors manage its consents.
    ("GET", "/api/partners", "api", None, expect(403, anon=401, **STAFF)),
    ("GET", "/api/partners/{partner}", "api", None, expect(403, anon=401, partner=200, **STAFF)),
    (
        "POST",
        "/api/partners",
        "api",
        {"name": "Tokyo Park", "country": "Japan"},
        expect(403, anon=401, admin=201),
    ),
    ("GET", "/api/partners/exports", "api", None, expect(403, anon=401, admin=200)),
    ("GET", "/api/partners/me", "api", None, expect(403, anon=401, partner=200)),
    ("GET", "/api/partners/me/exports", "api", None, expect(403, anon=401, partner=200)),
    (
        "GET",
        "/api/partners/consents/{hp}",
        "api",
        None,
        expect(403, anon=401, admin=200, manager=200, member=200),
    ),
    (
        "PUT",
        "/api/partners/consents/{hp}/{partner}",
        "api",
        {"fields": ["name", "website"]},
        expect(403, anon=401, admin=200, manager=200, member=200),
    ),
    ("GET", "/api/academy/courses", "api", None, expect(200, anon=200)),
    (
        "POST",
        "/api/academy/courses",
        "api",
        {"title_en": "Web3 101", "track": "certified_course", "centre": "entrepreneurship"},
        expect(403, anon=401, admin=201, manager=201, other_manager=422),
    ),
    ("GET", "/api/academy/figures", "api", None, expect(200, anon=200)),
    ("GET", "/dashboard", "page", None, expect(403, **STAFF)),
    (
        "GET",
        "/dashboard?centre=technology",
        "page",
        None,
        expect(403, admin=200, other_manager=200),
    ),
    ("GET", "/dashboard/csv/occupancy", "page", None, expect(403, **STAFF)),
    ("GET", "/api/dashboard", "api", None, expect(403, anon=401, **STAFF)),
    (
        "GET",
        "/api/dashboard/referrals?centre=entrepreneurship",
        "api",
        None,
        expect(403, anon=401, admin=200, manager=200),
    ),
    ("GET", "/reports/quarterly", "page", None, expect(403, **STAFF)),
    (
        "GET",
        "/reports/quarterly.pdf?centre=technology",
        "page",
        None,
        expect(403, admin=200, other_manager=200),
    ),
    ("GET", "/academy", "page", None, expect(200, anon=200)),
    ("GET", "/academy/courses/new", "page", None, expect(403, **STAFF)),
    ("GET", "/inbox", "page", None, expect(200)),
    ("GET", "/account/reminders", "page", None, expect(200)),
    ("GET", "/admin/reminders", "page", None, expect(403, admin=200)),
    ("GET", "/partners", "page", None, expect(403, **STAFF)),
    ("GET", "/partners/exports", "page", None, expect(403, admin=200)),
    ("GET", "/referrals", "page", None, expect(403, **STAFF)),
    ("GET", "/portal", "page", None, expect(403, partner=200)),
    (
        "GET",
        "/startups/{hp}/sharing",
        "page",
        None,
        expect(403, admin=200, manager=200, member=200),
    ),
]


async def fingerprint() -> dict:
    # every table's row count in one query (one per table cost a second per role)
    counts = await Startup.raw(
        " UNION ALL ".join(
            f"SELECT '{t._meta.tablename}' AS name, COUNT(*) AS n FROM \"{t._meta.tablename}\""
            for t in all_tables()
        )
    )
    rows = await Startup.select().order_by(Startup.id)
    return {"counts": counts, "startups": rows}


@pytest.mark.parametrize("role", ROLES)
async def test_every_endpoint_answers_each_role_within_its_scope(client, park, role):
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.startups.services import profiles as services

    user_ids = {u["email"]: u["id"] for u in await User.select(User.id, User.email)}
    admin = Viewer(user_id=user_ids[park.users["admin"]], name="setup", role=Role.admin)
    await services.set_archived(admin, park.startups["bamboo-home"], True)
    member_user = user_ids[park.users["member"]]
    if role != "anon":
        await login(client, park.users[role])
    await client.get("/login")  # the CSRF cookie a browser would have from any page
    ids = {
        "hp": park.startups["harbour-pay"],
        "bh": park.startups["bamboo-home"],
        "member_user": member_user,
        "lease": park.leases["harbour-pay"],
        "vacant": park.units["3F-02"],
        "partner": park.partners["lingang"],
    }
    failures = []
    for method, path, kind, payload, expected in CASES:
        url = path.format(**ids)
        before = await fingerprint() if method != "GET" else None
        if kind in ("api",):
            if payload and payload.get("unit") == "{vacant}":
                payload = payload | {"unit": ids["vacant"]}
            response = await api(client, method, url, json=payload)
        elif kind == "form":
            response = await post_form(client, url, payload)
        elif kind == "logo":
            response = await post_form(client, url, files={"logo": ("l.png", PNG, "image/png")})
        elif kind == "multipart":
            response = await post_form(
                client, url, payload, files={"none": ("", b"", "text/plain")}
            )
        else:
            response = await client.get(url)
        want = expected[role]
        got: int | str = response.status_code
        if got == 303 and response.headers["location"].startswith("/login"):
            got = LOGIN
        if got != want:
            failures.append(f"{method} {url}: expected {want}, got {got} {response.text[:120]}")
        refused = got == LOGIN or (isinstance(got, int) and got >= 400)
        if before is not None and refused and await fingerprint() != before:
            failures.append(f"{method} {url}: refused with {got} but changed the database")
    assert not failures, "\n".join(failures)
