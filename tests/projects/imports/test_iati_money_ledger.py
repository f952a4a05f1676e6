"""Imported money reaches the ledger, and from it every report and the IATI export: each sample
file imported through the real stack gives back, element by element, every transaction, budget and
planned disbursement the ledger holds (the rest flagged and said, never dropped); its ledger sums
are the file's own per type and currency; a re-import of the same file changes nothing, and of a
changed file replaces only what an import booked."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import httpx
from lxml import etree

from services.reporting.exports import iati as export
from shared.codelists import DATA_DIR, codelists
from tests.support import iati_money
from tests.support.iati import iati_schema, parse
from tests.support.waiting import eventually

SAMPLES = sorted((DATA_DIR / "iati" / "samples").glob("*.xml"))
OWNER = "badalona"  # no other stack test writes this institution's projects
URL = "/api/projects/imports/iati"
XML = {"Content-Type": "application/xml"}
LEDGER = {
    "transaction": "transactions",
    "budget": "budget-lines",
    "planned-disbursement": "planned-disbursements",
}
STATE = {  # what the export needs besides the money, for exporting a project's ledger entries alone
    "id": "00000000-0000-0000-0000-000000000019",
    "iati_identifier": "XX-MONEY",
    "title": {"en": "Money only"},
    "description": {"en": "The ledger's entries of an imported activity"},
    "status": "2",
    "participating_orgs": [],
    "dates": {"planned_start": "2025-02-01"},
    "updated_at": "2026-12-01T10:00:00+00:00",
    "results": [],
    "documents": [],
}


async def imported(gateway: httpx.AsyncClient, content: bytes) -> dict[str, Any]:
    """The import's report once funding has answered for every activity's money."""
    posted = await gateway.post(URL, params={"owner": OWNER, "visibility": "published"}, content=content, headers=XML)
    assert posted.status_code == 200, posted.text

    async def answered() -> dict[str, Any] | None:
        body: dict[str, Any] = (await gateway.get(f"{URL}/{posted.json()['import_id']}")).json()
        return body if all(i["money"]["status"] != "pending" for i in body["items"] if i["money"]) else None

    return await eventually(answered, what="funding's answer for every activity", timeout=120)


async def ledger(gateway: httpx.AsyncClient, project_id: str) -> list[dict[str, Any]]:
    """The project's ledger entries as reporting holds them: kind and the entry's data."""
    entries = []
    for kind, path in LEDGER.items():
        response = await gateway.get(f"/api/funding/projects/{project_id}/{path}")
        assert response.status_code == 200, response.text
        entries += [{"kind": kind, "data": item} for item in response.json()["items"]]
    return entries


def exported_money(entries: list[dict[str, Any]], built: list[etree._Element]) -> dict[str, Counter[iati_money.Shape]]:
    """The money of the entries exported by reporting's builder (planned disbursements too)."""
    state = dict(STATE, iati_identifier=f"XX-MONEY-{len(built)}")
    element = export.activity(state, entries, codelists()["institutions"].get(OWNER))  # type: ignore[arg-type]
    built.append(element)
    return iati_money.money(element)


def flags(item: dict[str, Any]) -> set[tuple[str, int]]:
    return {(f["kind"], f["ordinal"]) for f in item["money"]["flagged"]}


