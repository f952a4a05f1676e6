"""Every route of the merged OpenAPI document x {no token, expired, wrong scope, other tenant, right tenant}.

The expected status of each cell is derived from the route's own declared rule (`x-xarxa-access`),
and the test fails for any route that has no rule or no request case here: a new route cannot
slip in unguarded.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.es import cif

from shared.auth import SCOPES
from tests.support.auth import PRINCIPALS, Tokens
from tests.support.people import authorize_params, invite, person, pkce, unique_email
from tests.support.projects import project_payload
from tests.support.stack import WEB_CLIENT_ID, WEB_CLIENT_SECRET, Stack
from tests.support.unique import unique_code, unique_year
from tests.support.waiting import eventually

CELLS = ("no token", "expired token", "wrong scope", "other tenant", "right tenant")
# Who calls in each cell, unless a case says otherwise for "right tenant".
CELL_PRINCIPAL = {
    "no token": None,
    "expired token": "ajuntament",
    "wrong scope": "noscope",
    "other tenant": "amb",
    "right tenant": "ajuntament",
}
_codes = itertools.count(1)
# Years no other test declares (unique_year() for the fresh ones), each used once (a declared year
# needs If-Match to change).
_declared_years = itertools.count(2100, -1)


def cif_of(base: str) -> str:
    """An association's CIF: the base with its check digit."""
    return base + cif.calc_check_digits(base)[0]


@dataclass
class Case:
    """How to call one operation, and what "allowed" and "hidden" look like for it."""

    build: Callable[[], Awaitable[dict[str, Any]]]
    ok: int = 200
    denied: int = 404  # another tenant under a tenant rule: 404 for reads (existence hidden), 403 for writes
    right: str = "ajuntament"
    # For lists: allowed means the draft is listed, hidden means it is not.
    listed: Callable[[httpx.Response], bool] | None = None


