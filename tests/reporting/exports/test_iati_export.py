"""The IATI 2.03 export validates against the official schema and carries every field of a rich project."""

from __future__ import annotations

from pathlib import Path

import httpx
from lxml import etree

from shared.codelists import CodeItem
from tests.support.iati import ACTIVITIES_SCHEMA as SCHEMA
from tests.support.iati import iati_schema, parse
from tests.support.projects import project_payload, rich_project_payload
from tests.support.unique import unique_code
from tests.support.waiting import eventually


async def test_export_validates_and_holds_every_field_of_a_rich_project(gateway: httpx.AsyncClient) -> None:
    project = (await gateway.post("/api/projects/projects", json=rich_project_payload())).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}"
    await gateway.post(
        f"{base}/budget-lines",
        json={"period_start": "2024-01-01", "period_end": "2024-12-31", "amount": "80000.00", "currency": "EUR"},
    )
    await gateway.put("/api/funding/rates/MZN/2024-03-01", json={"units_per_eur": "69.5"})

    def txn(type_: str, amount: str, currency: str = "EUR", **extra: object) -> dict[str, object]:
        return {
            "transaction_type": type_,
            "amount": amount,
            "currency": currency,
            "value_date": "2024-03-04",
            "instrument": "conveni",
            **extra,
        }

    await gateway.post(f"{base}/transactions", json=txn("2", "80000.00", receiver_org="Conselho Municipal de Maputo"))
    wrong = (await gateway.post(f"{base}/transactions", json=txn("3", "999.00"))).json()
    await gateway.post(f"/api/funding/transactions/{wrong['id']}/reverse", json={"reason": "wrong amount"})
    await gateway.post(f"{base}/transactions", json=txn("3", "2085000.00", "MZN", description="First instalment"))
    await gateway.post(f"{base}/transactions", json=txn("4", "4800.00", in_kind=True))

    async def exported() -> etree._Element | None:
        response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": "ajuntament-barcelona"})
        tree = parse(response.content)
        found = tree.xpath(f"//iati-activity[iati-identifier='{project['iati_identifier']}']")
        return found[0] if found and len(found[0].findall("transaction")) == 4 else None

    activity = await eventually(exported, timeout=30, what="the activity with its transactions in the export")
    response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": "ajuntament-barcelona"})
    assert response.headers["content-type"].startswith("application/xml")
    schema = iati_schema()
    document = parse(response.content)
    assert schema.validate(document), schema.error_log

    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert activity.find("reporting-org").get("ref") == "ES-DIR3-L01080193"
    assert {n.get(lang): n.text for n in activity.find("title")} == rich_project_payload()["title"]
    assert activity.find("description[@type='2']/narrative").text == "Ampliar l'accés a l'aigua potable."
    assert {(o.get("ref"), o.get("role")) for o in activity.findall("participating-org")} == {
        ("ES-DIR3-L01080193", "1"),  # the owner institution by its IATI identifier, not its Xarxa code
        ("MZ-CMM", "4"),
    }
    assert activity.find("activity-status").get("code") == "2"
    assert {d.get("type") for d in activity.findall("activity-date")} == {"1", "2", "3"}
    assert activity.find("recipient-country").attrib == {"code": "MZ", "percentage": "100"}
    assert {(s.get("code"), s.get("percentage")) for s in activity.findall("sector")} == {
        ("14030", "70"),
        ("15112", "30"),
    }
    assert {(t.get("vocabulary"), t.get("code")) for t in activity.findall("tag")} == {
        ("2", "6"),
        ("3", "6.1"),
        ("3", "6.b"),
        ("2", "5"),
    }
    assert activity.find("policy-marker").attrib == {"vocabulary": "1", "code": "1", "significance": "1"}
    assert activity.find("budget/value").text == "80000.00"
    values = sorted(
        (t.find("transaction-type").get("code"), t.find("value").text, t.find("value").get("currency"))
        for t in activity.findall("transaction")
    )
    assert values == [
        ("2", "80000.00", "EUR"),
        ("3", "-999.00", "EUR"),
        ("3", "2085000.00", "MZN"),
        ("3", "999.00", "EUR"),
    ], "in-kind is left out; the reversal is a negative entry"
    assert activity.find("document-link").get("url").startswith("https://ajuntament.barcelona.cat")
    indicator = activity.find("result/indicator")
    assert indicator.find("reference").attrib == {"vocabulary": "9", "code": "6.1.1"}
    assert indicator.find("baseline").get("value") == "1200"
    targets = indicator.findall("period/target")
    assert [t.get("value") for t in targets] == ["2000", "1000"]
    assert targets[1].find("dimension").attrib == {"name": "sex", "value": "female"}


async def test_other_institutions_export_and_unknown_ones_are_refused(gateway: httpx.AsyncClient) -> None:
    plain = (await gateway.post("/api/projects/projects", json=project_payload(owner="amb"))).json()

    async def exported() -> bytes | None:
        response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": "amb"})
        return response.content if plain["iati_identifier"].encode() in response.content else None

    content = await eventually(exported, what="the AMB project in the export")
    schema = iati_schema()
    assert schema.validate(parse(content)), schema.error_log
    # A selection that holds nothing (words no project has) is the same clear 404, not an empty file.
    nothing = {"reporting_org": "amb", "q": unique_code("NONE")}
    empty = await gateway.get("/api/reporting/exports/iati", params=nothing)
    assert empty.status_code == 404 and empty.json()["type"].endswith("/no-published-activities")
    refused = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": "nowhere"})
    assert refused.status_code == 422


