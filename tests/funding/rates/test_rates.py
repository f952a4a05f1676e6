"""Exchange rates through the gateway: who may set them, the checks on every value (one by one and
in bulk), confirmation of outliers, provenance, and booked amounts keeping their rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.support.auth import Tokens
from tests.support.funding import FundedProject
from tests.support.stack import Stack

# Currencies and years no other test or the demo uses, so that neighbours are only these tests'.
RATES = "/api/funding/rates"


async def as_(stack: Stack, tokens: Tokens, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers(name))


async def test_only_the_finance_administration_and_admins_set_rates(stack: Stack, tokens: Tokens) -> None:
    body = {"units_per_eur": "140.5", "source": "ECB"}
    csv = b"Date,ISK\n2031-01-06,140.7\n"
    for name in ("ajuntament", "amb", "entity", "maputo", "noscope"):
        async with await as_(stack, tokens, name) as client:
            put = await client.put(f"{RATES}/ISK/2031-01-05", json=body)
            bulk = await client.post(f"{RATES}/import", content=csv, headers={"Content-Type": "text/csv"})
        assert (put.status_code, bulk.status_code) == (403, 403), name
        assert put.json()["type"].endswith("/insufficient-scope")
    async with await as_(stack, tokens, "finance") as finance:
        set_ = await finance.put(f"{RATES}/ISK/2031-01-05", json={**body, "note": "ECB daily"})
        loaded = await finance.post(f"{RATES}/import", content=csv, headers={"Content-Type": "text/csv"})
    assert set_.status_code == 200, set_.text
    assert loaded.status_code == 200 and loaded.json()["loaded"] == 1
    written = set_.json()
    # Who set it comes from the token, never from the body.
    assert written["set_by"] == tokens.credentials["finance"].client_id
    assert (written["source"], written["note"], written["confirmed_outlier"]) == ("ECB", "ECB daily", False)
    async with await as_(stack, tokens, "admin") as admin:
        assert (await admin.put(f"{RATES}/ISK/2031-01-07", json=body)).status_code == 200
        forged = await admin.put(f"{RATES}/ISK/2031-01-08", json={**body, "set_by": "someone-else"})
        assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "set_by"
    public = await httpx.AsyncClient(base_url=stack.gateway).get(f"{RATES}/ISK", params={"on": "2031-01-06"})
    assert public.json()["source"] == "ECB" and "set_by" not in public.json()


async def test_every_hostile_value_is_a_422_naming_the_field(stack: Stack, tokens: Tokens) -> None:
    hostile: list[Any] = ["NaN", "Infinity", "-Infinity", "1e999", "-1", "0", "0.000001", "1000000", "1.123456789"]
    hostile += ["abc", "", None, True, [], {}, -5, 0]
    async with await as_(stack, tokens, "finance") as finance:
        for value in hostile:
            refused = await finance.put(f"{RATES}/HUF/2031-02-02", json={"units_per_eur": value})
            assert refused.status_code == 422, (value, refused.text)
            assert [e["field"] for e in refused.json()["errors"]] == ["units_per_eur"], value
        # A JSON number beyond a double is refused before any service reads it (the shared body guard).
        overflow = await finance.put(
            f"{RATES}/HUF/2031-02-02", content=b'{"units_per_eur": 1e999}', headers={"Content-Type": "application/json"}
        )
        assert overflow.status_code == 400 and overflow.json()["type"].endswith("/malformed-json")
        negative_zero = await finance.put(
            f"{RATES}/HUF/2031-02-02", content=b'{"units_per_eur": -0.0}', headers={"Content-Type": "application/json"}
        )
        assert negative_zero.status_code == 422 and negative_zero.json()["errors"][0]["field"] == "units_per_eur"
        unknown_source = await finance.put(f"{RATES}/HUF/2031-02-02", json={"units_per_eur": "395", "source": "BdM"})
        assert unknown_source.status_code == 422 and unknown_source.json()["errors"][0]["field"] == "source"
        bad_query = await finance.post(
            f"{RATES}/import",
            params={"source": "whatever"},
            content=b"Date,HUF\n",
            headers={"Content-Type": "text/csv"},
        )
        assert bad_query.status_code == 422 and bad_query.json()["errors"][0]["field"] == "source"
        assert (await finance.get(f"{RATES}/HUF", params={"on": "2031-02-02"})).status_code == 404, "nothing stored"


async def test_a_rate_far_from_its_neighbours_needs_a_confirmation(stack: Stack, tokens: Tokens) -> None:
    async with await as_(stack, tokens, "finance") as finance:
        for day, value in (("2031-03-03", "11.50"), ("2031-03-07", "11.60")):
            assert (await finance.put(f"{RATES}/NOK/{day}", json={"units_per_eur": value})).status_code == 200
        typo = await finance.put(f"{RATES}/NOK/2031-03-05", json={"units_per_eur": "115.5"})
        assert typo.status_code == 422
        problem = typo.json()
        assert problem["type"].endswith("/outlier-rate")
        assert problem["errors"][0]["field"] == "units_per_eur"
        assert "2031-03-03" in problem["errors"][0]["message"] and "2031-03-07" in problem["errors"][0]["message"]
        assert problem["neighbours"] == [
            {"rate_date": "2031-03-03", "units_per_eur": "11.50000000"},
            {"rate_date": "2031-03-07", "units_per_eur": "11.60000000"},
        ]
        assert (await finance.get(f"{RATES}/NOK", params={"on": "2031-03-05"})).json()["units_per_eur"] == "11.50000000"
        # Within 25 % of a neighbour: taken as it is.
        assert (await finance.put(f"{RATES}/NOK/2031-03-04", json={"units_per_eur": "13.9"})).status_code == 200
        confirm = {"units_per_eur": "115.5", "confirm_outlier": True}
        confirmed = await finance.put(f"{RATES}/NOK/2031-03-05", json=confirm)
        assert confirmed.status_code == 200 and confirmed.json()["confirmed_outlier"] is True
        # Beyond the neighbour window (31 days) nothing is compared.
        assert (await finance.put(f"{RATES}/NOK/2031-06-01", json={"units_per_eur": "30"})).status_code == 200


async def test_a_bulk_load_checks_each_row_as_a_single_rate_would_be(stack: Stack, tokens: Tokens) -> None:
    csv = (
        "Date,THB,SEK\n"
        "2031-05-01,38.0,11.2\n"
        "2031-05-02,380,NaN\n"  # a THB typo; a SEK NaN
        "2031-05-05,38.2,1e999\n"
        "2031-05-06,-1,0\n"
        "2031-05-07,1.123456789,11.3\n"
        "2031-05-08,Infinity,112\n"  # a SEK typo against the row loaded before it
    )
    async with await as_(stack, tokens, "finance") as finance:
        loaded = await finance.post(f"{RATES}/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert loaded.status_code == 200, loaded.text
        report = loaded.json()
        assert report["loaded"] == 4 and report["currencies"] == ["SEK", "THB"]
        skipped = "\n".join(report["skipped"])
        for expected in (
            "line 3: THB on 2031-05-02",
            "line 3: SEK rate 'NaN'",
            "line 4: SEK rate '1e999'",
            "line 5: THB rate '-1'",
            "line 5: SEK rate '0'",
            "line 6: THB rate '1.123456789'",
            "line 7: THB rate 'Infinity'",
            "line 7: SEK on 2031-05-08",
        ):
            assert expected in skipped, (expected, skipped)
        assert len(report["skipped"]) == 8
        on_the_2nd = (await finance.get(f"{RATES}/THB", params={"on": "2031-05-02"})).json()
        assert (on_the_2nd["rate_date"], on_the_2nd["units_per_eur"]) == ("2031-05-01", "38.00000000")
        # Against stored neighbours too; and a confirmation loads the outliers it lists.
        again = await finance.post(
            f"{RATES}/import", content=b"Date,THB\n2031-05-02,380\n", headers={"Content-Type": "text/csv"}
        )
        assert again.json()["loaded"] == 0 and "2031-05-01" in again.json()["skipped"][0]
        forced = await finance.post(
            f"{RATES}/import",
            params={"confirm_outliers": "true", "source": "manual", "note": "checked by hand"},
            content=b"Date,THB\n2031-05-02,380\n",
            headers={"Content-Type": "text/csv"},
        )
        assert forced.json()["loaded"] == 1
        stored = (await finance.get(f"{RATES}/THB", params={"on": "2031-05-02"})).json()
        assert (stored["units_per_eur"], stored["source"]) == ("380.00000000", "manual")
        assert stored["note"] == "checked by hand"


async def test_booked_amounts_keep_the_rate_they_were_booked_with(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    base = f"/api/funding/projects/{project['id']}"
    async with await as_(stack, tokens, "finance") as finance:
        assert (await finance.put(f"{RATES}/PLN/2031-07-01", json={"units_per_eur": "4.00"})).status_code == 200
        # What a booking would be, asked first (the console shows it before saving): nothing is booked.
        preview = await gateway.get(f"{RATES}/PLN/conversion", params={"amount": "1000.00", "on": "2031-07-01"})
        assert preview.status_code == 200, preview.text
        assert {k: preview.json()[k] for k in ("amount_eur", "rate", "rate_date", "rate_source")} == {
            "amount_eur": "250.00",
            "rate": "4.00000000",
            "rate_date": "2031-07-01",
            "rate_source": "manual",
        }
        assert (await gateway.get(f"{base}/transactions")).json()["items"] == []
        for params, field in (
            ({"amount": "12,5", "on": "2031-07-01"}, "amount"),
            ({"amount": "1.001", "on": "2031-07-01"}, "amount"),
            ({"amount": "10", "on": "2031-02-30"}, "on"),
        ):
            bad = await gateway.get(f"{RATES}/PLN/conversion", params=params)
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith(field), bad.text
        missing = await gateway.get(f"{RATES}/PLN/conversion", params={"amount": "10", "on": "2001-01-01"})
        assert missing.status_code == 422 and missing.json()["type"].endswith("/missing-exchange-rate")
        booked = await gateway.post(
            f"{base}/transactions",
            json={
                "transaction_type": "2",
                "amount": "1000.00",
                "currency": "PLN",
                "value_date": "2031-07-01",
                "instrument": "conveni",
            },
        )
        assert booked.status_code == 201, booked.text
        line = await gateway.post(
            f"{base}/budget-lines",
            json={"period_start": "2031-07-01", "period_end": "2031-12-31", "amount": "2000.00", "currency": "PLN"},
        )
        assert line.status_code == 201, line.text
        entry = booked.json()
        assert (entry["amount_eur"], entry["rate"]) == ("250.00", "4.00000000")
        before = (await gateway.get(f"{base}/summary")).json()
        changed = await finance.put(
            f"{RATES}/PLN/2031-07-01", json={"units_per_eur": "5.00", "note": "corrected after booking"}
        )
        assert changed.status_code == 200 and changed.json()["units_per_eur"] == "5.00000000"
    ledger = (await gateway.get(f"{base}/transactions")).json()["items"]
    assert [(t["amount_eur"], t["rate"], t["rate_date"]) for t in ledger] == [("250.00", "4.00000000", "2031-07-01")]
    lines = (await gateway.get(f"{base}/budget-lines")).json()["items"]
    assert [(b["amount_eur"], b["rate"]) for b in lines] == [("500.00", "4.00000000")]
    after = (await gateway.get(f"{base}/summary")).json()
    assert after["totals"] == before["totals"] and after["totals"]["committed_eur"] == "250.00"
    assert after["by_year"] == before["by_year"]
    # A reversal negates the booked figures, not today's rate; a new booking uses the new rate.
    reversal = await gateway.post(f"/api/funding/transactions/{entry['id']}/reverse", json={"reason": "test"})
    assert (reversal.json()["amount_eur"], reversal.json()["rate"]) == ("-250.00", "4.00000000")
    rebooked = await gateway.post(
        f"{base}/transactions",
        json={
            "transaction_type": "2",
            "amount": "1000.00",
            "currency": "PLN",
            "value_date": "2031-07-01",
            "instrument": "conveni",
        },
    )
    assert rebooked.json()["amount_eur"] == "200.00"
    later = await gateway.get(f"{RATES}/PLN/conversion", params={"amount": "1000.00", "on": "2031-07-01"})
    assert later.json()["amount_eur"] == "200.00"  # the same rule and rate as the booking
    assert Decimal((await gateway.get(f"{base}/summary")).json()["totals"]["committed_eur"]) == Decimal("200.00")
