"""CSV imports of projects and transactions: templates, a result per row, errors by row and column,
and the good rows stored while the bad ones change nothing."""

from __future__ import annotations

import csv
import io
import uuid

import httpx

from tests.support.waiting import eventually


def table(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_projects_then_transactions_from_csv(gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient) -> None:
    template = (await anonymous.get("/api/projects/imports/csv/template")).text
    header, example = list(csv.reader(io.StringIO(template)))
    tag = uuid.uuid4().hex[:6].upper()
    good = dict(zip(header, example, strict=True)) | {"code": f"CSV-{tag}-1", "visibility": "published"}
    bad_goal = good | {"code": f"CSV-{tag}-2", "sdg_goals": "19:100"}
    no_title = {k: "" for k in header} | {"code": f"CSV-{tag}-3"}
    report = await gateway.post(
        "/api/projects/imports/csv",
        params={"owner": "ajuntament-barcelona"},
        content=table([good, bad_goal, no_title]),
        headers={"Content-Type": "text/csv"},
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["rows"], body["imported"], body["refused"]) == (3, 1, 2)
    assert [i["row"] for i in body["items"]] == [2, 3, 4]
    assert body["items"][1]["errors"][0]["field"].startswith("sdg_goals")
    assert body["items"][2]["errors"][0]["field"] == "title"
    listed = (await gateway.get("/api/projects/projects", params={"q": f"CSV-{tag}", "limit": 10})).json()
    assert listed["total"] <= 1  # only the good row became a project
    project_id = body["items"][0]["project_id"]

    broken = await gateway.post(
        "/api/projects/imports/csv", params={"owner": "ajuntament-barcelona"}, content=b"nom;titol\nx;y\n"
    )
    assert broken.status_code == 422 and broken.json()["type"].endswith("/invalid-csv-file")

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project_id}")).status_code == 200

    await eventually(known, what="the imported project in funding")
    template = (await anonymous.get("/api/funding/imports/transactions/template")).text
    header, example = list(csv.reader(io.StringIO(template)))
    row = dict(zip(header, example, strict=True)) | {"project_code": f"CSV-{tag}-1"}
    rows = [
        row,
        row | {"amount": "-5"},
        row | {"project_code": "NO-SUCH-PROJECT"},
        row | {"currency": "XYZ"},
    ]
    booked = await gateway.post(
        "/api/funding/imports/transactions",
        params={"owner": "ajuntament-barcelona"},
        content=table(rows),
        headers={"Content-Type": "text/csv"},
    )
    assert booked.status_code == 200, booked.text
    result = booked.json()
    assert (result["booked"], result["refused"]) == (1, 3)
    assert [i["errors"][0]["field"] for i in result["items"][1:]] == ["amount", "project_code", "currency"]
    ledger = (await gateway.get(f"/api/funding/projects/{project_id}/transactions")).json()["items"]
    assert [t["amount"] for t in ledger] == ["25000.00"]
