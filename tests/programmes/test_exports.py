"""A call's applications as CSV and XLSX for those who run it: every application with its
scores and answers, formulas neutralised, none the viewer declared a conflict with."""

from __future__ import annotations

import csv
import io

import openpyxl

from incubator.programmes.tables import Application
from tests.conftest import api, login
from tests.programmes.conftest import open_call, submitted


async def test_the_call_s_applications_download_as_csv_and_xlsx(client, park):
    call = await open_call(client, park)
    harbour = await submitted(client, park, call["id"], "member")
    await login(client, park.users["other_member"])
    draft = (
        await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    ).json()["id"]
    await api(
        client,
        "PUT",
        f"/api/programmes/applications/{draft}/answers",
        json={"answers": {"pitch": '=HYPERLINK("http://evil.example")', "raised": "1,250,000"}},
    )
    await login(client, park.users["manager"])
    page = await client.get(f"/programmes/calls/{call['id']}/applications.csv")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(page.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Application", "Start-up", "Status", "Submitted (Hong Kong time)"]
    assert rows[0][8:] == [
        "What do you make?",
        "Stage",
        "Funds raised",
        "Team size",
        "Incorporated on",
        "Pitch deck",
    ]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[harbour][1:3] == ["Harbour Pay", "Submitted"] and by_id[harbour][13] == "uploaded"
    assert by_id[draft][2] == "Draft" and by_id[draft][10] == "HK$1,250,000"
    assert by_id[draft][8].startswith("'=")  # neutralised: a spreadsheet shows it as text
    sheet = await api(client, "GET", f"/api/programmes/calls/{call['id']}/export?format=xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.content), read_only=True)
    values = list(book.active.iter_rows(values_only=True))
    assert len(values) == 3 and values[0][1] == "Start-up"
    bad = await api(client, "GET", f"/api/programmes/calls/{call['id']}/export?format=pdf")
    assert bad.status_code == 400 and bad.json()["errors"] == {"format": "must be csv or xlsx"}
    for who in ("other_manager", "member", "partner"):
        await login(client, park.users[who])
        refused = await client.get(f"/programmes/calls/{call['id']}/applications.csv")
        assert refused.status_code == 403, who
    assert await Application.count() == 2
