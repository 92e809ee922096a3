"""The demo park's programme intake: two past calls with their reviews and decisions, and one
open call (the Digital Transformation Support Pilot Programme's) with drafts, submissions
and reviews under way. Those admitted by the past calls are start-ups the demo already shows
in the programme, so profiles and applications agree.

A park of N start-ups gets about N/20 applications to each past call and N/8 to the open
one; its panels are the Entrepreneurship Centre's manager and two external reviewers."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from incubator.auth.tables import Role, User
from incubator.db.bulk import bulk_insert
from incubator.i18n import HONG_KONG
from incubator.programmes.services.answers import ADMITTED
from incubator.programmes.tables import Application, Call, CallReviewer, Review
from incubator.startups.tables import Programme, Startup, StartupProgramme

QUESTIONS = [
    {
        "kind": "long_text",
        "label_en": "What does your company make, and for whom?",
        "label_zh": "貴公司的產品是甚麼？服務對象是誰？",
        "required": True,
        "key": "pitch",
    },
    {
        "kind": "choice",
        "label_en": "Stage",
        "label_zh": "階段",
        "required": True,
        "key": "stage",
        "choices": ["Idea", "Prototype", "Revenue"],
        "choices_zh": ["構思", "原型", "有收入"],
    },
    {
        "kind": "amount",
        "label_en": "Funds raised so far (HKD)",
        "label_zh": "至今籌得資金（港元）",
        "required": False,
        "key": "raised",
    },
    {
        "kind": "number",
        "label_en": "Full-time staff",
        "label_zh": "全職員工人數",
        "required": True,
        "key": "staff",
    },
    {
        "kind": "file",
        "label_en": "Pitch deck",
        "label_zh": "簡報",
        "required": False,
        "key": "deck",
    },
]
RUBRIC = {
    "scale": 5,
    "criteria": [
        {"label_en": "Team", "label_zh": "團隊", "weight": 3, "key": "c1"},
        {"label_en": "Market", "label_zh": "市場", "weight": 2, "key": "c2"},
        {"label_en": "Innovation", "label_zh": "創新", "weight": 2, "key": "c3"},
        {"label_en": "Hong Kong impact", "label_zh": "對香港的影響", "weight": 1, "key": "c4"},
    ],
}
WEIGHTS = {c["key"]: c["weight"] for c in RUBRIC["criteria"]}
PITCHES = [
    "Cloud accounting for restaurants, with e-invoicing built in.",
    "Sensors that cut a building's energy use by a fifth.",
    "A payments API for cross-border e-commerce sellers.",
    "Computer vision that checks construction sites for safety.",
    "Tokenised invoices that small suppliers can sell early.",
    "An app that books and pays for elderly home care.",
]
REVIEWERS = [
    ("reviewer.chan@panel.example", "Dr Grace Chan"),
    ("reviewer.ng@panel.example", "Kenneth Ng"),
]


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), HONG_KONG).astimezone(UTC)


async def build_programmes(
    seed: int,
    today: date,
    centre_ids: dict[str, int],
    password_hash: str,
    say: Callable[[str], None],
    startups: int,
) -> list[tuple[str, str, str]]:
    """The calls, applications, reviews and decisions; returns the reviewers' logins."""
    rng = random.Random(seed * 211 + 5)
    programmes = {p["slug"]: p["id"] for p in await Programme.select(Programme.id, Programme.slug)}
    manager = (
        await User.select(User.id)
        .where(User.email == "manager.entrepreneurship@cyberport.example")
        .first()
    )
    panel = [manager["id"]] if manager else []
    logins = []
    for email, name in REVIEWERS:
        rows = await User.insert(
            User(email=email, name=name, password_hash=password_hash, role=Role.reviewer.value)
        ).returning(User.id)
        panel.append(rows[0]["id"])
        logins.append(("reviewer", email, "an external reviewer on the programmes' panels"))
    ids = [r["id"] for r in await Startup.select(Startup.id).where(Startup.status == "active")]
    members = {
        r["startup"] for r in await Startup.raw("SELECT DISTINCT startup FROM startup_membership")
    }
    calls = [
        # slug, title, Chinese title, opens, closes, per 2,000 start-ups, state
        (
            "cyberport-incubation",
            "Cyberport Incubation Programme: 2026 spring intake",
            "數碼港培育計劃：2026 年春季",
            today - timedelta(days=300),
            today - timedelta(days=240),
            100,
            "decided",
        ),
        (
            "smart-living-incubation",
            "Incubation Programme for Smart Living Start-ups: 2026",
            "智慧生活初創企業培育計劃：2026",
            today - timedelta(days=170),
            today - timedelta(days=120),
            90,
            "decided",
        ),
        (
            "digital-transformation",
            "Digital Transformation Support Pilot Programme: open call",
            "數碼轉型支援先導計劃：公開申請",
            today - timedelta(days=20),
            today + timedelta(days=25),
            250,
            "open",
        ),
    ]
    call_rows, applications, reviewers, reviews = [], [], [], []
    for n, (slug, en, zh, opens, closes, per, state) in enumerate(calls, start=1):
        call_rows.append(
            (
                n,
                programmes[slug],
                centre_ids["entrepreneurship"],
                en,
                zh,
                "Space, mentoring and funding for start-ups that are ready to grow in Hong Kong.",
                "為準備在香港發展的初創企業提供空間、指導及資助。",
                _at(opens, 9),
                _at(closes, 18),
                _at(closes + timedelta(days=21)),
                _at(closes + timedelta(days=35)),
                "{}",
                json.dumps(QUESTIONS),
                json.dumps(RUBRIC),
                slug == "smart-living-incubation",
            )
        )
        reviewers += [(n, user) for user in panel]
        admitted = {
            r["startup"]
            for r in await StartupProgramme.select(StartupProgramme.startup).where(
                (StartupProgramme.programme == programmes[slug])
                & StartupProgramme.status.is_in(list(ADMITTED))
            )
        }
        count = max(3, per * startups // 2000)
        outside = [s for s in ids if s not in admitted]
        chosen = (
            rng.sample(sorted(admitted), min(len(admitted), count // 3))
            if state == "decided"
            else []
        )
        chosen += rng.sample(outside, min(len(outside), count - len(chosen)))
        if state == "open":  # the demo founders' start-ups have applications under way too
            chosen = sorted(set(chosen) | (members & set(outside)))
        for startup in chosen:
            app_id = len(applications) + 1
            started = _at(
                opens
                + timedelta(days=rng.randint(0, max(1, (min(closes, today) - opens).days - 1))),
                rng.randint(9, 22),
            )
            answers = {
                "pitch": rng.choice(PITCHES),
                "stage": rng.choice(["Idea", "Prototype", "Revenue"]),
                "raised": rng.choice([0, 50_000_000, 250_000_000, 1_200_000_000]),
                "staff": rng.randint(1, 40),
            }
            if state == "open" and rng.random() < 0.4:
                status, submitted, decided = "draft", None, None
                answers = {k: v for k, v in answers.items() if k != "staff" or rng.random() < 0.5}
            else:
                submitted = started + timedelta(hours=rng.randint(1, 240))
                if state == "decided":
                    status = (
                        "admitted"
                        if startup in admitted
                        else rng.choice(["declined"] * 4 + ["waitlisted"])
                    )
                    decided = _at(closes + timedelta(days=30))
                else:
                    status, decided = "submitted", None
                if rng.random() < 0.03:
                    status, decided = "withdrawn", None
            scored = []
            for reviewer in rng.sample(panel, len(panel)) if status != "draft" else []:
                under_way = state == "open" and rng.random() < 0.5
                scores = {
                    k: rng.randint(2, 5) if status == "admitted" else rng.randint(1, 4)
                    for k in WEIGHTS
                }
                weighted = sum(WEIGHTS[k] * v for k, v in scores.items()) / sum(WEIGHTS.values())
                if under_way:
                    reviews.append(
                        (
                            n,
                            app_id,
                            reviewer,
                            rng.choice(["pending", "open"]),
                            "{}",
                            None,
                            "",
                            None,
                            None,
                        )
                    )
                else:
                    scored.append(weighted)
                    declared = submitted + timedelta(days=2)
                    reviews.append(
                        (
                            n,
                            app_id,
                            reviewer,
                            "scored",
                            json.dumps(scores),
                            weighted,
                            rng.choice(
                                ["", "Strong team.", "Market is crowded.", "Needs traction."]
                            ),
                            declared,
                            declared + timedelta(days=3),
                        )
                    )
            applications.append(
                (
                    app_id,
                    n,
                    startup,
                    status,
                    json.dumps(answers),
                    started,
                    submitted or started,
                    submitted,
                    decided,
                    len(scored),
                    sum(scored) / len(scored) if scored else None,
                    max(scored) - min(scored) if scored else None,
                    status == "admitted"
                    or (state == "open" and bool(scored) and sum(scored) / len(scored) > 3.6),
                    _decision(status, en) if decided else "",
                    _decision(status, zh, chinese=True) if decided else "",
                )
            )
    await bulk_insert(
        Call,
        (
            "id",
            "programme",
            "centre",
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "opens_at",
            "closes_at",
            "reviews_due_at",
            "decisions_due_at",
            "eligibility",
            "questions",
            "rubric",
            "blind",
        ),
        call_rows,
    )
    await bulk_insert(
        Application,
        (
            "id",
            "call",
            "startup",
            "status",
            "answers",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "reviews_done",
            "score_mean",
            "score_spread",
            "shortlisted",
            "decision_en",
            "decision_zh",
        ),
        applications,
    )
    await bulk_insert(CallReviewer, ("call", "user"), reviewers)
    await bulk_insert(
        Review,
        (
            "call",
            "application",
            "reviewer",
            "status",
            "scores",
            "weighted",
            "comment",
            "declared_at",
            "scored_at",
        ),
        reviews,
    )
    say(
        f"programmes: {len(call_rows)} calls, {len(applications)} applications, "
        f"{len(reviews)} reviews"
    )
    return logins


def _decision(status: str, call: str, chinese: bool = False) -> str:
    if chinese:
        return {
            "admitted": f"恭喜！你已獲「{call}」取錄。",
            "waitlisted": f"你已列入「{call}」的候補名單。",
            "declined": f"很遺憾，你今次未獲「{call}」取錄。",
        }.get(status, "")
    return {
        "admitted": f"Congratulations: you are admitted to {call}.",
        "waitlisted": f"You are on the waiting list for {call}.",
        "declined": f"We are sorry: you have not been offered a place in {call}.",
    }.get(status, "")
