"""A profile change is read from text one way, for the edit form and the import alike, into
the typed command the API receives; the same bad value gets the same message everywhere."""

from __future__ import annotations

from datetime import date

from msgspec import UNSET

from incubator.startups.schemas import ProfileUpdate, ProgrammeIn
from incubator.startups.services.importer import import_startups
from incubator.startups.services.validation import read_profile
from tests.conftest import api, login, post_form


def test_lists_and_programmes_written_as_text_become_the_typed_command():
    read = read_profile(
        {
            "tags": "payments; fps, ",
            "clusters": "fintech",
            "founded_year": "2021",
            "programmes": "cyberport-incubation:graduated:2022-01-01:2024-01-01;"
            "ccmf:applied:2021-06-01",
        }
    )
    assert read.errors == {}
    assert read.command == ProfileUpdate(
        tags=["payments", "fps"],
        clusters=["fintech"],
        founded_year=2021,
        programmes=[
            ProgrammeIn("cyberport-incubation", date(2022, 1, 1), "graduated", date(2024, 1, 1)),
            ProgrammeIn("ccmf", date(2021, 6, 1), "applied", None),
        ],
    )
    # What the text does not name is left as it is.
    assert read.command.name_en is UNSET and read.command.centres is UNSET


def test_a_blank_year_clears_it_and_a_blank_size_is_refused():
    read = read_profile({"founded_year": " ", "team_size": "", "stage": "seed"})
    assert read.values["founded_year"] is None
    assert read.errors == {"team_size": "is required"}


def test_a_programme_whose_date_cannot_be_read_is_named_by_its_entry():
    read = read_profile({"programmes": "ccmf:applied:soon"})
    assert read.errors == {
        "programmes": "entry 1 (ccmf): start date must be a date such as 2024-09-01"
    }


async def test_the_form_and_the_import_give_the_same_message_for_the_same_value(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    form = await post_form(
        client,
        f"/startups/{sid}/edit",
        {"name_en": "Harbour Pay", "stage": "seed", "team_size": "many", "clusters": "fintech"},
    )
    assert form.status_code == 422
    report = await import_startups(
        "slug,name_en,centres,team_size\nharbour-pay,Harbour Pay,technology,many\n", apply=False
    )
    (error,) = report.errors
    assert error.field == "team_size" and error.message == "must be a whole number"
    assert error.message in form.text


async def test_the_api_names_a_field_that_is_not_a_profile_field(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    response = await api(client, "PATCH", f"/api/startups/{sid}", json={"nam_en": "Typo"})
    assert response.status_code == 400
    assert "nam_en" in response.text


async def test_a_new_profile_s_error_summary_names_fields_as_the_form_labels_them(client, park):
    await login(client, park.users["admin"])
    for language, label in (("en", "Website"), ("zh-Hant", "網站")):
        client.cookies.set("lang", language)
        form = await post_form(
            client,
            "/startups/new",
            {"name_en": "Kowloon Labs", "website": "not a site", "centres": "technology"},
        )
        assert form.status_code == 422
        summary = form.text.split('class="error-summary"')[1].split("</div>")[0]
        assert f'<a href="#website">{label}</a>' in summary and ">website<" not in summary
