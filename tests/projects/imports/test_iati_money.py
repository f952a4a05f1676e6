"""Money comes with the activity: an IATI import is one operation whose report, once funding has
answered through its event, says per activity what became of its money; funding holds every
transaction, budget and planned disbursement with the file's own sums, EUR values where a rate
exists and flags where none does; a re-import replaces, never duplicates."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from shared.codelists import DATA_DIR
from tests.support.waiting import eventually

SAMPLES = sorted((DATA_DIR / "iati" / "samples").glob("*.xml"))
OWNER = "hospitalet"  # no other test writes this institution's projects
URL = "/api/projects/imports/iati"
XML = {"Content-Type": "application/xml"}
Sums = dict[tuple[str, str, str], Decimal]


def file_sums(path: Path) -> Sums:
    """The file's own sums per kind, type and currency, read straight from the XML."""
    sums: Sums = defaultdict(Decimal)
    for activity in etree.parse(str(path)).getroot().iter("iati-activity"):
        default = activity.get("default-currency", "")
        for tag, kind in (("transaction", "transaction"), ("budget", "budget"), ("planned-disbursement", "planned")):
            for node in activity.findall(tag):
                value = node.find("value")
                assert value is not None and value.text
                code = node.find("transaction-type").get("code") if tag == "transaction" else node.get("type", "1")
                sums[(kind, str(code), value.get("currency") or default)] += Decimal(value.text.strip())
    return dict(sums)


KINDS = {"transaction": "transaction", "budget": "budget", "planned-disbursement": "planned"}


