"""A seeded synthetic portfolio of a realistic shape, as the events the services would emit.

Each project has a partner city, one to three SDG goals with shares, one or two DAC sectors, a
result with an indicator, and twenty funding events (commitments, disbursements, expenditure and
budget lines across four years, a few in MZN/COP). The same seed always gives the same events.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.contracts.funding import BUDGET_SET, TRANSACTION_RECORDED
from shared.contracts.projects import PROJECT_REGISTERED
from shared.events import CloudEvent

NAMESPACE = uuid.UUID("7b0c6a38-5f0e-4c2f-9d53-7f2f0e0b3a11")
OWNER = "ajuntament-barcelona"
CITIES = [("Maputo", "MZ"), ("La Habana", "CU"), ("Medellín", "CO"), ("Bogotá", "CO"), ("Tunis", "TN"), ("Sfax", "TN")]
SECTORS = ["14030", "15112", "25010", "43030", "11130", "15170", "41010"]
TRANSACTIONS_PER_PROJECT = 20
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def project_id(i: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"project-{i}")


def project_state(i: int, rng: random.Random) -> dict[str, Any]:
    city, country = CITIES[rng.randrange(len(CITIES))]
    goals = rng.sample(["1", "3", "4", "5", "6", "11", "13", "16", "17"], rng.randint(1, 3))
    shares = [100 // len(goals)] * len(goals)
    shares[0] += 100 - sum(shares)
    sectors = rng.sample(SECTORS, rng.randint(1, 2))
    start = date(2022 + rng.randrange(4), 1 + rng.randrange(12), 1)
    pid = project_id(i)
    now = (T0 + timedelta(seconds=i)).isoformat()
    return {
        "id": str(pid),
        "version": 1,
        "owner": OWNER,
        "code": f"BENCH-{i:06d}",
        "iati_identifier": f"ES-DIR3-L01080193-BENCH-{i:06d}",
        "title": {"ca": f"Projecte {i} a {city}", "es": f"Proyecto {i} en {city}", "en": f"Project {i} in {city}"},
        "description": {"en": f"Synthetic cooperation project {i} with {city}."},
        "status": "2",
        "visibility": "published",
        "modality": "technical-cooperation",
        "partner_cities": [{"name": city, "country": country}],
        "recipient_countries": [{"code": country, "percentage": "100"}],
        "participating_orgs": [{"ref": "ES-DIR3-L01080193", "name": "Ajuntament de Barcelona", "role": "1"}],
        "sectors": [
            {"code": s, "percentage": str(100 // len(sectors) + (100 % len(sectors) if n == 0 else 0))}
            for n, s in enumerate(sectors)
        ],
        "sdg_goals": [{"goal": g, "share": str(s), "targets": []} for g, s in zip(goals, shares, strict=True)],
        "dates": {"planned_start": start.isoformat(), "planned_end": (start + timedelta(days=730)).isoformat()},
        "results": [
            {
                "id": str(uuid.uuid5(pid, "result")),
                "type": "1",
                "title": {"en": "Households served"},
                "indicators": [
                    {
                        "id": str(uuid.uuid5(pid, "indicator")),
                        "title": {"en": "Households connected"},
                        "measure": "1",
                        "sdg_indicator": "6.1.1",
                        "periods": [
                            {
                                "start": start.isoformat(),
                                "end": (start + timedelta(days=364)).isoformat(),
                                "target": "100",
                            }
                        ],
                    }
                ],
            }
        ],
        "created_at": now,
        "updated_at": now,
    }


def funding_events(i: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """The project's funding event payloads, versions 1..20, totals kept as the service would."""
    pid = project_id(i)
    totals = {
        "budget_eur": Decimal(0),
        "committed_eur": Decimal(0),
        "disbursed_eur": Decimal(0),
        "spent_eur": Decimal(0),
    }
    kinds = ["budget"] * 4 + ["2"] * 4 + ["3"] * 8 + ["4"] * 4
    for version, kind in enumerate(kinds, start=1):
        year = 2022 + (version - 1) % 4
        amount = Decimal(rng.randrange(1000, 50000)).quantize(Decimal("0.01"))
        currency, rate = ("EUR", Decimal(1)) if version % 7 else ("MZN", Decimal("70.5"))
        money = {
            "amount": str(amount * rate),
            "currency": currency,
            "amount_eur": str(amount),
            "rate": str(rate),
            "rate_date": f"{year}-03-02",
            "rate_source": "bench",
        }
        entry_id = str(uuid.uuid5(pid, f"entry-{version}"))
        data: dict[str, Any] = {
            "project_id": str(pid),
            "owner": OWNER,
            "version": version,
            "updated_at": T0.isoformat(),
        }
        if kind == "budget":
            totals["budget_eur"] += amount
            data["budget_line"] = {
                **money,
                "id": entry_id,
                "budget_type": "1",
                "budget_status": "2",
                "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31",
            }
        else:
            name = {"2": "committed_eur", "3": "disbursed_eur", "4": "spent_eur"}[kind]
            totals[name] += amount
            data["transaction"] = {
                **money,
                "id": entry_id,
                "transaction_type": kind,
                "in_kind": False,
                "instrument": "conveni",
                "value_date": f"{year}-03-02",
            }
        data["totals"] = {k: str(v) for k, v in totals.items()}
        yield data


def events(first: int, count: int, seed: int = 2026) -> Iterator[tuple[str, str, CloudEvent]]:
    """(topic, key, event) for projects first..first+count-1, in a deterministic order."""
    from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC

    for i in range(first, first + count):
        rng = random.Random(seed * 1_000_003 + i)  # noqa: S311 - reproducible data, not secrets
        state = project_state(i, rng)
        key = state["id"]
        yield PROJECTS_TOPIC, key, CloudEvent(source="/bench", type=PROJECT_REGISTERED, subject=key, data=state)
        for data in funding_events(i, rng):
            kind = BUDGET_SET if "budget_line" in data else TRANSACTION_RECORDED
            yield FUNDING_TOPIC, key, CloudEvent(source="/bench", type=kind, subject=key, data=data)