async def test_every_sample_round_trips_its_money_through_the_ledger_and_the_export(
    gateway: httpx.AsyncClient,
) -> None:
    published: dict[str, tuple[etree._Element, set[tuple[str, int]]]] = {}
    built: list[etree._Element] = []
    for path in SAMPLES:
        activities = {a.findtext("iati-identifier"): a for a in etree.parse(str(path)).getroot().iter("iati-activity")}
        report = await imported(gateway, path.read_bytes())
        assert report["skipped"] == 0
        for item in report["items"]:
            source = activities[item["iati_identifier"]]
            money, skip = item["money"], flags(item)
            assert money["status"] == "applied"
            entries = await ledger(gateway, item["project_id"])
            sent = money["transactions"] + money["budgets"] + money["planned_disbursements"]
            # Each entry is in the ledger or flagged with why, never both, never neither.
            assert money["booked"] + money["unchanged"] == len(entries) == sent - len(skip), item
            assert all(e["data"]["imported"]["import_id"] == report["import_id"] for e in entries)
            # Element by element: what the ledger holds, exported, is the file's (flagged ones aside).
            assert exported_money(entries, built) == iati_money.money(source, skip), item["iati_identifier"]
            # The ledger's sums per type and currency are the file's own.
            sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for e in entries:
                if e["kind"] == "transaction":
                    sums[(e["data"]["transaction_type"], e["data"]["currency"])] += Decimal(e["data"]["amount"])
            file_sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for ordinal, node in enumerate(source.findall("transaction")):
                if ("transaction", ordinal) not in skip:
                    value = node.find("value")
                    currency = value.get("currency") or source.get("default-currency")
                    file_sums[(node.find("transaction-type").get("code"), currency)] += Decimal(value.text)
            assert sums == file_sums
            summary = (await gateway.get(f"/api/funding/projects/{item['project_id']}/summary")).json()
            eur = {
                t: sum(
                    (Decimal(e["data"]["amount_eur"]) for e in entries if e["data"].get("transaction_type") == t),
                    Decimal(0),
                )
                for t in ("2", "3", "4")
            }
            budget_eur = sum((Decimal(e["data"]["amount_eur"]) for e in entries if e["kind"] == "budget"), Decimal(0))
            assert {
                k: Decimal(summary["totals"][k]) for k in ("committed_eur", "disbursed_eur", "spent_eur", "budget_eur")
            } == {"committed_eur": eur["2"], "disbursed_eur": eur["3"], "spent_eur": eur["4"], "budget_eur": budget_eur}
            if not any("kept as a draft" in note for note in item["notes"]):
                published[item["registered_as"]] = (source, skip)
        if path.name == "ec-intpa-activity.xml":
            # Its planned disbursements end before they start: kept in funding, flagged, out of the ledger.
            (item,) = report["items"]
            assert {f["flag"] for f in item["money"]["flagged"]} == {"bad-period"}
            held = (await gateway.get(f"/api/funding/projects/{item['project_id']}/iati-money")).json()
            assert [e["ledger_id"] is None for e in held["entries"]].count(True) == 4
        if path.name == "gdihub-activity.xml":  # GBP without a rate: flagged no-rate, not in the ledger
            assert {f["flag"] for i in report["items"] for f in i["money"]["flagged"]} == {"no-rate"}
    assert len(published) > 80
    schema = iati_schema()
    assert schema.validate(etree.fromstring(b"".join(export.document(built)))), schema.error_log

    # Reporting's IATI export: every published activity with its transactions, budgets and planned
    # disbursements as the file.
    last: list[object] = []

    async def exported() -> dict[str, etree._Element] | None:
        response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": OWNER})
        if response.status_code != 200:
            last[:] = [response.status_code, response.text[:300]]
            return None
        found = {a.findtext("iati-identifier"): a for a in parse(response.content).getroot().iter("iati-activity")}
        for identifier, (source, skip) in published.items():
            if identifier not in found:
                last[:] = ["missing", identifier, sorted(found)[:5]]
                return None
            want = iati_money.money(source, skip)
            got = iati_money.money(found[identifier])
            for kind in ("transaction", "budget", "planned-disbursement"):
                if got[kind] != want[kind]:
                    last[:] = [identifier, kind, got[kind] - want[kind], want[kind] - got[kind]]
                    return None
        return found

    try:
        found = await eventually(exported, timeout=120, what="every imported activity's money in the export")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last difference: {last}") from None
    response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": OWNER})
    assert schema.validate(parse(response.content)), schema.error_log
    assert len(found) >= len(published)


def activity_with(money: str) -> bytes:
    """The EC INTPA sample activity (complete enough to publish) under its own identifier, with `money`."""
    root = etree.parse(str(DATA_DIR / "iati" / "samples" / "ec-intpa-activity.xml")).getroot()
    element = root.find("iati-activity")
    assert element is not None
    element.find("iati-identifier").text = "XM-LEDGER-REIMPORT-1"
    for node in element.findall("transaction") + element.findall("budget") + element.findall("planned-disbursement"):
        element.remove(node)
    # Money goes where 2.03 puts it: before the first document-link, related activity or result.
    anchor = next(i for i, child in enumerate(element) if child.tag in ("document-link", "related-activity", "result"))
    for offset, node in enumerate(etree.fromstring(f"<m>{money}</m>")):
        element.insert(anchor + offset, node)
    return bytes(etree.tostring(root))


BUDGET = """<budget type="1" status="2"><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
<value currency="EUR" value-date="2024-01-01">5000</value></budget>"""
PLANNED = """<planned-disbursement type="1"><period-start iso-date="2027-01-01"/><period-end iso-date="2027-06-30"/>
<value currency="EUR" value-date="2027-01-01">700</value></planned-disbursement>"""
COMMITMENT = """<transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/>
<value currency="EUR" value-date="2024-02-01">{value}</value></transaction>"""
DISBURSEMENT = """<transaction ref="D-1" humanitarian="0"><transaction-type code="3"/>
<transaction-date iso-date="2024-02-28"/><value currency="EUR" value-date="2024-03-01">400.50</value>
<description><narrative>First instalment</narrative></description>
<provider-org ref="XI-IATI-EC_INTPA" provider-activity-id="XI-IATI-EC_INTPA-1" type="15"/>
<receiver-org type="22"><narrative>Dai Global Belgium</narrative></receiver-org>
<flow-type code="10"/><finance-type code="110"/><aid-type code="D02"/></transaction>"""
UNHOLDABLE = """
<planned-disbursement type="1"><period-start iso-date="2023-01-01"/><period-end iso-date="2021-02-01"/>
<value currency="EUR" value-date="2023-01-01">1</value></planned-disbursement>
<transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/>
<value currency="EUR" value-date="2024-02-01">10.005</value></transaction>
<transaction><transaction-type code="4"/><transaction-date iso-date="2999-01-01"/>
<value currency="EUR" value-date="2999-01-01">20</value></transaction>
<transaction><transaction-type code="99"/><transaction-date iso-date="2024-02-01"/>
<value currency="EUR" value-date="2024-02-01">30</value></transaction>"""