async def applied_report(gateway: httpx.AsyncClient, report: dict[str, Any]) -> dict[str, Any]:
    """The import's report once funding has answered for every activity's money."""

    async def answered() -> dict[str, Any] | None:
        response = await gateway.get(f"{URL}/{report['import_id']}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if all(i["money"]["status"] != "pending" for i in body["items"] if i["money"]) else None

    return await eventually(answered, what="funding's answer for every activity", timeout=90)


async def funding_sums(gateway: httpx.AsyncClient, project_ids: list[str]) -> tuple[Sums, int, list[dict[str, Any]]]:
    sums: Sums = defaultdict(Decimal)
    count = 0
    entries: list[dict[str, Any]] = []
    for project_id in project_ids:
        response = await gateway.get(f"/api/funding/projects/{project_id}/iati-money")
        assert response.status_code == 200, response.text
        body = response.json()
        for total in body["totals"]:
            sums[(KINDS[total["kind"]], total["code"], total["currency"])] += Decimal(total["value"])
        count += len(body["entries"])
        entries += body["entries"]
    return dict(sums), count, entries


async def test_sample_money_lands_in_funding_with_the_files_sums_and_reimports_replace(
    gateway: httpx.AsyncClient,
) -> None:
    # One GBP rate: the GDI Hub drawdown of 2021-04-01 is valued with it, later ones are flagged.
    rate = await gateway.put(
        "/api/funding/rates/GBP/2021-04-01", json={"units_per_eur": "0.8521", "source": "ECB", "confirm_outlier": True}
    )
    assert rate.status_code in (200, 201), rate.text
    for path in SAMPLES:
        posted = await gateway.post(URL, params={"owner": OWNER}, content=path.read_bytes(), headers=XML)
        assert posted.status_code == 200, posted.text
        first = posted.json()
        assert first["skipped"] == 0 and all(i["money"]["status"] == "pending" for i in first["items"])
        report = await applied_report(gateway, first)
        assert {i["money"]["status"] for i in report["items"]} == {"applied"}
        ids = [i["project_id"] for i in report["items"]]
        sums, count, entries = await funding_sums(gateway, ids)
        expected = file_sums(path)
        assert sums == expected, path.name
        sent = sum(
            i["money"]["transactions"] + i["money"]["budgets"] + i["money"]["planned_disbursements"]
            for i in report["items"]
        )
        assert (
            count
            == sent
            == sum(1 for _ in etree.parse(str(path)).getroot().iter("transaction", "budget", "planned-disbursement"))
        )
        # EUR where a rate exists (identity for EUR), flagged where none does: never dropped.
        for entry in entries:
            if entry["currency"] == "EUR":
                assert entry["rate_source"] == "identity" and Decimal(entry["amount_eur"]) == Decimal(
                    entry["value"]
                ).quantize(Decimal("0.01"))
            elif entry["value_date"] == "2021-04-01":
                assert entry["rate_source"] == "ECB" and entry["rate_date"] == "2021-04-01"
                assert Decimal(entry["amount_eur"]) == (Decimal(entry["value"]) / Decimal("0.8521")).quantize(
                    Decimal("0.01")
                )
            else:
                assert entry["amount_eur"] is None and entry["flag"] == "no-rate", entry
        flagged = sum(len(i["money"]["flagged"]) for i in report["items"])
        assert flagged == sum(1 for e in entries if e["flag"])
        # Converted: valued in EUR; some of those the ledger cannot hold (flagged too, with their EUR value).
        valued = sum(1 for e in entries if e["amount_eur"] is not None)
        assert sum(i["money"]["converted"] for i in report["items"]) == valued
        assert valued == count - sum(
            1 for e in entries if e["flag"] in ("no-rate", "no-currency", "no-value", "no-date")
        )
        if path.name == "gdihub-activity.xml":
            assert flagged and any(e["rate_source"] == "ECB" for e in entries)
            provider = next(e for e in entries if e["kind"] == "transaction")["detail"]["provider"]
            assert provider["ref"] == "GB-GOV-1" and provider["activity_id"] == "GB-GOV-1-300815"

    # The same file again: the same money, replaced and not added.
    path = next(p for p in SAMPLES if p.name == "MAEC_IATI_INDONESIA.xml")
    again = (await gateway.post(URL, params={"owner": OWNER}, content=path.read_bytes(), headers=XML)).json()
    assert again["updated"] == again["activities"] and again["imported"] == 0
    report = await applied_report(gateway, again)
    sums, count, _ = await funding_sums(gateway, [i["project_id"] for i in report["items"]])
    assert sums == file_sums(path)
    assert sum(i["money"]["replaced"] for i in report["items"]) == count


ACTIVITY = """<iati-activities version="2.03"><iati-activity>
<iati-identifier>XM-MONEY-FLAGS-1</iati-identifier><title><narrative>Diners sense tipus</narrative></title>
{money}</iati-activity></iati-activities>"""
FLAGGED = """
<transaction><transaction-type code="11"/><transaction-date iso-date="2024-02-01"/>
  <value value-date="2024-02-01">100</value></transaction>
<transaction><transaction-type code="13"/><transaction-date iso-date="2024-02-01"/>
  <value currency="EUR" value-date="2024-02-01">molt</value></transaction>
<transaction><transaction-type code="4"/><value currency="EUR">7.5</value></transaction>
<budget type="2" status="2"><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
  <value currency="XOF" value-date="2024-01-01">1000000</value></budget>
"""


async def test_unusable_money_is_flagged_never_dropped_and_a_reimport_without_money_clears_it(
    gateway: httpx.AsyncClient,
) -> None:
    content = ACTIVITY.format(money=FLAGGED).encode()
    first = (await gateway.post(URL, params={"owner": OWNER}, content=content, headers=XML)).json()
    report = await applied_report(gateway, first)
    (item,) = report["items"]
    assert item["money"]["transactions"] == 3 and item["money"]["budgets"] == 1
    flags = {(f["kind"], f["ordinal"]): f["flag"] for f in item["money"]["flagged"]}
    assert flags == {
        ("transaction", 0): "no-currency",
        ("transaction", 1): "no-value",
        ("transaction", 2): "no-date",
        ("budget", 0): "no-rate",
    }
    held = (await gateway.get(f"/api/funding/projects/{item['project_id']}/iati-money")).json()
    assert [(e["kind"], e["code"], e["flag"]) for e in held["entries"]] == [
        ("budget", "2", "no-rate"),
        ("transaction", "11", "no-currency"),
        ("transaction", "13", "no-value"),
        ("transaction", "4", "no-date"),
    ]
    assert held["entries"][0]["value"] == "1000000" and held["entries"][0]["currency"] == "XOF"

    cleared = (
        await gateway.post(URL, params={"owner": OWNER}, content=ACTIVITY.format(money="").encode(), headers=XML)
    ).json()
    report = await applied_report(gateway, cleared)
    assert report["items"][0]["money"]["replaced"] == 4
    held = (await gateway.get(f"/api/funding/projects/{item['project_id']}/iati-money")).json()
    assert held["entries"] == [] and held["import_id"] == cleared["import_id"]


async def test_another_institution_cannot_read_an_import(gateway: httpx.AsyncClient, tokens: Any) -> None:
    content = ACTIVITY.format(money="").replace("FLAGS-1", "FLAGS-2").encode()
    report = (await gateway.post(URL, params={"owner": OWNER}, content=content, headers=XML)).json()
    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=tokens.headers("amb")) as amb:
        response = await amb.get(f"{URL}/{report['import_id']}")
    assert response.status_code == 404 and response.json()["type"].endswith("/import-not-found")
