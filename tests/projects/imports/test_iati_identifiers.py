"""IATI identifiers: each starts with its owner's organisation identifier and a hyphen, and is unique
in the registry whatever the case (a 409 naming the field). The IATI import keeps a file's identifier
when the owner published it, else derives the project's own and keeps the file's as other-identifier."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from services.projects.imports.iati import own_identifier
from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack

BASE = "/api/projects/projects"
IMPORT = "/api/projects/imports/iati"
BCN = "ES-DIR3-L01080193"  # the Ajuntament's iati_ref in shared/data/xarxa/institutions.json
XML = {"Content-Type": "application/xml"}


def client(stack: Stack, tokens: Tokens, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers(name))


def tag() -> str:
    return uuid.uuid4().hex[:8].upper()


def test_the_import_rule_keeps_only_the_owners_own_identifiers() -> None:
    assert own_identifier(f"{BCN}-PRJ-1", BCN) == (f"{BCN}-PRJ-1", False)
    assert own_identifier("GB-COH-123-X", BCN) == (f"{BCN}-GB-COH-123-X", True)
    assert own_identifier(f"{BCN}X-1", BCN) == (f"{BCN}-{BCN}X-1", True), "a longer org id is another org"


@pytest.mark.parametrize(
    "identifier",
    [
        "XM-DAC-41114-PROJECT-1",  # another publisher's
        "XARXA-AMB-PRJ-1",  # another owner's of the registry
        BCN,  # the prefix alone
        f"{BCN}-",  # the prefix and a hyphen, nothing after
        f"{BCN}1-PRJ",  # a longer organisation identifier
        f"es-dir3-l01080193-PRJ-{uuid.uuid4().hex[:4]}",  # not the organisation identifier as registered
        f"XX-{BCN}-PRJ",
    ],
)
async def test_an_identifier_not_under_the_owners_prefix_is_a_422_naming_it(
    stack: Stack, tokens: Tokens, identifier: str
) -> None:
    async with client(stack, tokens, "ajuntament") as owner:
        response = await owner.post(BASE, json=project_payload(code=f"ID-{tag()}", iati_identifier=identifier))
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/invalid-iati-identifier")
    assert response.json()["errors"][0]["field"] == "iati_identifier"


async def test_identifiers_are_unique_whatever_the_case(stack: Stack, tokens: Tokens) -> None:
    suffix = tag()
    async with client(stack, tokens, "ajuntament") as owner:
        first = await owner.post(BASE, json=project_payload(code=f"ID-{suffix}-a"))
        assert first.status_code == 201 and first.json()["iati_identifier"] == f"{BCN}-ID-{suffix}-a"
        for body in (
            project_payload(code=f"ID-{suffix}-b", iati_identifier=f"{BCN}-ID-{suffix}-a"),  # the same
            project_payload(code=f"ID-{suffix}-c", iati_identifier=f"{BCN}-id-{suffix.lower()}-A"),  # other case
            # another code whose derived identifier collides with the explicit one of a second project
            project_payload(code=f"ID-{suffix}-y"),
        ):
            if body["code"].endswith("-y"):
                second = project_payload(code=f"ID-{suffix}-x", iati_identifier=f"{BCN}-ID-{suffix}-Y")
                assert (await owner.post(BASE, json=second)).status_code == 201
            taken = await owner.post(BASE, json=body)
            assert taken.status_code == 409, taken.text
            assert taken.json()["type"].endswith("/iati-identifier-taken")
            assert taken.json()["errors"][0]["field"] == "iati_identifier"
        # A code that differs only in case is the same code: refused as such, before any identifier.
        same_code = await owner.post(BASE, json=project_payload(code=f"ID-{suffix}-A"))
        assert same_code.status_code == 409 and same_code.json()["type"].endswith("/project-code-taken")
        assert same_code.json()["errors"][0]["field"] == "code"
        listed = (await owner.get(BASE, params={"q": f"ID-{suffix}"})).json()
    assert listed["total"] == 2


async def test_concurrent_creates_of_one_identifier_give_one_project_and_conflicts(
    stack: Stack, tokens: Tokens
) -> None:
    identifier = f"{BCN}-RACE-{tag()}"
    async with client(stack, tokens, "ajuntament") as owner:
        responses = await asyncio.gather(
            *(
                owner.post(BASE, json=project_payload(code=f"RACE-{tag()}", iati_identifier=identifier))
                for _ in range(5)
            )
        )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409], [r.text for r in responses]
    assert all(r.json()["type"].endswith("/iati-identifier-taken") for r in responses if r.status_code == 409)


def activities(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<iati-activity><iati-identifier>{identifier}</iati-identifier>"
        f'<title><narrative xml:lang="ca">Activitat {identifier}</narrative></title>'
        f'<activity-status code="{status}"/></iati-activity>'
        for identifier, status in items
    )
    return f'<iati-activities version="2.03">{body}</iati-activities>'.encode()


async def test_the_import_keeps_own_identifiers_and_derives_foreign_ones(stack: Stack, tokens: Tokens) -> None:
    suffix = tag()
    own, foreign, closed = f"{BCN}-OWN-{suffix}", f"GB-COH-{suffix}", f"XM-DAC-7-{suffix}"
    content = activities((own, "2"), (foreign, "1"), (closed, "4"))
    async with client(stack, tokens, "ajuntament") as owner:
        report = await owner.post(IMPORT, params={"owner": "ajuntament-barcelona"}, content=content, headers=XML)
        assert report.status_code == 200, report.text
        items = {i["iati_identifier"]: i for i in report.json()["items"]}
        assert items[own]["outcome"] == "imported" and items[own]["registered_as"] == own
        assert items[foreign]["outcome"] == "imported" and items[foreign]["registered_as"] == f"{BCN}-{foreign}"
        # A closed activity is history: an institution does not register it in status 4.
        assert items[closed]["outcome"] == "skipped"
        assert any("status 4" in n for n in items[closed]["notes"])

        mine = (await owner.get(f"{BASE}/{items[own]['project_id']}")).json()
        theirs = (await owner.get(f"{BASE}/{items[foreign]['project_id']}")).json()
        assert mine["iati_identifier"] == own and mine["other_identifiers"] == []
        assert theirs["iati_identifier"] == f"{BCN}-{foreign}"
        assert theirs["other_identifiers"] == [{"ref": foreign, "type": "B1"}]

        # Again, with the foreign identifier in other case: the same projects are updated.
        again = await owner.post(
            IMPORT,
            params={"owner": "ajuntament-barcelona"},
            content=activities((own, "2"), (foreign.lower(), "1")),
            headers=XML,
        )
        assert [i["outcome"] for i in again.json()["items"]] == ["updated", "updated"], again.text
        assert again.json()["items"][1]["project_id"] == theirs["id"]
        kept = (await owner.get(f"{BASE}/{theirs['id']}")).json()
        assert kept["other_identifiers"] == theirs["other_identifiers"], "an update keeps the other identifiers"

    async with client(stack, tokens, "admin") as admin:
        migrated = await admin.post(
            IMPORT, params={"owner": "ajuntament-barcelona"}, content=activities((closed, "4")), headers=XML
        )
        item = migrated.json()["items"][0]
        assert item["outcome"] == "imported" and item["registered_as"] == f"{BCN}-{closed}", migrated.text
        history = (await admin.get(f"{BASE}/{item['project_id']}/history")).json()["items"]
        assert history[0]["migrated"] is True and history[0]["tenant"] == "xarxa"
        assert (await admin.get(f"{BASE}/{item['project_id']}")).json()["status"] == "4"


async def test_an_import_for_another_owner_is_refused_before_anything_is_read(stack: Stack, tokens: Tokens) -> None:
    async with client(stack, tokens, "amb") as other:
        response = await other.post(
            IMPORT, params={"owner": "ajuntament-barcelona"}, content=activities((f"{BCN}-X-{tag()}", "2")), headers=XML
        )
    assert response.status_code == 403
