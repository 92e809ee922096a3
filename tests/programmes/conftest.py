"""Fixtures of programme intake: a call of the Entrepreneurship Centre for the Cyberport
Incubation Programme, open now, asking a few questions of each kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from incubator.i18n import HONG_KONG
from tests.conftest import api, login


def hk(moment: datetime) -> str:
    """An instant as a call's form or body writes it: Hong Kong time, to the minute."""
    return moment.astimezone(HONG_KONG).strftime("%Y-%m-%d %H:%M")


QUESTIONS = [
    {
        "kind": "long_text",
        "label_en": "What do you make?",
        "label_zh": "你們做甚麼？",
        "required": True,
        "key": "pitch",
    },
    {
        "kind": "choice",
        "label_en": "Stage",
        "label_zh": "階段",
        "required": True,
        "key": "stage",
        "choices": ["Idea", "Revenue"],
        "choices_zh": ["構思", "有收入"],
    },
    {"kind": "amount", "label_en": "Funds raised", "key": "raised"},
    {"kind": "number", "label_en": "Team size", "key": "team"},
    {"kind": "date", "label_en": "Incorporated on", "key": "incorporated"},
    {"kind": "file", "label_en": "Pitch deck", "label_zh": "簡報", "required": True, "key": "deck"},
]
RUBRIC = {
    "scale": 5,
    "criteria": [
        {"label_en": "Team", "label_zh": "團隊", "weight": 2},
        {"label_en": "Market", "label_zh": "市場", "weight": 1},
    ],
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def call_body(**extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "programme": "cyberport-incubation",
        "centre": "entrepreneurship",
        "title_en": "Cyberport Incubation Programme: 2027 spring intake",
        "title_zh": "數碼港培育計劃：2027 春季",
        "description_en": "Up to 24 months of space, mentoring and funding.",
        "opens_at": hk(now - timedelta(days=1)),
        "closes_at": hk(now + timedelta(days=30)),
        "questions": QUESTIONS,
        "rubric": RUBRIC,
    } | extra


async def open_call(client, park, **extra: Any) -> dict[str, Any]:
    """A call opened through the API by the Entrepreneurship Centre's manager."""
    await login(client, park.users["manager"])
    made = await api(client, "POST", "/api/programmes/calls", json=call_body(**extra))
    assert made.status_code == 201, made.text
    return made.json()


async def complete_draft(client, call_id: int) -> int:
    """As the logged-in member: an application with every required answer given."""
    started = await api(client, "POST", f"/api/programmes/calls/{call_id}/applications", json={})
    assert started.status_code == 201, started.text
    application = started.json()["id"]
    saved = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={"answers": {"pitch": "Payments for SMEs.", "stage": "Revenue"}},
    )
    assert saved.status_code == 200, saved.text
    uploaded = await api(
        client,
        "POST",
        f"/api/programmes/applications/{application}/files/deck",
        files={"file": ("deck.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    return application


@pytest.fixture
async def call(client, park) -> dict[str, Any]:
    return await open_call(client, park)


async def submitted(client, park, call_id: int, who: str = "member") -> int:
    """An application of `who`'s start-up, complete and submitted."""
    await login(client, park.users[who])
    application = await complete_draft(client, call_id)
    done = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert done.status_code == 200, done.text
    return application


REVIEWER = "reviewer@panel.example"


async def external_reviewer() -> int:
    from incubator.auth.tables import User
    from tests.conftest import password_hash

    rows = await User.insert(
        User(email=REVIEWER, name="Rita Reviewer", password_hash=password_hash(), role="reviewer")
    ).returning(User.id)
    return rows[0]["id"]


async def panel_of(client, park, call_id: int, *emails: str) -> None:
    """As the call's manager: seat these reviewers and assign every submitted application."""
    await login(client, park.users["manager"])
    for email in emails:
        added = await api(
            client, "POST", f"/api/programmes/calls/{call_id}/panel", json={"email": email}
        )
        assert added.status_code == 201, added.text
    assigned = await api(
        client,
        "POST",
        f"/api/programmes/calls/{call_id}/assignments",
        json={"per_application": len(emails)},
    )
    assert assigned.status_code == 201, assigned.text
