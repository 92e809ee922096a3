"""Typed commands read from forms: values become their fields' types, every unreadable value
is named beside its field at once, blank takes the default or is required."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from incubator.commands import read_form
from incubator.errors import ValidationFailed
from incubator.startups.tables import Stage


class Booking(msgspec.Struct):
    room: int
    day: date
    note: str = ""
    seats_cents: int | None = None


def test_a_form_s_text_becomes_the_command_s_types():
    read = read_form(Booking, {"room": " 12 ", "day": "2027-01-05", "note": "AGM"})
    assert read.errors == {}
    assert read.command == Booking(room=12, day=date(2027, 1, 5), note="AGM")


def test_every_unreadable_value_is_named_at_once_and_the_readable_ones_are_kept():
    read = read_form(Booking, {"room": "twelve", "day": "2027-02-30", "note": "x"})
    assert read.command is None
    assert read.errors == {
        "room": "must be a whole number",
        "day": "must be a date written YYYY-MM-DD",
    }
    assert read.values == {"note": "x"}


def test_blank_takes_the_default_or_is_required():
    read = read_form(Booking, {"room": "", "day": "2027-01-05", "note": "  "})
    assert read.errors == {"room": "is required"}
    ok = read_form(Booking, {"room": "3", "day": "2027-01-05"})
    assert ok.command is not None and ok.command.note == "" and ok.command.seats_cents is None


def test_errors_are_named_by_the_form_field_they_were_typed_in():
    read = read_form(
        Booking,
        {"room": "3", "day": "2027-01-05", "seats_cents": "many"},
        errors={"seats": "must be an amount in HKD"},
        shown_as={"seats_cents": "seats"},
    )
    assert read.errors == {"seats": "must be an amount in HKD"}
    refused = read.refused({"room": "is closed that day", "seats": "another rule"})
    assert refused.errors == {"room": "is closed that day", "seats": "must be an amount in HKD"}


class Change(msgspec.Struct, omit_defaults=True):
    code: str | msgspec.UnsetType = msgspec.UNSET
    floor: int | msgspec.UnsetType = msgspec.UNSET


def test_blank_text_empties_a_field_and_an_edit_form_may_require_a_number():
    emptied = read_form(Change, {"code": "  ", "floor": ""})
    assert emptied.command == Change(code="")  # the floor stays as it was
    edit = read_form(Change, {"code": "3F-12", "floor": ""}, required=("floor",))
    assert edit.errors == {"floor": "is required"}


async def test_checked_gives_the_command_or_every_problem_from_a_plain_or_async_check():
    good = read_form(Booking, {"room": "3", "day": "2027-01-05"})
    assert await good.checked(lambda values: {"never": "asked"}) == good.command
    bad = read_form(Booking, {"room": "x", "day": "2027-01-05", "note": "n"})

    async def closed(values):
        return {"day": f"room is closed on {values['day']}"}

    with pytest.raises(ValidationFailed) as refused:
        await bad.checked(closed)
    assert refused.value.errors == {
        "room": "must be a whole number",
        "day": "room is closed on 2027-01-05",
    }
    with pytest.raises(ValidationFailed) as plain:
        await bad.checked(lambda values: {"note": "too short"})
    assert plain.value.errors == {"room": "must be a whole number", "note": "too short"}


class Member(msgspec.Struct):
    name: str
    founder: bool = False
    joined: int | msgspec.UnsetType | None = msgspec.UNSET


def test_a_checkbox_without_a_value_of_its_own_reads_as_yes():
    read = read_form(Member, {"name": "Ada", "founder": "on"})
    assert read.command == Member(name="Ada", founder=True)


def test_a_blank_value_a_field_may_leave_empty_empties_it():
    read = read_form(Member, {"name": "Ada", "joined": " "})
    assert read.command is not None and read.command.joined is None
    assert read_form(Member, {"name": "Ada"}).command.joined is msgspec.UNSET


class Stepped(msgspec.Struct):
    stage: Stage


def test_a_choice_names_the_values_it_takes():
    read = read_form(Stepped, {"stage": "rocket"})
    assert read.errors == {"stage": "must be one of " + ", ".join(s.value for s in Stage)}
