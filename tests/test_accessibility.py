"""Every page: a language, one h1, a label for each form control, alt text on images."""

from html.parser import HTMLParser

from tests.conftest import login


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.open_labels = 0
        self.h1 = 0
        self.lang = None
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag == "img" and "alt" not in a:
            self.images_without_alt.append(a.get("src", ""))
        elif tag in ("input", "select", "textarea"):
            if a.get("type") in ("hidden", "submit", "button") or "hidden" in a:
                return
            self.controls.append(a | {"_in_label": self.open_labels > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [
            c.get("name") or c.get("id") or "?"
            for c in self.controls
            if not (c["_in_label"] or c.get("aria-label") or c.get("id") in self.label_for)
        ]


async def test_every_page_is_labelled_for_screen_readers_and_keyboards(client, park):
    sid = park.startups["harbour-pay"]
    unit, lease = park.units["3F-02"], park.leases["harbour-pay"]
    event, code = await _event_with_a_registration(park)
    pages = ["/", "/startups", f"/startups/{sid}", "/login", "/centres", "/centres/web3hub"]
    pages += ["/events", "/events?view=month", "/events?view=week", f"/events/{event}"]
    pages += [f"/registrations/{code}"]
    course, run, certificate = await _academy(park)
    pages += ["/academy", f"/academy/courses/{course}", f"/academy/runs/{run}", "/academy/figures"]
    pages += ["/academy/certificates", f"/academy/certificates/{certificate}"]
    admin_pages = [
        f"/startups/{sid}/edit",
        f"/startups/{sid}/team",
        "/startups/new",
        "/admin/users",
        "/admin/import",
        "/account",
        "/centres/entrepreneurship",
        "/space",
        f"/space/units/{unit}",
        f"/space/units/{unit}/edit",
        "/space/units/new",
        "/leases",
        f"/leases/new?unit={unit}",
        f"/leases/{lease}",
        "/events/new",
        f"/events/{event}/edit",
        f"/events/{event}/check-in",
        "/events/mine",
        "/events/venues",
        "/events/venues/1",
    ]
    mou, export, referral = await _partner_network(park)
    partner = park.partners["lingang"]
    admin_pages += [
        "/partners",
        f"/partners/{partner}",
        "/partners/mous",
        f"/partners/{partner}/mous/new",
        f"/partners/mous/{mou}",
        f"/partners/mous/{mou}/edit",
        "/partners/exports",
        f"/partners/exports/{export}",
        "/referrals",
        f"/referrals/{referral}",
        f"/startups/{sid}/sharing",
        "/academy/courses/new",
        f"/academy/courses/{course}/edit",
        f"/academy/runs/{run}/roster",
        "/inbox",
        "/account/reminders",
        "/admin/reminders",
        "/dashboard",
        "/reports/quarterly",
    ]
    partner_pages = ["/portal", f"/portal/referrals/{referral}"]
    problems = []
    for path in pages + ["__login__"] + admin_pages + ["__partner__"] + partner_pages:
        if path == "__login__":
            await login(client, park.users["admin"])
            continue
        if path == "__partner__":
            await login(client, park.users["partner"])
            continue
        response = await client.get(path)
        assert response.status_code == 200, path
        audit = PageAudit()
        audit.feed(response.text)
        if not audit.lang:
            problems.append(f"{path}: no lang on <html>")
        if audit.h1 != 1:
            problems.append(f"{path}: {audit.h1} h1 headings")
        if audit.unlabelled():
            problems.append(f"{path}: controls without a label: {audit.unlabelled()}")
        if audit.images_without_alt:
            problems.append(f"{path}: images without alt: {audit.images_without_alt}")
        if 'href="#main"' not in response.text:
            problems.append(f"{path}: no skip link")
    assert problems == []


async def _academy(park) -> tuple[int, int, str]:
    """A course with a published run of one session, one enrolment and its certificate."""
    from datetime import timedelta

    from events.academy.tables import Certificate
    from events.tables import Course, Event, Registration
    from incubator.db import utcnow

    centre = park.centres["entrepreneurship"]
    course = await Course.insert(
        Course(title_en="Web3 Fundamentals", track="certified_course", centre=centre)
    ).returning(Course.id)
    start = utcnow() + timedelta(days=3)
    common = {"centre": centre, "capacity": 20, "status": "published", "title_en": "Web3"}
    run = await Event.insert(
        Event(
            kind="course_run",
            course=course[0]["id"],
            starts_at=start,
            ends_at=start + timedelta(days=10),
            **common,
        )
    ).returning(Event.id)
    await Event.insert(
        Event(
            kind="session",
            parent=run[0]["id"],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            online_url="https://meet.example/w3",
            **common,
        )
    )
    registration = await Registration.insert(
        Registration(
            event=run[0]["id"],
            name="Ada",
            email="ada@example.com",
            status="confirmed",
            code="W3AA-0001",
        )
    ).returning(Registration.id)
    await Certificate.insert(
        Certificate(
            registration=registration[0]["id"],
            code="W3A-AAAA-BBBB-CCCC-DDDD",
            course=course[0]["id"],
            run=run[0]["id"],
            name="Ada",
            email="ada@example.com",
            course_title_en="Web3 Fundamentals",
            attended_percent=100,
        )
    )
    return course[0]["id"], run[0]["id"], "W3A-AAAA-BBBB-CCCC-DDDD"


async def _partner_network(park) -> tuple[int, int, int]:
    """An MOU in force with Lingang, Harbour Pay's consent, an export and an introduced
    referral: (mou, export, referral)."""
    from datetime import timedelta

    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.i18n import today_hk
    from incubator.partners.services.exports import create_export
    from incubator.partners.tables import Mou, Referral, SharingConsent

    partner, startup = park.partners["lingang"], park.startups["harbour-pay"]
    mou = await Mou.insert(
        Mou(
            partner=partner,
            title="Soft landing",
            signed_on=today_hk() - timedelta(days=1),
            expires_on=today_hk() + timedelta(days=365),
            status="active",
        )
    ).returning(Mou.id)
    await SharingConsent.insert(SharingConsent(startup=startup, partner=partner, fields="name"))
    referral = await Referral.insert(
        Referral(direction="outbound", partner=partner, startup=startup, status="introduced")
    ).returning(Referral.id)
    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    export = await create_export(
        Viewer(user_id=admin["id"], name="x", role=Role.admin), partner, "csv"
    )
    return mou[0]["id"], export, referral[0]["id"]


async def _event_with_a_registration(park) -> tuple[int, str]:
    from datetime import timedelta

    from events.tables import Event, Registration, Venue
    from incubator.db import utcnow

    venue = await Venue.insert(
        Venue(id=1, centre=park.centres["entrepreneurship"], name_en="Hall", capacity=80)
    ).returning(Venue.id)
    start = utcnow() + timedelta(days=2)
    event = await Event.insert(
        Event(
            title_en="Demo Day",
            centre=park.centres["entrepreneurship"],
            venue=venue[0]["id"],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue_from=start - timedelta(minutes=30),
            venue_until=start + timedelta(hours=2, minutes=30),
            capacity=50,
            status="published",
            allow_guests=True,
        )
    ).returning(Event.id)
    await Registration.insert(
        Registration(
            event=event[0]["id"],
            name="Guest",
            email="guest@visitor.example",
            status="confirmed",
            code="ABCD-EFGH",
        )
    )
    return event[0]["id"], "ABCD-EFGH"
