"""The walk of docs/privacy.md: every GET page, API operation, feed and export of the app,
fetched as every kind of viewer, fails on any of Harbour Pay's fields outside what that
viewer may see. The routes come from the app itself, so a new page is walked without anyone
adding it here; a route whose path parameters the walk cannot fill fails the test until it
is given a value or named below as carrying no start-up's data.

Each group of fields carries a value found nowhere else (a sentinel); a group is "shown"
when its sentinel is in the answer's body (text, or the text inside an XLSX file)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import httpx

from incubator.i18n import today_hk
from tests.conftest import login, make_client
from tests.scene import (
    academy,
    event_with_a_registration,
    grant_with_a_claim,
    partner_network,
    programme_application,
    room_booking,
)

SENTINELS = {
    "contact": ["contact.sentinel@harbour.example", "+852 5550 0199", "Sentinel Contact"],
    "team": ["Sentinel Teammate"],
    "team_emails": ["teammate.sentinel@harbour.example"],
    "history": ["Zephyr history sentinel"],
    "leases": ["2734567", "27,345.67"],
    "consents": ["2031-07-19"],  # the expiry of its consent to a second partner park
    "funding": ["1,234,567", "123456700"],  # its grant's total, in HK$ and in cents
    # its latest progress report's funds raised: HK$, cents, whole dollars in an export
    "funds_raised": ["73,456,789", "7345678900", "73456789"],
}

EDITORS = {"contact", "team", "team_emails", "history", "leases", "consents", "funding"}
EDITORS |= {"funds_raised"}
COMMUNITY = {"contact", "team"}
# viewer kind -> the groups it may see (docs/privacy.md)
MAY_SEE = {
    "anonymous": set(),
    "member": EDITORS,  # of Harbour Pay
    "other_member": COMMUNITY,  # of Lantern Chain
    "partner": set(),  # Lingang's user, while Harbour Pay shares only its name
    "partner_token": set(),
    # the same, once Harbour Pay shares its contact and funds raised
    "partner_consented": {"contact", "funds_raised"},
    "partner_token_consented": {"contact", "funds_raised"},
    "manager": EDITORS,  # of Harbour Pay's centre
    "other_manager": COMMUNITY,
    "admin": EDITORS,
}

# Routes that carry none of a start-up's data, or that are not pages of the product.
NOT_WALKED = {
    "/static/{file_path:path}",  # files of the app itself
    "/lang/{code:str}",  # sets a cookie and redirects
    "/invitations/{token:str}",  # a bearer link to an invitation (tests/startups)
    # a bearer link that makes a reviewer's account (tests/programmes)
    "/programmes/reviewer-invitations/{token:str}",
    "/schema/{path:str}",
}


def _routes(app) -> list[str]:
    from litestar.routes import HTTPRoute

    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and "GET" in route.methods
        and route.path not in NOT_WALKED
        and not route.path.startswith("/schema/")
    )


def _text(response: httpx.Response) -> str:
    body = response.content
    if body[:2] == b"PK":  # XLSX: the text is in the zip's XML parts
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(book.read(n).decode("utf-8", "ignore") for n in book.namelist())
    return body.decode("utf-8", "ignore")


def shown(text: str) -> set[str]:
    return {group for group, marks in SENTINELS.items() if any(m in text for m in marks)}


async def _sentinels(park) -> None:
    """Harbour Pay's contact, team, a history entry, its lease rent and a consent to another
    partner park, as sentinels."""
    from centres.tables import Lease
    from incubator.partners.tables import PartnerPark, SharingConsent
    from incubator.startups.tables import ProfileChange, Startup, TeamMember

    sid = park.startups["harbour-pay"]
    await Startup.update(
        {
            Startup.contact_name: "Sentinel Contact",
            Startup.contact_email: "contact.sentinel@harbour.example",
            Startup.contact_phone: "+852 5550 0199",
        }
    ).where(Startup.id == sid)
    await TeamMember.insert(
        TeamMember(
            startup=sid,
            name="Sentinel Teammate",
            title="CTO",
            email="teammate.sentinel@harbour.example",
        )
    )
    await ProfileChange.insert(
        ProfileChange(
            startup=sid,
            actor_name="Founder",
            field="description_en",
            old_value="Zephyr history sentinel",
            new_value="Cross-border payments for SMEs.",
        )
    )
    await Lease.update({Lease.monthly_rent_cents: 27_345_67}).where(
        Lease.id == park.leases["harbour-pay"]
    )
    oslo = await PartnerPark.insert(PartnerPark(name="Oslo Science Park")).returning(PartnerPark.id)
    await SharingConsent.insert(
        SharingConsent(
            startup=sid, partner=oslo[0]["id"], fields="name", expires_on=date(2031, 7, 19)
        )
    )


async def _fills(park) -> dict[str, list[str]]:
    """Each walked route's path parameters, by route: the values that reach Harbour Pay's
    data where the route can."""
    from events.services import feeds
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.dashboard.services import figures

    sid = park.startups["harbour-pay"]
    event, code = await event_with_a_registration(park)
    course, run, certificate = await academy(park)
    mou, export, referral = await partner_network(park)
    room, booking = await room_booking(park)
    call, application, review = await programme_application(park)
    funding = await grant_with_a_claim(park)
    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    feed = await feeds.reset_token(Viewer(user_id=member["id"], role=Role.member))
    from incubator.reminders.tables import OutboxMessage

    # An email kept in the outbox (no SMTP server), to Harbour Pay's contact: administrators'.
    kept = await OutboxMessage.insert(
        OutboxMessage(recipient="contact.sentinel@harbour.example", subject="Lease", text="x")
    ).returning(OutboxMessage.id)
    return {
        "startup_id": [str(sid)],
        "lease_id": [str(park.leases["harbour-pay"])],
        "unit_id": [str(park.units["3F-01"])],
        "event_id": [str(event)],
        "course_id": [str(course)],
        "run_id": [str(run)],
        "venue_id": ["1"],
        "user_id": [str(member["id"])],
        "mou_id": [str(mou)],
        "partner_id": [str(park.partners["lingang"])],
        "export_id": [str(export)],
        "referral_id": [str(referral)],
        "key": list(figures.FIGURES),
        "centre_slug": ["entrepreneurship"],
        "feed_slug": ["entrepreneurship.ics"],
        "certificate": [certificate],
        "registration": [code],
        "feed_token": [feed + ".ics"],
        "message_id": [str(kept[0]["id"])],
        "room_id": [str(room)],
        "booking_id": [str(booking)],
        "call_id": [str(call)],
        "application_id": [str(application)],
        "question": ["deck"],
        "review_id": [str(review)],
        **{name: [str(value)] for name, value in funding.items()},
    }


NAMED = {  # a parameter whose meaning depends on the route
    ("/events/feeds/{slug:str}", "slug"): "feed_slug",
    ("/events/feeds/me/{token:str}", "token"): "feed_token",
    ("/registrations/{code:str}", "code"): "registration",
    ("/registrations/{code:str}/qr.svg", "code"): "registration",
}


def _urls(route: str, fills: dict[str, list[str]]) -> list[str]:
    urls = [route]
    for name in re.findall(r"{(\w+):\w+}", route):
        key = NAMED.get((route, name)) or {
            "slug": "centre_slug",
            "code": "certificate",
        }.get(name, name)
        assert key in fills, f"{route}: nothing to fill {{{name}}} with; give it a value"
        pattern = "{" + name + r":\w+}"
        urls = [re.sub(pattern, value, u) for u in urls for value in fills[key]]
    return urls


async def _viewers(app, park, consented: bool) -> dict[str, httpx.AsyncClient]:
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.partners.services import tokens
    from incubator.partners.tables import PartnerToken

    clients: dict[str, httpx.AsyncClient] = {}
    suffix = "_consented" if consented else ""
    kinds = ["anonymous", "member", "other_member", "manager", "other_manager", "admin"]
    for kind in ["partner"] if consented else kinds + ["partner"]:
        client = make_client(app)
        if kind != "anonymous":
            await login(client, park.users[kind])
        clients[kind + (suffix if kind == "partner" else "")] = client
    await PartnerToken.delete().where(PartnerToken.partner == park.partners["lingang"])
    partner_user = await User.select(User.id).where(User.email == park.users["partner"]).first()
    token = await tokens.create_token(
        Viewer(user_id=partner_user["id"], role=Role.partner), park.partners["lingang"], "walk"
    )
    machine = make_client(app)
    machine.headers["Authorization"] = f"Bearer {token}"
    clients["partner_token" + suffix] = machine
    return clients


async def _walk(clients, urls) -> tuple[list[str], dict[str, set[str]]]:
    problems, seen = [], {kind: set() for kind in clients}
    for kind, client in clients.items():
        for url in urls:
            response = await client.get(url)
            assert response.status_code < 500, f"{kind} {url}: {response.status_code}"
            groups = shown(_text(response))
            seen[kind] |= groups
            outside = groups - MAY_SEE[kind]
            if outside:
                problems.append(f"{kind} {url}: shows {sorted(outside)}")
    return problems, seen


async def test_no_viewer_sees_a_start_ups_field_outside_the_policy_anywhere(app, park):
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.partners.services.exports import create_export
    from incubator.partners.tables import SharingConsent

    await _sentinels(park)
    fills = await _fills(park)
    urls = [url for route in _routes(app) for url in _urls(route, fills)]
    assert len(urls) > 100

    # Harbour Pay shares only its name with Lingang.
    clients = await _viewers(app, park, consented=False)
    problems, seen = await _walk(clients, urls)

    # Now it shares its contact too; Lingang gets a fresh export of each kind.
    await SharingConsent.update(
        {
            SharingConsent.fields: "name,contact,funds_raised",
            SharingConsent.expires_on: today_hk() + timedelta(days=30),
        }
    ).where(
        (SharingConsent.startup == park.startups["harbour-pay"])
        & (SharingConsent.partner == park.partners["lingang"])
    )
    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    staff = Viewer(user_id=admin["id"], name="Admin", role=Role.admin)
    export_urls = []
    for fmt in ("csv", "xlsx", "json"):
        export = await create_export(staff, park.partners["lingang"], fmt)
        fills["export_id"] = [str(export)]
        export_urls += [
            url for route in _routes(app) if "{export_id" in route for url in _urls(route, fills)
        ]
    partners = await _viewers(app, park, consented=True)
    more_problems, more_seen = await _walk(partners, urls + export_urls)
    for client in [*clients.values(), *partners.values()]:
        await client.aclose()

    assert problems + more_problems == []
    seen |= more_seen
    # The walk sees what it should too, or it proves nothing: every group reaches the
    # viewers who may see it, and a consented partner gets the contact in its exports.
    for kind in ("member", "manager", "admin"):
        assert seen[kind] == EDITORS, kind
    assert seen["other_member"] == COMMUNITY
    assert (
        seen["partner_consented"]
        == seen["partner_token_consented"]
        == {
            "contact",
            "funds_raised",
        }
    )