@dataclass
class World:
    draft_id: str = ""
    published_id: str = ""
    cases: dict[tuple[str, str], Case] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def world(stack: Stack, tokens: Tokens) -> World:
    world = World()
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as client:
        draft = await client.post(
            "/api/projects/projects",
            json=project_payload(
                code=unique_code("MATRIX"),
                visibility="draft",
                participating_orgs=[{"ref": "MZ-CMM", "name": "Conselho Municipal de Maputo", "role": "4"}],
            ),
        )
        published = await client.post("/api/projects/projects", json=project_payload(code=unique_code("MATRIX")))
        world.draft_id, world.published_id = draft.json()["id"], published.json()["id"]

    async def both_arrived() -> bool:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
            ref = await admin.get(f"/api/funding/project-refs/{world.draft_id}")
            report = await admin.get(f"/api/reporting/projects/{world.published_id}")
        return ref.status_code == 200 and report.status_code == 200

    await eventually(both_arrived, what="matrix projects in funding and reporting")

    creds = tokens.credentials["ajuntament"]

    def fixed(spec: dict[str, Any]) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            return dict(spec)

        return build

    def editable(payload: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items() if k not in ("owner", "code", "status", "visibility")}

    def fresh(visibility: str, **extra: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
        """A new project of the Ajuntament for each call, addressed with its current ETag."""

        async def build() -> dict[str, Any]:
            async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
                created = await admin.post(
                    "/api/projects/projects",
                    json=project_payload(code=f"MATRIX-W{next(_codes)}", visibility=visibility),
                )
            body = created.json()
            return {"path": {"project_id": body["id"]}, "headers": {"If-Match": created.headers["etag"]}, **extra}

        return build

    async def as_admin(method: str, url: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
            response = await admin.request(method, url, **kwargs)
        assert response.status_code < 300, response.text
        return response

    async def iati_import() -> dict[str, Any]:
        """An import of the Ajuntament, made by an admin."""
        imported = await as_admin(
            "POST",
            "/api/projects/imports/iati",
            params={"owner": "ajuntament-barcelona"},
            content=(
                '<iati-activities version="2.03"><iati-activity><iati-identifier>'
                f"XM-MATRIX-{next(_codes)}</iati-identifier><title><narrative>Importat</narrative>"
                "</title></iati-activity></iati-activities>"
            ).encode(),
            headers={"Content-Type": "application/xml"},
        )
        return {"path": {"import_id": imported.json()["import_id"]}}

    def booking() -> dict[str, Any]:
        return {
            "transaction_type": "2",
            "amount": "10.00",
            "currency": "EUR",
            "value_date": "2025-03-10",
            "instrument": "conveni",
        }

    def booked() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            txn = await as_admin("POST", f"/api/funding/projects/{world.draft_id}/transactions", json=booking())
            return {"path": {"transaction_id": txn.json()["id"]}, "json": {"reason": "matrix"}}

        return build

    def declared_year() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            year = next(_declared_years)
            await as_admin(
                "PUT",
                f"/api/funding/institutions/ajuntament-barcelona/years/{year}",
                json={"own_revenues_eur": "1000.00"},
                headers={"If-Match": '"1"'},
            )
            return {"path": {"institution": "ajuntament-barcelona", "year": year}}

        return build

    def fresh_year() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            return {
                "path": {"institution": "ajuntament-barcelona", "year": unique_year()},
                "json": {"own_revenues_eur": "1000.00"},
            }

        return build

    async def usd_rate() -> dict[str, Any]:
        await as_admin("PUT", "/api/funding/rates/USD/2025-03-10", json={"units_per_eur": "1.0815"})
        return {"path": {"currency": "USD"}, "params": {"on": "2025-03-10"}}

    async def usd_conversion() -> dict[str, Any]:
        spec = await usd_rate()
        return {**spec, "params": {**spec["params"], "amount": "100.00"}}

    async def own_source() -> dict[str, Any]:
        created = await as_admin(
            "POST",
            "/api/funding/sources",
            json={
                "institution": "ajuntament-barcelona",
                "code": f"SRC-{next(_codes)}",
                "kind": "own-budget",
                "name": {"ca": "Pressupost propi"},
            },
        )
        return {"path": {"source_id": created.json()["id"]}}

    def grant_call(code: str, opened: bool) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "institution": "ajuntament-barcelona",
            "year": now.year,
            "code": code,
            "title": {"ca": "Convocatòria"},
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(hours=6)).isoformat(),
            "programmes": [{"code": "p", "title": {"ca": "Programa"}}],
            "modalities": [{"code": "m", "programme": "p", "title": {"ca": "M"}, "budget": {str(now.year): "1000.00"}}],
            "criteria": [{"code": "c", "title": {"ca": "Criteri"}, "max_points": "100"}],
            "min_score": "50",
            "eligibility": {"max_grant_eur": "1000.00", "max_months": 12, "entity_types": ["22"]},
        }

    draft_call = (await as_admin("POST", "/api/funding/grants/calls", json=grant_call("MATRIX-DRAFT", False))).json()
    open_call = (await as_admin("POST", "/api/funding/grants/calls", json=grant_call("MATRIX-OPEN", True))).json()
    await as_admin("POST", f"/api/funding/grants/calls/{open_call['id']}/status", json={"status": "open"})
    entity = (
        await as_admin(
            "POST",
            "/api/funding/grants/entities",
            json={
                "tenant": "ENT-MATRIX",
                "name": "Entitat de la matriu",
                "tax_id": "G00000018",
                "org_type": "22",
                "contact": {"email": "matrix@example.org"},
                "legal_representative": {"name": "Anna Roca", "tax_id": "12345678Z", "post": "Presidenta"},
            },
        )
    ).json()

    def application_body() -> dict[str, Any]:
        proposal = project_payload()
        for key in ("owner", "code", "status", "visibility", "participating_orgs"):
            proposal.pop(key, None)
        return {
            "modality": "m",
            "proposal": proposal,
            "requested": {str(datetime.now(UTC).year): "500.00"},
            "duration_months": 6,
        }

    async def submitted() -> str:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("entity")) as applicant:
            created = await applicant.post(
                f"/api/funding/grants/calls/{open_call['id']}/applications", json=application_body()
            )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    one_application = await submitted()

    def uploaded_file() -> dict[str, Any]:
        pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
        return {
            "files": {"file": ("annex.pdf", pdf, "application/pdf")},
            "data": {"purpose": "application", "title": "A"},
        }

    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("entity")) as applicant:
        one_document = await applicant.post(
            f"/api/funding/grants/applications/{one_application}/documents", **uploaded_file()
        )
    assert one_document.status_code == 201, one_document.text

    def on_application(
        body: dict[str, Any] | None = None, fresh_one: bool = False
    ) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            target = await submitted() if fresh_one else one_application
            return {"path": {"application_id": target}, **({"json": body} if body is not None else {})}

        return build

    def fresh_call() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            created = await as_admin(
                "POST", "/api/funding/grants/calls", json=grant_call(f"MATRIX-C{next(_codes)}", False)
            )
            return {"path": {"call_id": created.json()["id"]}, "json": {"status": "open"}}

        return build

    async def push_update() -> str:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as partner:
            pushed = await partner.post(
                f"/api/projects/projects/{world.draft_id}/updates",
                json={"narrative": {"pt": "Progresso"}},
                headers={"Idempotency-Key": f"matrix-push-{next(_codes)}"},
            )
        assert pushed.status_code == 201, pushed.text
        return str(pushed.json()["id"])

    one_update = await push_update()

    def pushed(body: dict[str, Any] | None = None, fresh: bool = False) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            target = await push_update() if fresh else one_update
            return {"path": {"update_id": target}, **({"json": body} if body is not None else {})}

        return build

    async def subscribed() -> str:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as owner:
            created = await owner.post(
                "/api/integrations/webhooks",
                json={"url": "http://127.0.0.1:9/matrix", "event_types": ["project.registered"]},
            )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    subscription_id = await subscribed()
    await as_admin("POST", "/api/projects/projects", json=project_payload(code=f"MATRIX-HOOK-{next(_codes)}"))

    async def a_delivery() -> str | None:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as owner:
            items = (await owner.get(f"/api/integrations/webhooks/{subscription_id}/deliveries")).json()["items"]
        return str(items[0]["id"]) if items else None

    delivery_id = await eventually(a_delivery, what="a webhook delivery for the matrix")

    async def fresh_subscription() -> dict[str, Any]:
        return {"path": {"subscription_id": await subscribed()}}

    def draft_listed(response: httpx.Response) -> bool:
        return world.draft_id in {p["id"] for p in response.json()["items"]}

    # People and their administration (services/gateway/users, oidc).
    admin_headers = tokens.headers("admin")
    accepted = await person(stack, admin_headers, tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])

    def invitation() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            body = {"email": unique_email("matrix"), "name": "M", "tenant": "MZ-CMM", "tenant_kind": "partner"}
            return {"json": {**body, "roles": ["partner-reporter"]}}

        return build

    def invited_user(**extra: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            invited = await invite(stack, admin_headers, tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
            return {"path": {"user_id": invited["user"]["id"]}, **extra}

        return build

    def new_client() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def build() -> dict[str, Any]:
            body = {"name": "Matrix", "scopes": ["projects:read"], "tenant": "MZ-CMM", "tenant_kind": "partner"}
            async with httpx.AsyncClient(base_url=stack.gateway, headers=admin_headers) as admin:
                created = await admin.post("/api/gateway/clients", json=body)
            assert created.status_code == 201, created.text
            return {"path": {"client_id": created.json()["client"]["client_id"]}}

        return build

    authorization = {"params": authorize_params(pkce()[1], gateway=stack.gateway)}
    web_client = {"token": "not-a-token", "client_id": WEB_CLIENT_ID, "client_secret": WEB_CLIENT_SECRET}

    world.cases = {
        ("post", "/api/projects/projects"): Case(
            lambda: fixed({"json": project_payload(code=f"MATRIX-{next(_codes)}")})(), ok=201, denied=403
        ),
        ("get", "/api/projects/projects"): Case(
            fixed({"params": {"limit": 500, "owner": "ajuntament-barcelona"}}), listed=draft_listed
        ),
        ("get", "/api/projects/projects/{project_id}"): Case(fixed({"path": {"project_id": world.draft_id}})),
        ("get", "/api/projects/projects/{project_id}/history"): Case(fixed({"path": {"project_id": world.draft_id}})),
        ("get", "/api/projects/projects/{project_id}/publication-check"): Case(
            fixed({"path": {"project_id": world.draft_id}})
        ),
        ("put", "/api/projects/projects/{project_id}"): Case(
            # A published project stays complete (what an IATI activity needs): the whole editable body.
            fresh("published", json={**editable(project_payload()), "title": {"ca": "Nou títol"}}),
            denied=403,
        ),
        ("patch", "/api/projects/projects/{project_id}"): Case(
            fresh(
                "published", content=b'{"objectives": {"es": "Objetivo"}}', content_type="application/merge-patch+json"
            ),
            denied=403,
        ),
        ("post", "/api/projects/projects/{project_id}/status"): Case(
            fresh("published", json={"status": "3"}), denied=403
        ),
        ("post", "/api/projects/projects/{project_id}/publish"): Case(fresh("draft")),
        ("post", "/api/projects/projects/{project_id}/archive"): Case(fresh("published"), denied=403),
        ("put", "/api/projects/projects/{project_id}/results"): Case(
            fresh("published", json={"results": []}), denied=403
        ),
        ("post", "/api/projects/imports/iati"): Case(
            lambda: fixed(
                {
                    "params": {"owner": "ajuntament-barcelona"},
                    "content": (
                        '<iati-activities version="2.03"><iati-activity><iati-identifier>'
                        f"XM-MATRIX-{next(_codes)}</iati-identifier><title><narrative>Importat</narrative>"
                        "</title></iati-activity></iati-activities>"
                    ).encode(),
                    "content_type": "application/xml",
                }
            )(),
            denied=403,
        ),
        ("get", "/api/projects/imports/iati/{import_id}"): Case(iati_import),
        ("post", "/api/projects/projects/{project_id}/updates"): Case(
            lambda: fixed(
                {
                    "path": {"project_id": world.draft_id},
                    "json": {"narrative": {"pt": "Progresso"}},
                    "headers": {"Idempotency-Key": f"matrix-{next(_codes)}"},
                }
            )(),
            ok=201,
            right="maputo",
            denied=403,
        ),
        ("post", "/api/projects/updates/batch"): Case(
            lambda: fixed(
                {
                    "json": {"items": [{"project_id": world.draft_id, "update": {"narrative": {"pt": "Lote"}}}]},
                    "headers": {"Idempotency-Key": f"matrix-{next(_codes)}"},
                }
            )(),
            ok=201,
            right="maputo",
        ),
        # Another tenant is answered with its own (here empty) list, not a refusal.
        ("get", "/api/projects/updates"): Case(fixed({}), right="maputo", denied=200),
        ("get", "/api/projects/updates/{update_id}"): Case(pushed(), right="maputo"),
        ("put", "/api/projects/updates/{update_id}"): Case(
            pushed({"narrative": {"pt": "De novo"}}), ok=409, right="maputo", denied=403
        ),
        ("post", "/api/projects/updates/{update_id}/review"): Case(pushed({"decision": "approve"}, fresh=True)),
        ("get", "/api/projects/imports/csv/template"): Case(fixed({})),
        ("post", "/api/projects/imports/csv"): Case(
            lambda: fixed(
                {
                    "params": {"owner": "ajuntament-barcelona"},
                    "content": f"code,title_ca\nMATRIX-CSV-{next(_codes)},Importat\n".encode(),
                    "content_type": "text/csv",
                }
            )(),
            denied=403,
        ),
        ("get", "/api/funding/imports/transactions/template"): Case(fixed({})),
        ("post", "/api/funding/imports/transactions"): Case(
            fixed(
                {
                    "params": {"owner": "ajuntament-barcelona"},
                    "content": b"project_code,transaction_type,amount,currency,value_date,instrument\n"
                    b"MATRIX-PUB,2,10.00,EUR,2025-03-10,conveni\n",
                    "content_type": "text/csv",
                }
            ),
            denied=403,
        ),
        ("get", "/api/projects/networks"): Case(fixed({})),
        ("post", "/api/projects/networks"): Case(
            lambda: fixed({"json": {"code": f"net-{next(_codes)}", "names": {"en": "A network"}}})(),
            ok=201,
            right="admin",
            denied=403,
        ),
        ("get", "/api/projects/codelists"): Case(fixed({})),
        ("get", "/api/projects/codelists/{name}"): Case(fixed({"path": {"name": "Sector"}})),
        ("get", "/api/projects/places/cities"): Case(fixed({"params": {"q": "habana", "country": "CU"}})),
        ("get", "/api/projects/places/cities/{geonames_id}"): Case(fixed({"path": {"geonames_id": "3553478"}})),
        ("get", "/api/funding/project-refs/{project_id}"): Case(fixed({"path": {"project_id": world.draft_id}})),
        ("post", "/api/funding/projects/{project_id}/transactions"): Case(
            lambda: fixed({"path": {"project_id": world.draft_id}, "json": booking()})(), ok=201
        ),
        ("post", "/api/funding/transactions/{transaction_id}/reverse"): Case(booked(), ok=201),
        ("post", "/api/funding/projects/{project_id}/budget-lines"): Case(
            fixed(
                {
                    "path": {"project_id": world.draft_id},
                    "json": {
                        "period_start": "2025-01-01",
                        "period_end": "2025-12-31",
                        "amount": "100.00",
                        "currency": "EUR",
                    },
                }
            ),
            ok=201,
        ),
        ("post", "/api/funding/projects/{project_id}/planned-disbursements"): Case(
            fixed(
                {
                    "path": {"project_id": world.draft_id},
                    "json": {"period_start": "2030-01-01", "amount": "100.00", "currency": "EUR"},
                }
            ),
            ok=201,
        ),
        ("get", "/api/funding/projects/{project_id}/planned-disbursements"): Case(
            fixed({"path": {"project_id": world.draft_id}})
        ),
        ("get", "/api/funding/projects/{project_id}/transactions"): Case(
            fixed({"path": {"project_id": world.draft_id}})
        ),
        ("get", "/api/funding/projects/{project_id}/budget-lines"): Case(
            fixed({"path": {"project_id": world.draft_id}})
        ),
        ("get", "/api/funding/projects/{project_id}/summary"): Case(fixed({"path": {"project_id": world.draft_id}})),
        ("get", "/api/funding/projects/{project_id}/iati-money"): Case(fixed({"path": {"project_id": world.draft_id}})),
        ("put", "/api/funding/institutions/{institution}/years/{year}"): Case(fresh_year(), denied=403),
        ("get", "/api/funding/institutions/{institution}/years/{year}"): Case(declared_year()),
        ("get", "/api/funding/rates/{currency}"): Case(usd_rate),
        ("get", "/api/funding/rates/{currency}/conversion"): Case(usd_conversion),
        # Rates are set by the finance administration (rates:write), not by an institution.
        ("put", "/api/funding/rates/{currency}/{rate_date}"): Case(
            fixed({"path": {"currency": "CUP", "rate_date": "2025-03-10"}, "json": {"units_per_eur": "26.0"}}),
            right="finance",
        ),
        ("post", "/api/funding/rates/import"): Case(
            fixed({"content": b"Date,CUP\n2025-03-11,26.1\n", "content_type": "text/csv"}), right="finance"
        ),
        ("post", "/api/funding/sources"): Case(
            lambda: fixed(
                {
                    "json": {
                        "institution": "ajuntament-barcelona",
                        "code": f"SRC-{next(_codes)}",
                        "kind": "own-budget",
                        "name": {"ca": "Pressupost propi"},
                    }
                }
            )(),
            ok=201,
            denied=403,
        ),
        ("get", "/api/funding/sources"): Case(fixed({})),
        ("get", "/api/funding/sources/{source_id}/summary"): Case(own_source),
        ("post", "/api/funding/grants/calls"): Case(
            lambda: fixed({"json": grant_call(f"MATRIX-N{next(_codes)}", False)})(), ok=201, denied=403
        ),
        # Published calls for all; the institution's draft only to its own officers.
        ("get", "/api/funding/grants/calls"): Case(
            fixed({"params": {"institution": "ajuntament-barcelona"}}),
            listed=lambda r: draft_call["id"] in {c["id"] for c in r.json()["items"]},
        ),
        ("get", "/api/funding/grants/calls/{call_id}"): Case(fixed({"path": {"call_id": draft_call["id"]}})),
        # Another institution's draft call is not there for the caller: 404, not 403.
        ("post", "/api/funding/grants/calls/{call_id}/status"): Case(fresh_call()),
        # The open call cannot be resolved yet: passing the guards ends in the business rule's 409.
        ("post", "/api/funding/grants/calls/{call_id}/resolutions/{kind}"): Case(
            fixed({"path": {"call_id": open_call["id"], "kind": "provisional"}}), ok=409, denied=403
        ),
        ("get", "/api/funding/grants/calls/{call_id}/resolution"): Case(
            fixed({"path": {"call_id": open_call["id"]}}), ok=404
        ),
        ("get", "/api/funding/grants/calls/{call_id}/resolution/act"): Case(
            fixed({"path": {"call_id": open_call["id"]}}), ok=404
        ),
        ("get", "/api/funding/grants/awarded"): Case(fixed({"params": {"format": "csv"}})),
        ("get", "/api/funding/grants/calls/{call_id}/applications"): Case(
            fixed({"path": {"call_id": open_call["id"]}})
        ),
        ("post", "/api/funding/grants/calls/{call_id}/applications"): Case(
            lambda: fixed({"path": {"call_id": open_call["id"]}, "json": application_body()})(), ok=201, right="entity"
        ),
        # An entity registers its own tenant; an admin registers any (each case a new tenant).
        ("post", "/api/funding/grants/entities"): Case(
            lambda: fixed(
                {
                    "json": {
                        "tenant": f"ENT-M{next(_codes)}",
                        "name": "Entitat",
                        "tax_id": cif_of(f"G{next(_codes) + 1000000:07d}"),
                        "org_type": "22",
                        "contact": {"email": "m@example.org"},
                        "legal_representative": {"name": "Anna Roca", "tax_id": "X1234567L", "post": "Tresorera"},
                    }
                }
            )(),
            ok=201,
            right="admin",
        ),
        ("get", "/api/funding/grants/entities/{entity_id}"): Case(fixed({"path": {"entity_id": entity["id"]}})),
        # Each caller is answered with its own part (another institution: its calls' applications).
        ("get", "/api/funding/grants/applications"): Case(fixed({"params": {"limit": 5}}), denied=200),
        ("get", "/api/funding/grants/applications/{application_id}"): Case(on_application()),
        ("post", "/api/funding/grants/applications/{application_id}/documents"): Case(
            lambda: fixed({"path": {"application_id": one_application}, **uploaded_file()})(),
            ok=201,
            right="entity",
            denied=403,
        ),
        ("get", "/api/funding/grants/applications/{application_id}/documents"): Case(on_application()),
        ("get", "/api/funding/grants/applications/{application_id}/documents/{document_id}"): Case(
            fixed({"path": {"application_id": one_application, "document_id": one_document.json()["id"]}})
        ),
        ("post", "/api/funding/grants/applications/{application_id}/admission"): Case(
            on_application({"admitted": True}, fresh_one=True)
        ),
        ("post", "/api/funding/grants/applications/{application_id}/scores"): Case(
            on_application({"points": {"c": "60"}, "no_conflict_of_interest": True}), ok=409
        ),
        ("post", "/api/funding/grants/applications/{application_id}/objection"): Case(
            on_application({"text": "Objection"}), ok=409, right="entity", denied=403
        ),
        ("post", "/api/funding/grants/applications/{application_id}/objection/decision"): Case(
            on_application({"upheld": False, "answer": "No"}), ok=409
        ),
        ("post", "/api/funding/grants/applications/{application_id}/acceptance"): Case(
            on_application(), ok=409, right="entity", denied=403
        ),
        # The open call has no provisional resolution: nothing to waive, renounce or release (409).
        ("post", "/api/funding/grants/applications/{application_id}/hearing-waiver"): Case(
            on_application(), ok=409, right="entity", denied=403
        ),
        ("post", "/api/funding/grants/applications/{application_id}/renunciation"): Case(
            on_application({"reason": "We renounce"}), ok=409, right="entity", denied=403
        ),
        ("post", "/api/funding/grants/applications/{application_id}/release"): Case(
            on_application({"reason": "Excluded"}), ok=409
        ),
        ("post", "/api/funding/grants/applications/{application_id}/payments"): Case(
            on_application({"budget_year": 2026}), ok=422
        ),
        ("post", "/api/funding/grants/applications/{application_id}/justification"): Case(
            on_application(
                {
                    "lines": [{"category": "general", "amount_eur": "1.00", "description": "Staff"}],
                    "summary": {"ca": "Fet"},
                }
            ),
            ok=409,
            right="entity",
            denied=403,
        ),
        ("post", "/api/funding/grants/applications/{application_id}/justification/review"): Case(
            on_application({"lines": [{"line": 0, "accepted": True}]}), ok=409
        ),
        ("get", "/api/funding/grants/master-plan/{institution}"): Case(
            fixed({"path": {"institution": "ajuntament-barcelona"}})
        ),
        ("post", "/api/integrations/webhooks"): Case(
            fixed({"json": {"url": "http://127.0.0.1:9/matrix", "event_types": ["funding.budget-set"]}}), ok=201
        ),
        ("get", "/api/integrations/webhooks"): Case(fixed({})),
        ("delete", "/api/integrations/webhooks/{subscription_id}"): Case(fresh_subscription, ok=204),
        ("get", "/api/integrations/webhooks/{subscription_id}/deliveries"): Case(
            fixed({"path": {"subscription_id": subscription_id}})
        ),
        ("post", "/api/integrations/webhooks/deliveries/{delivery_id}/replay"): Case(
            fixed({"path": {"delivery_id": delivery_id}})
        ),
        ("get", "/api/reporting/portfolio"): Case(fixed({})),
        ("get", "/api/reporting/sdg"): Case(fixed({"params": {"method": "equal-split"}})),
        ("get", "/api/reporting/breakdown"): Case(fixed({"params": {"by": "country"}})),
        ("get", "/api/reporting/results"): Case(fixed({"params": {"sdg_indicator": "6.1.1"}})),
        ("get", "/api/reporting/zero-seven"): Case(fixed({"params": {"institution": "amb"}})),
        ("get", "/api/reporting/exports/sdg"): Case(fixed({"params": {"format": "csv"}})),
        ("get", "/api/reporting/exports/breakdown"): Case(fixed({"params": {"by": "year", "format": "xlsx"}})),
        ("get", "/api/reporting/exports/projects"): Case(fixed({})),
        ("get", "/api/reporting/exports/iati"): Case(fixed({"params": {"reporting_org": "ajuntament-barcelona"}})),
        ("get", "/api/reporting/exports/iati-organisation"): Case(
            fixed({"params": {"reporting_org": "ajuntament-barcelona"}})
        ),
        ("get", "/api/reporting/projects"): Case(fixed({})),
        ("get", "/api/reporting/projects/{project_id}"): Case(fixed({"path": {"project_id": world.published_id}})),
        ("get", "/api/gateway/audit"): Case(fixed({}), right="admin", denied=403),
        ("get", "/api/gateway/audit/mine"): Case(fixed({})),
        ("post", "/oauth/token"): Case(
            fixed(
                {
                    "data": {
                        "grant_type": "client_credentials",
                        "client_id": creds.client_id,
                        "client_secret": creds.client_secret,
                    }
                }
            )
        ),
        ("get", "/.well-known/jwks.json"): Case(fixed({})),
        ("get", "/.well-known/openid-configuration"): Case(fixed({})),
        ("get", "/oauth/authorize"): Case(fixed(authorization)),
        # The pages' forms without their session's CSRF token: refused alike, whoever calls.
        ("post", "/oauth/authorize"): Case(fixed({"data": {"email": "x@example.org", "password": "x"}}), ok=403),
        ("get", "/oauth/end-session"): Case(fixed({})),
        ("post", "/oauth/end-session"): Case(fixed({"data": {}}), ok=403),
        ("post", "/oauth/revoke"): Case(fixed({"data": web_client})),
        ("get", "/oauth/password"): Case(fixed({"params": {"token": "not-a-link"}}), ok=400),
        # Back from a tenant's identity provider without a state this gateway gave: refused alike.
        ("get", "/oauth/federated/callback"): Case(fixed({"params": {"state": "not-a-state", "code": "x"}}), ok=401),
        ("post", "/oauth/password"): Case(fixed({"data": {"token": "not-a-link"}}), ok=403),
        ("get", "/api/gateway/users"): Case(fixed({}), right="admin", denied=403),
        ("post", "/api/gateway/users"): Case(invitation(), ok=201, right="admin", denied=403),
        ("get", "/api/gateway/users/{user_id}"): Case(
            fixed({"path": {"user_id": accepted.id}}), right="admin", denied=403
        ),
        ("put", "/api/gateway/users/{user_id}/roles"): Case(
            invited_user(json={"roles": ["tenant-admin"]}), right="admin", denied=403
        ),
        ("post", "/api/gateway/users/{user_id}/disable"): Case(invited_user(), right="admin", denied=403),
        ("post", "/api/gateway/users/{user_id}/password-reset"): Case(
            fixed({"path": {"user_id": accepted.id}, "json": {}}), ok=201, right="admin", denied=403
        ),
        ("get", "/api/gateway/keys"): Case(fixed({}), right="admin", denied=403),
        ("post", "/api/gateway/keys"): Case(fixed({}), ok=201, right="admin", denied=403),
        ("get", "/api/gateway/clients"): Case(fixed({}), right="admin", denied=403),
        ("post", "/api/gateway/clients"): Case(
            fixed(
                {"json": {"name": "Matrix", "scopes": ["projects:read"], "tenant": "MZ-CMM", "tenant_kind": "partner"}}
            ),
            ok=201,
            right="admin",
            denied=403,
        ),
        ("post", "/api/gateway/clients/{client_id}/revoke"): Case(new_client(), right="admin", denied=403),
        ("get", "/.well-known/xarxa-revocations"): Case(fixed({})),
        ("get", "/healthz"): Case(fixed({})),
        ("get", "/readyz"): Case(fixed({})),
    }
    return world


def expectation(rule: dict[str, Any], case: Case, cell: str) -> int | str:
    """The status (or "listed"/"hidden" for lists) that the rule implies for this cell."""
    if cell == "expired token":
        return 401
    name = case.right if cell == "right tenant" else CELL_PRINCIPAL[cell]
    scopes = set(PRINCIPALS[name][2]) if name else set()
    # A rule without scopes asks only for a verified token (what concerns the caller alone).
    holds_scope = "admin" in scopes or not rule["scopes"] or bool(scopes & set(rule["scopes"]))
    if rule["auth"] == "required":
        if name is None:
            return 401
        if not holds_scope:
            return 403
        if rule["tenant"] != "none" and cell == "other tenant":
            return case.denied
        return case.ok
    if rule["auth"] == "optional":
        sees_own = holds_scope and cell == "right tenant"
        if case.listed is not None:
            return "listed" if sees_own else "hidden"
        return case.ok if sees_own else case.denied
    return case.ok


async def call(
    client: httpx.AsyncClient, method: str, path: str, case: Case, headers: dict[str, str]
) -> httpx.Response:
    spec = await case.build()
    url = path.format(**spec.pop("path", {}))
    headers = {**headers, **spec.pop("headers", {})}
    if "content_type" in spec:
        headers["Content-Type"] = spec.pop("content_type")
    return await client.request(method.upper(), url, headers=headers, **spec)


async def test_every_route_has_a_rule_and_each_cell_gets_the_status_the_rule_implies(
    stack: Stack, tokens: Tokens, world: World
) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        document = (await client.get("/openapi.json")).json()
        failures: list[str] = []
        checked = 0
        for path, item in document["paths"].items():
            for method, operation in item.items():
                rule = operation.get("x-xarxa-access")
                if rule is None:
                    failures.append(f"{method.upper()} {path}: no x-xarxa-access rule")
                    continue
                assert set(rule["scopes"]) <= set(SCOPES), f"{path}: unknown scope in {rule}"
                case = world.cases.get((method, path))
                if case is None:
                    failures.append(f"{method.upper()} {path}: no case in the security matrix test")
                    continue
                for cell in CELLS:
                    expected = expectation(rule, case, cell)
                    name = case.right if cell == "right tenant" else CELL_PRINCIPAL[cell]
                    if cell == "expired token":
                        headers = {"Authorization": f"Bearer {tokens.expired('ajuntament')}"}
                    else:
                        headers = tokens.headers(name) if name else {}
                    response = await call(client, method, path, case, headers)
                    actual: int | str = response.status_code
                    if expected in ("listed", "hidden") and response.status_code == 200:
                        assert case.listed is not None
                        actual = "listed" if case.listed(response) else "hidden"
                    checked += 1
                    if actual != expected:
                        failures.append(
                            f"{method.upper()} {path} [{cell}]: expected {expected}, got {actual} {response.text[:200]}"
                        )
        assert not failures, "\n".join(failures)
        assert checked >= len(world.cases) * len(CELLS)


async def test_a_partner_sees_the_drafts_of_projects_it_takes_part_in_only(
    stack: Stack, tokens: Tokens, world: World
) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as partner:
        assert (await partner.get(f"/api/projects/projects/{world.draft_id}")).status_code == 200
        listed = {p["id"] for p in (await partner.get("/api/projects/projects", params={"limit": 500})).json()["items"]}
        assert world.draft_id in listed
        # A partner creates nothing in the registry and sees no other tenant's drafts.
        created = await partner.post("/api/projects/projects", json=project_payload(owner="MZ-CMM"))
        assert created.status_code == 403
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as owner:
        other_draft = (await owner.post("/api/projects/projects", json=project_payload(visibility="draft"))).json()
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as partner:
        assert (await partner.get(f"/api/projects/projects/{other_draft['id']}")).status_code == 404