async def test_a_reimport_keeps_what_is_unchanged_and_replaces_only_what_an_import_booked(
    gateway: httpx.AsyncClient,
) -> None:
    first = activity_with(BUDGET + PLANNED + UNHOLDABLE + COMMITMENT.format(value="1000") + DISBURSEMENT)
    (item,) = (await imported(gateway, first))["items"]
    money, project_id = item["money"], item["project_id"]
    # Valued in EUR, but nothing the ledger can hold: flagged with why, kept in funding with its EUR value.
    assert {(f["kind"], f["ordinal"]): f["flag"] for f in money["flagged"]} == {
        ("planned-disbursement", 1): "bad-period",
        ("transaction", 0): "sub-cent",
        ("transaction", 1): "future-dated",
        ("transaction", 2): "no-type",
    }
    assert (money["booked"], money["unchanged"], money["withdrawn"]) == (4, 0, 0)
    held = (await gateway.get(f"/api/funding/projects/{project_id}/iati-money")).json()
    assert all(e["amount_eur"] is not None for e in held["entries"])
    assert sum(e["ledger_id"] is not None for e in held["entries"]) == 4

    by_hand = await gateway.post(
        f"/api/funding/projects/{project_id}/transactions",
        json={
            "transaction_type": "4",
            "amount": "50.00",
            "currency": "EUR",
            "value_date": "2024-05-01",
            "instrument": "conveni",
        },
    )
    assert by_hand.status_code == 201, by_hand.text
    before = await ledger(gateway, project_id)
    assert len(before) == 5

    # The same file again: the ledger is untouched (no entry, no event), every booking kept.
    (again,) = (await imported(gateway, first))["items"]
    assert (again["money"]["booked"], again["money"]["unchanged"], again["money"]["withdrawn"]) == (0, 4, 0)
    assert await ledger(gateway, project_id) == before

    # A changed file: the commitment's new value is booked, the old one and the dropped disbursement
    # withdrawn on their own dates; the budget and the plan stay; the hand-booked expenditure is untouched.
    changed = activity_with(BUDGET + PLANNED + COMMITMENT.format(value="1200"))
    (last,) = (await imported(gateway, changed))["items"]
    assert (last["money"]["booked"], last["money"]["unchanged"], last["money"]["withdrawn"]) == (1, 2, 2)
    entries = await ledger(gateway, project_id)
    transactions = [e["data"] for e in entries if e["kind"] == "transaction"]
    withdrawals = [t for t in transactions if (t["imported"] or {}).get("withdrawn_by")]
    assert len(transactions) == 6 and len(withdrawals) == 2
    originals = {t["id"]: t for t in transactions}
    for withdrawal in withdrawals:
        original = originals[withdrawal["reverses_id"]]
        assert (withdrawal["amount"], withdrawal["value_date"]) == (f"-{original['amount']}", original["value_date"])
    hand = next(t for t in transactions if t["id"] == by_hand.json()["id"])
    assert hand["imported"] is None and hand["id"] not in {w["reverses_id"] for w in withdrawals}
    summary = (await gateway.get(f"/api/funding/projects/{project_id}/summary")).json()["totals"]
    assert {k: summary[k] for k in ("budget_eur", "committed_eur", "disbursed_eur", "spent_eur")} == {
        "budget_eur": "5000.00",
        "committed_eur": "1200.00",
        "disbursed_eur": "0.00",
        "spent_eur": "50.00",
    }
    source = etree.fromstring(changed).find("iati-activity")
    assert exported_money([e for e in entries if e["data"]["imported"]], []) == iati_money.money(source)

    # Reporting's figures and export: the new money, the hand-booked expenditure, nothing withdrawn.
    async def reported() -> dict[str, Any] | None:
        body = (await gateway.get("/api/reporting/projects", params={"id": project_id, "institution": OWNER})).json()
        found = body.get("items") or []
        money = found[0]["money"] if found else None
        return money if money and Decimal(money["committed_eur"]) == 1200 else None

    figures = await eventually(reported, timeout=60, what="the re-imported money in reporting")
    assert [Decimal(figures[k]) for k in ("committed_eur", "disbursed_eur", "spent_eur")] == [1200, 0, 50]

    async def exported() -> etree._Element | None:
        response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": OWNER})
        for element in parse(response.content).getroot().iter("iati-activity"):
            if (
                element.findtext("iati-identifier") == item["registered_as"]
                and len(element.findall("transaction")) == 2
            ):
                return element
        return None

    element = await eventually(exported, timeout=60, what="the re-imported activity in the export")
    got, want = iati_money.money(element), iati_money.money(source)
    assert got["budget"] == want["budget"]
    hand = (
        "4",
        "2024-05-01",
        Decimal(50),
        "EUR",
        "2024-05-01",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        (),
        None,
    )
    assert got["transaction"] == want["transaction"] + Counter([hand])
