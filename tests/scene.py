"""A small scene beyond the park fixture, for the tests that walk every page: an event with a
registration, an academy course with a certificate, a partner network with an export."""

from __future__ import annotations


async def academy(park) -> tuple[int, int, str]:
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


async def partner_network(park) -> tuple[int, int, int]:
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


async def event_with_a_registration(park) -> tuple[int, str]:
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


async def room_booking(park) -> tuple[int, int]:
    """A meeting room members may book, with Harbour Pay's booking of it in three days."""
    from datetime import timedelta

    from events.rooms.tables import BookableRoom
    from events.tables import RoomBooking, Venue
    from incubator.db import utcnow

    room = await Venue.insert(
        Venue(id=2, centre=park.centres["entrepreneurship"], name_en="Huddle Room", capacity=6)
    ).returning(Venue.id)
    await BookableRoom.insert(BookableRoom(venue=room[0]["id"], weekdays="1234567"))
    start = (utcnow() + timedelta(days=3)).replace(hour=3, minute=0, second=0, microsecond=0)
    booking = await RoomBooking.insert(
        RoomBooking(
            venue=room[0]["id"],
            startup=park.startups["harbour-pay"],
            title="Board call",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            credits=2,
            code="scene-booking",
        )
    ).returning(RoomBooking.id)
    return room[0]["id"], booking[0]["id"]


async def programme_application(park) -> tuple[int, int, int]:
    """An open call of the Entrepreneurship Centre, Harbour Pay's submitted application to it
    with a file (its pitch deck), and the manager's review of it, open to score."""
    import json
    from datetime import timedelta

    from incubator.db import utcnow
    from incubator.programmes.tables import Application, ApplicationFile, Call
    from incubator.startups.tables import Programme

    programme = await Programme.select(Programme.id).first()
    questions = [
        {"kind": "long_text", "label_en": "What do you make?", "key": "pitch", "required": True},
        {"kind": "file", "label_en": "Pitch deck", "key": "deck"},
    ]
    call = await Call.insert(
        Call(
            programme=programme["id"],
            centre=park.centres["entrepreneurship"],
            title_en="Incubation 2027",
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=30),
            questions=json.dumps(questions),
        )
    ).returning(Call.id)
    application = await Application.insert(
        Application(
            call=call[0]["id"],
            startup=park.startups["harbour-pay"],
            status="submitted",
            answers=json.dumps({"pitch": "Payments"}),
            submitted_at=utcnow(),
        )
    ).returning(Application.id)
    pdf = b"%PDF-1.4\n%%EOF\n"
    await ApplicationFile.insert(
        ApplicationFile(
            application=application[0]["id"],
            question="deck",
            filename="deck.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256="0" * 64,
            data=pdf,
        )
    )
    from incubator.auth.tables import User
    from incubator.programmes.tables import CallReviewer, Review

    manager = await User.select(User.id).where(User.email == park.users["manager"]).first()
    await CallReviewer.insert(CallReviewer(call=call[0]["id"], user=manager["id"]))
    review = await Review.insert(
        Review(
            call=call[0]["id"],
            application=application[0]["id"],
            reviewer=manager["id"],
            status="open",
        )
    ).returning(Review.id)
    return call[0]["id"], application[0]["id"], review[0]["id"]


async def grant_with_a_claim(park) -> dict[str, int]:
    """Harbour Pay's active matching grant of HK$1,234,567, a claim on it with a receipt,
    reviewed, approved and paid in a batch, and its progress report for the last quarter
    (funds raised HK$73,456,789, on the profile too): the ids a walk fills routes with."""
    from datetime import date

    from incubator.auth.tables import User
    from incubator.programmes.funding.services.reports import last_ended
    from incubator.programmes.funding.tables import (
        Claim,
        ClaimEvidence,
        Grant,
        PaymentBatch,
        ProgressReport,
    )
    from incubator.startups.services.progress import record_progress
    from incubator.startups.tables import Programme

    sid = park.startups["harbour-pay"]
    programme = await Programme.select(Programme.id).first()
    users = {r["email"]: r["id"] for r in await User.select(User.id, User.email)}
    grant = await Grant.insert(
        Grant(
            startup=sid,
            programme=programme["id"],
            centre=park.centres["entrepreneurship"],
            kind="matching",
            status="active",
            total_cents=1_234_567_00,
            held_cents=10_000_00,
            paid_cents=10_000_00,
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
        )
    ).returning(Grant.id)
    batch = await PaymentBatch.insert(
        PaymentBatch(reference="PB-2026-00001", status="paid", claims=1, total_cents=10_000_00)
    ).returning(PaymentBatch.id)
    claim = await Claim.insert(
        Claim(
            grant=grant[0]["id"],
            startup=sid,
            centre=park.centres["entrepreneurship"],
            status="approved",
            report="Hosting",
            spend_cents=20_000_00,
            amount_cents=10_000_00,
            reviewed_by=users[park.users["manager"]],
            approved_by=users[park.users["admin"]],
            batch=batch[0]["id"],
        )
    ).returning(Claim.id)
    await Claim.update({Claim.status: "paid"}).where(Claim.id == claim[0]["id"])
    pdf = b"%PDF-1.4\n%%EOF\n"
    evidence = await ClaimEvidence.insert(
        ClaimEvidence(
            claim=claim[0]["id"],
            filename="receipt.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256="0" * 64,
            data=pdf,
        )
    ).returning(ClaimEvidence.id)
    quarter = last_ended()
    await ProgressReport.insert(
        ProgressReport(startup=sid, quarter=quarter, headcount=23, funds_raised_cents=73_456_789_00)
    )
    await record_progress(sid, quarter, 23, 73_456_789_00)
    return {
        "grant_id": grant[0]["id"],
        "claim_id": claim[0]["id"],
        "evidence_id": evidence[0]["id"],
        "batch_id": batch[0]["id"],
    }