def test_the_vendored_schema_is_the_official_one() -> None:
    assert Path(SCHEMA).read_text().count("iati-activities") > 0
    assert iati_schema() is not None


def test_text_xml_cannot_carry_is_dropped_not_fatal() -> None:
    from services.reporting.exports import iati
    from shared.codelists import codelists

    state = {
        "id": "00000000-0000-0000-0000-000000000001",
        "iati_identifier": "XARXA-AMB-X\x0b1",
        "title": {"ca": "Títol\x0b amb control"},
        "description": {"ca": "Descripció"},
        "objectives": {},
        "status": "2",
        "participating_orgs": [],
        "dates": {"planned_start": "2025-02-01"},
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-02T00:00:00Z",
        "results": [],
        "documents": [],
    }
    institution = codelists()["institutions"].get("amb")
    assert institution is not None
    xml = b"".join(iati.document([iati.activity(state, [], institution)]))
    assert b"\x0b" not in xml
    schema = iati_schema()
    assert schema.validate(parse(xml)), schema.error_log


def bare_state(**overrides: object) -> dict[str, object]:
    state: dict[str, object] = {
        "id": "00000000-0000-0000-0000-000000000002",
        "iati_identifier": "XX-AMB-BARE",
        "title": {"ca": "Només un títol"},
        "description": {"ca": "Una descripció"},
        "objectives": {},
        "status": "2",
        "participating_orgs": [{"ref": "amb", "name": "AMB", "role": "1", "type": "10"}],
        "dates": {"planned_start": "2025-02-01"},
        "created_at": "2024-06-30T10:00:00Z",
        "updated_at": "2025-01-02T00:00:00Z",
        "results": [],
        "documents": [],
    }
    state.update(overrides)
    return state


def budget(amount: str, start: str, end: str, currency: str = "EUR", **extra: str) -> dict[str, object]:
    data = {
        "budget_type": "1",
        "budget_status": "2",
        "period_start": start,
        "period_end": end,
        "amount": amount,
        "currency": currency,
        "amount_eur": amount,
        **extra,
    }
    return {"kind": "budget", "data": data}


def test_nothing_is_made_up_and_budgets_of_a_period_are_one() -> None:
    from services.reporting.exports import iati
    from shared.codelists import codelists

    institution = codelists()["institutions"].get("amb")
    assert institution is not None
    entries = [
        budget("100.00", "2025-01-01", "2025-12-31"),
        budget("50.50", "2025-01-01", "2025-12-31", budget_status="1"),
        budget("10.00", "2026-01-01", "2026-12-31"),
        budget("1000.00", "2025-01-01", "2025-12-31", "MZN", amount_eur="14.00", budget_type="2"),
        budget("5.00", "2025-01-01", "2025-12-31", "USD", amount_eur="4.60", budget_type="2"),
    ]
    element = iati.activity(bare_state(), entries, institution)
    assert [n.text for n in element.find("description")] == ["Una descripció"]
    assert [(d.get("type"), d.get("iso-date")) for d in element.findall("activity-date")] == [("1", "2025-02-01")]
    assert element.find("participating-org").get("ref") == institution.extra["iati_ref"]
    budgets = [
        (
            b.get("type"),
            b.get("status"),
            b.find("period-start").get("iso-date"),
            b.find("value").text,
            b.find("value").get("currency"),
        )
        for b in element.findall("budget")
    ]
    assert budgets == [
        ("1", "1", "2025-01-01", "150.50", "EUR"),  # one indicative line makes the merged budget indicative
        ("2", "2", "2025-01-01", "18.60", "EUR"),  # two currencies: added in EUR
        ("1", "2", "2026-01-01", "10.00", "EUR"),
    ]
    xml = b"".join(iati.document([element]))
    schema = iati_schema()
    assert schema.validate(parse(xml)), schema.error_log


def test_an_activity_without_date_or_description_is_not_exported_with_invented_ones() -> None:
    from services.reporting.exports import iati

    assert iati.missing(bare_state(dates={})) == ["activity-date"]
    assert iati.missing(bare_state(description={})) == ["description"]
    assert iati.missing(bare_state()) == []
    comment = iati.left_out(bare_state(dates={}, description={}, iati_identifier="XX--<b>"))
    assert comment.startswith(b"<!-- not exported: XX- -&lt;b&gt; lacks description, activity-date")
    document = parse(iati.header() + comment + iati.serialise(iati.activity(bare_state(), [], _amb())) + iati.FOOTER)
    assert len(document.findall("iati-activity")) == 1
    assert b"2024-06-30" not in etree.tostring(document), "the registration date is no activity date"


def _amb() -> CodeItem:
    from shared.codelists import codelists

    found = codelists()["institutions"].get("amb")
    assert found is not None
    return found


def test_an_indicators_aggregation_status_is_exported_only_when_the_project_states_it() -> None:
    from services.reporting.exports import iati

    def indicator(**extra: object) -> dict[str, object]:
        period = {"start": "2025-01-01", "end": "2025-12-31", "target": "10"}
        return {"title": {"ca": "Persones formades"}, "measure": "1", "periods": [period], **extra}

    results = [
        {
            "type": "1",
            "title": {"ca": "Formació"},
            "indicators": [
                indicator(aggregation_status=True, cumulative=False),
                indicator(aggregation_status=False),
                indicator(),
            ],
        }
    ]
    element = iati.activity(bare_state(sectors=[], results=results), [], _amb())
    assert [i.get("aggregation-status") for i in element.iter("indicator")] == ["1", "0", None]
    schema = iati_schema()
    assert schema.validate(parse(b"".join(iati.document([element])))), schema.error_log
