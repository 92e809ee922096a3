"""No silent overwrite: profiles, units, leases, events, MOUs and partner parks carry a
version. A form opened before someone else saved is refused (412) with who changed the record
and when, the person's values kept and the saved value beside each field that differs, and
nothing written; saving again keeps theirs. The API honours If-Match with a 412."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from html.parser import HTMLParser

import httpx

from centres.tables import Lease, Unit
from events.tables import Event
from incubator.i18n import today_hk
from incubator.partners.tables import Mou, PartnerPark
from incubator.startups.tables import Startup
from tests.conftest import api, csrf_token, login, make_client, text_of
from tests.scene import event_with_a_registration, partner_network


class _Form(HTMLParser):
    """The values a browser would send with the form whose action is `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values.append((self.select, a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.values.append((self.textarea, ""))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


async def opened(client: httpx.AsyncClient, page: str, action: str) -> list[tuple[str, str]]:
    answer = await client.get(page)
    assert answer.status_code == 200, answer.text
    form = _Form(action)
    form.feed(answer.text)
    assert any(name == "version" for name, _ in form.values), f"no version in {action}"
    return form.values


def changed(values: list[tuple[str, str]], field: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n == field else v) for n, v in values if n != "_csrf_token"]


async def send(client: httpx.AsyncClient, action: str, values: list) -> httpx.Response:
    body = [*values, ("_csrf_token", csrf_token(client))]
    return await client.post(
        action,
        content=str(httpx.QueryParams(body)).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def two_editors(app, park, first: str, second: str):
    a, b = make_client(app), make_client(app)
    await login(a, park.users[first])
    await login(b, park.users[second])
    return a, b


async def the_stale_form_is_refused_with_both_values(
    app, park, page: str, action: str, field: str, read, who: tuple[str, str] = ("manager", "admin")
) -> None:
    """`who[0]` and `who[1]` open the form; the first saves `field`; the second's save of the
    same field is refused with both values, writes nothing, and applies when sent again."""
    a, b = await two_editors(app, park, *who)
    try:
        form_a = await opened(a, page, action)
        form_b = await opened(b, page, action)
        saved = await send(a, action, changed(form_a, field, "Saved First 7"))
        assert saved.status_code == 303, text_of(saved.text)
        stale = await send(b, action, changed(form_b, field, "Mine Second 9"))
        assert stale.status_code == 412, text_of(stale.text)
        shown = text_of(stale.text)
        assert "while you were editing it: nothing was saved" in shown
        assert "(Hong Kong time)" in shown
        assert "Saved meanwhile: Saved First 7" in shown
        assert 'value="Mine Second 9"' in stale.text or ">Mine Second 9<" in stale.text
        assert await read() == "Saved First 7"
        # The form shown again carries the current version: saving it keeps the second's.
        again = _Form(action)
        again.feed(stale.text)
        kept = await send(b, action, [(n, v) for n, v in again.values if n != "_csrf_token"])
        assert kept.status_code == 303, text_of(kept.text)
        assert await read() == "Mine Second 9"
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_stale_unit_form_is_refused_with_both_values(app, park):
    unit = park.units["3F-02"]

    async def notes() -> str:
        return (await Unit.select(Unit.notes).where(Unit.id == unit).first())["notes"]

    page, action = f"/space/units/{unit}/edit", f"/space/units/{unit}/edit"
    await the_stale_form_is_refused_with_both_values(app, park, page, action, "notes", notes)
    row = await Unit.select(Unit.version, Unit.changed_by).where(Unit.id == unit).first()
    assert row["version"] == 3 and row["changed_by"] == "Admin"


async def test_a_stale_event_form_is_refused_with_both_values(app, park):
    event, _code = await event_with_a_registration(park)

    async def title() -> str:
        return (await Event.select(Event.title_en).where(Event.id == event).first())["title_en"]

    page, action = f"/events/{event}/edit", f"/events/{event}/edit"
    await the_stale_form_is_refused_with_both_values(app, park, page, action, "title_en", title)


async def test_a_stale_profile_form_is_refused_with_both_values(app, park):
    sid = park.startups["harbour-pay"]

    async def name() -> str:
        return (await Startup.select(Startup.name_en).where(Startup.id == sid).first())["name_en"]

    page = action = f"/startups/{sid}/edit"
    await the_stale_form_is_refused_with_both_values(
        app, park, page, action, "name_en", name, who=("member", "manager")
    )


async def test_a_stale_mou_form_is_refused_with_both_values(app, park):
    mou, _export, _referral = await partner_network(park)

    async def title() -> str:
        return (await Mou.select(Mou.title).where(Mou.id == mou).first())["title"]

    page = action = f"/partners/mous/{mou}/edit"
    await the_stale_form_is_refused_with_both_values(
        app, park, page, action, "title", title, who=("admin", "admin")
    )


async def test_a_stale_partner_park_form_is_refused_with_both_values(app, park):
    partner = park.partners["lingang"]
    await PartnerPark.update({PartnerPark.country: "China"}).where(PartnerPark.id == partner)

    async def city() -> str:
        row = await PartnerPark.select(PartnerPark.city).where(PartnerPark.id == partner).first()
        return row["city"]

    page = action = f"/partners/{partner}"
    await the_stale_form_is_refused_with_both_values(
        app, park, page, action, "city", city, who=("admin", "admin")
    )


async def test_a_lease_step_from_a_stale_page_is_refused_and_names_who(app, park):
    """Two people end one lease early from pages opened at once: without versions the
    second silently replaced the first's last day and reason."""
    lease = park.leases["harbour-pay"]
    action = f"/leases/{lease}/terminate"
    a, b = await two_editors(app, park, "manager", "admin")
    try:
        first = await opened(a, f"/leases/{lease}", action)
        second = await opened(b, f"/leases/{lease}", action)
        day = today_hk() + timedelta(days=10)
        mine = changed(changed(first, "reason", "Moved out early"), "last_day", str(day))
        ended = await send(a, action, mine)
        assert ended.status_code == 303, text_of(ended.text)
        theirs = changed(changed(second, "reason", "Merged"), "last_day", str(day))
        stale = await send(b, action, theirs)
        assert stale.status_code == 412
        shown = text_of(stale.text)
        assert "Manager changed this at" in shown and "nothing was saved" in shown
    finally:
        await a.aclose()
        await b.aclose()
    row = await Lease.select(Lease.termination_reason, Lease.version).where(Lease.id == lease)
    assert (row[0]["termination_reason"], row[0]["version"]) == ("Moved out early", 2)


async def test_the_api_refuses_a_stale_if_match_on_units_and_leases(client, park):
    await login(client, park.users["admin"])
    unit = park.units["3F-02"]
    read = await client.get(f"/api/units/{unit}")
    tag = read.headers["etag"]
    assert tag == f'"v{read.json()["version"]}"'
    first = await api(
        client, "PATCH", f"/api/units/{unit}", json={"notes": "one"}, headers={"If-Match": tag}
    )
    assert first.status_code == 200 and first.headers["etag"] != tag
    stale = await api(
        client, "PATCH", f"/api/units/{unit}", json={"notes": "two"}, headers={"If-Match": tag}
    )
    assert stale.status_code == 412
    assert "the unit was changed by Admin at" in stale.json()["detail"]
    assert (await Unit.select(Unit.notes).where(Unit.id == unit).first())["notes"] == "one"

    lease = park.leases["harbour-pay"]
    tag = (await client.get(f"/api/leases/{lease}")).headers["etag"]
    await Lease.update({Lease.version: Lease.version + 1}).where(Lease.id == lease)
    refused = await api(
        client, "POST", f"/api/leases/{lease}/notice", json={}, headers={"If-Match": tag}
    )
    assert refused.status_code == 412 and "the lease was changed" in refused.json()["detail"]
    schema = (await client.get("/schema/openapi.json")).json()["paths"]
    assert "412" in schema["/api/leases/{lease_id}/notice"]["post"]["responses"]
    assert "412" in schema["/api/units/{unit_id}"]["patch"]["responses"]


async def test_of_concurrent_unit_patches_with_one_if_match_exactly_one_applies(app, park):
    unit = park.units["3F-02"]
    editors = [make_client(app) for _ in range(6)]
    for editor in editors:
        await login(editor, park.users["admin"])
    tag = (await editors[0].get(f"/api/units/{unit}")).headers["etag"]
    answers = await asyncio.gather(
        *[
            api(
                e,
                "PATCH",
                f"/api/units/{unit}",
                json={"notes": f"editor {i}"},
                headers={"If-Match": tag},
            )
            for i, e in enumerate(editors)
        ]
    )
    for editor in editors:
        await editor.aclose()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 412, 412, 412, 412, 412]
    winner = next(a for a in answers if a.status_code == 200).json()["notes"]
    row = await Unit.select(Unit.notes, Unit.version).where(Unit.id == unit).first()
    assert (row["notes"], row["version"]) == (winner, 2)


async def test_a_form_shown_again_for_a_broken_rule_keeps_the_version_it_was_opened_at(app, park):
    """A form refused for a bad value, then corrected and sent, still meets the change made
    in between: the version it carries is the one it was opened at, not the one it was
    shown again at."""
    event, _code = await event_with_a_registration(park)
    page = action = f"/events/{event}/edit"
    a, b = await two_editors(app, park, "manager", "admin")
    try:
        mine = await opened(a, page, action)
        theirs = await opened(b, page, action)
        saved = await send(b, action, changed(theirs, "title_en", "Saved First 7"))
        assert saved.status_code == 303
        broken = await send(a, action, changed(mine, "capacity", "many"))
        assert broken.status_code == 422
        again = _Form(action)
        again.feed(broken.text)
        assert dict(again.values)["version"] == dict(mine)["version"]
        corrected = changed(
            changed([(n, v) for n, v in again.values if n != "_csrf_token"], "capacity", "40"),
            "title_en",
            "Mine Second 9",
        )
        stale = await send(a, action, corrected)
        assert stale.status_code == 412 and "Saved meanwhile: Saved First 7" in text_of(stale.text)
    finally:
        await a.aclose()
        await b.aclose()
