"""Every page: a language, one h1, a label for each form control, alt text on images."""

from html.parser import HTMLParser

from tests.conftest import login
from tests.scene import academy, event_with_a_registration, partner_network


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
    event, code = await event_with_a_registration(park)
    pages = ["/", "/startups", f"/startups/{sid}", "/login", "/centres", "/centres/web3hub"]
    pages += ["/events", "/events?view=month", "/events?view=week", f"/events/{event}"]
    pages += [f"/registrations/{code}"]
    course, run, certificate = await academy(park)
    pages += ["/academy", f"/academy/courses/{course}", f"/academy/runs/{run}", "/academy/figures"]
    pages += ["/academy/certificates", f"/academy/certificates/{certificate}"]
    admin_pages = [
        f"/startups/{sid}/edit",
        f"/startups/{sid}/team",
        "/startups/new",
        "/admin/users",
        "/admin/users/1",
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
    mou, export, referral = await partner_network(park)
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
        "/admin/audit",
        "/dashboard",
        "/reports/quarterly",
    ]
    partner_pages = ["/portal", f"/portal/referrals/{referral}"]
    problems = []
    signed_in = False
    for path in pages + ["__login__"] + admin_pages + ["__partner__"] + partner_pages:
        if path == "__login__":
            await login(client, park.users["admin"])
            signed_in = True
            continue
        if path == "__partner__":
            await login(client, park.users["partner"])
            continue
        response = await client.get(path)
        assert response.status_code == 200, path
        headers = response.headers  # the security headers, on every page of the crawl
        if "script-src 'self'" not in headers.get("content-security-policy", ""):
            problems.append(f"{path}: no Content-Security-Policy without inline script")
        if "frame-ancestors 'none'" not in headers.get("content-security-policy", ""):
            problems.append(f"{path}: may be framed")
        if headers.get("x-frame-options") != "DENY" or headers.get("x-content-type-options") != (
            "nosniff"
        ):
            problems.append(f"{path}: no X-Frame-Options or nosniff")
        if "referrer-policy" not in headers or "server" in headers:
            problems.append(f"{path}: no Referrer-Policy, or a Server banner")
        if signed_in and "no-store" not in headers.get("cache-control", ""):
            problems.append(f"{path}: a signed-in page may be stored")
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
