"""Files of an application through the real gateway: what is accepted, where it is kept, who may
download it, and the bounded larger body the upload route takes."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import httpx

from services.funding.grants.files import MAX_FILE_BYTES
from shared.guards import MAX_UPLOAD_BYTES
from tests.support import document_samples as samples
from tests.support.auth import Tokens, fetch_token, register_client
from tests.support.grants import application_body, open_call, registered_entity
from tests.support.stack import Stack


async def applied(stack: Stack, gateway: httpx.AsyncClient) -> tuple[httpx.AsyncClient, str]:
    """A new entity's client and its application, submitted to an open call."""
    client, _ = await registered_entity(stack)
    call_id = await open_call(gateway)
    created = await client.post(f"/api/funding/grants/calls/{call_id}/applications", json=application_body())
    assert created.status_code == 201, created.text
    return client, str(created.json()["id"])


def form(
    content: bytes, name: str = "pressupost.pdf", declared: str = "application/pdf", **fields: str
) -> dict[str, Any]:
    return {
        "files": {"file": (name, content, declared)},
        "data": {"purpose": "application", "title": "Pressupost detallat", **fields},
    }


async def test_an_entity_uploads_files_and_those_allowed_download_them(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    applicant, application_id = await applied(stack, gateway)
    stranger, _ = await registered_entity(stack)
    url = f"/api/funding/grants/applications/{application_id}/documents"
    content = samples.pdf(pages=3)
    readers: dict[str, httpx.AsyncClient] = {}
    try:
        # Named and declared as an image: it is a PDF, and that is what is recorded.
        created = await applicant.post(url, **form(content, name="../../foto.png", declared="image/png"))
        assert created.status_code == 201, created.text
        document = created.json()
        assert document["media_type"] == "application/pdf"
        assert document["size_bytes"] == len(content)
        assert document["sha256"] == hashlib.sha256(content).hexdigest()
        assert document["filename"] == "foto.png" and document["purpose"] == "application"
        sheet = samples.ooxml("xl/workbook.xml")
        second = await applicant.post(url, **form(sheet, name="budget.xlsx", declared="application/octet-stream"))
        assert second.status_code == 201, second.text

        download = f"{url}/{document['id']}"
        # The call's institution: its officers, and an evaluator's client holding funding:write only.
        evaluator = await register_client(stack, "ajuntament-barcelona", "institution", ["funding:write"])
        evaluator_token = await fetch_token(stack.gateway, evaluator)
        readers = {
            "applicant": applicant,
            "admin": gateway,
            "officer": httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")),
            "evaluator": httpx.AsyncClient(
                base_url=stack.gateway, headers={"Authorization": f"Bearer {evaluator_token}"}
            ),
        }
        for who, client in readers.items():
            got = await client.get(download)
            assert got.status_code == 200, (who, got.text)
            assert got.content == content
            assert got.headers["content-type"] == "application/pdf"
            assert got.headers["content-disposition"].startswith('attachment; filename="foto.pdf"')
            assert got.headers["x-content-type-options"] == "nosniff"
            digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
            assert got.headers["repr-digest"] == f"sha-256=:{digest}:"
            listed = await client.get(url)
            assert [d["id"] for d in listed.json()["items"]] == [document["id"], second.json()["id"]]
        # Another entity and another institution learn nothing; no token, no answer; officers'
        # scope without the institution and no scope at all are refused before anything.
        missing = f"{url}/{uuid.uuid4()}"
        assert (await stranger.get(download)).status_code == 404
        assert (await stranger.get(url)).status_code == 404
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as amb:
            assert (await amb.get(download)).status_code == 404
            assert (await amb.get(url)).status_code == 404
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as partner:
            assert (await partner.get(download)).status_code == 403
        assert (await anonymous.get(download)).status_code == 401
        assert (await applicant.get(missing)).status_code == 404
        # Only the entity adds files: the institution's officers read them.
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as officer:
            assert (await officer.post(url, **form(content))).status_code == 403
        assert (await stranger.post(url, **form(content))).status_code == 404
    finally:
        await applicant.aclose()
        await stranger.aclose()
        for who, client in readers.items():
            if who not in ("applicant", "admin"):
                await client.aclose()


async def test_refused_files_name_the_field_and_leave_nothing(stack: Stack, gateway: httpx.AsyncClient) -> None:
    applicant, application_id = await applied(stack, gateway)
    url = f"/api/funding/grants/applications/{application_id}/documents"
    try:
        for content, name in [
            (samples.HTML, "memoria.pdf"),
            (samples.EXE, "budget.docx"),
            (samples.SVG, "logo.png"),
            (samples.OLE2, "old.doc"),
            (samples.plain_zip(), "annex.docx"),
            (b"", "empty.pdf"),
        ]:
            refused = await applicant.post(url, **form(content, name=name))
            assert refused.status_code == 422, (name, refused.text)
            assert [e["field"] for e in refused.json()["errors"]] == ["file"], refused.text
        for fields, field in [({"purpose": "budget"}, "purpose"), ({"title": ""}, "title")]:
            refused = await applicant.post(url, **form(samples.pdf(), **fields))
            assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
        no_file = await applicant.post(url, data={"purpose": "application", "title": "T"}, files={"x": ("a", b"1")})
        assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
        # Files of an objection or a justification wait for that step.
        for purpose in ("objection", "justification"):
            early = await applicant.post(url, **form(samples.pdf(), purpose=purpose))
            assert early.status_code == 409, early.text
        assert (await applicant.get(url)).json()["items"] == []
    finally:
        await applicant.aclose()


async def test_the_upload_route_takes_a_bounded_larger_body(stack: Stack, gateway: httpx.AsyncClient) -> None:
    applicant, application_id = await applied(stack, gateway)
    url = f"/api/funding/grants/applications/{application_id}/documents"
    big = samples.pdf() + b"\n%" + b"x" * (5 * 1024 * 1024)  # 5 MiB: over the 1 MiB of every other request
    try:
        accepted = await applicant.post(url, **form(big))
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["size_bytes"] == len(big)
        got = await applicant.get(f"{url}/{accepted.json()['id']}")
        assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(big).hexdigest()
        # The larger limit is for multipart uploads of this route only.
        as_json = await applicant.post(
            url, content=b'"' + b"x" * (2 * 1024 * 1024) + b'"', headers={"content-type": "application/json"}
        )
        assert as_json.status_code == 413, as_json.text
        elsewhere = await applicant.post(
            "/api/funding/grants/entities", files={"file": ("a.pdf", big, "application/pdf")}
        )
        assert elsewhere.status_code == 413
        # One byte over the file limit: through the gateway, refused by the service naming the file.
        over_file = samples.pdf() + b"%" + b"x" * (MAX_FILE_BYTES - len(samples.pdf()))
        assert len(over_file) == MAX_FILE_BYTES + 1
        too_large = await applicant.post(url, **form(over_file))
        assert too_large.status_code == 413, too_large.text
        assert too_large.json()["errors"][0]["field"] == "file"
        # Over the upload limit itself: refused at the door.
        at_door = await applicant.post(url, **form(b"%PDF-" + b"x" * MAX_UPLOAD_BYTES))
        assert at_door.status_code == 413 and at_door.json()["type"].endswith("/payload-too-large")
        assert [d["id"] for d in (await applicant.get(url)).json()["items"]] == [accepted.json()["id"]]
    finally:
        await applicant.aclose()


async def test_application_files_close_with_admission(stack: Stack, gateway: httpx.AsyncClient) -> None:
    applicant, application_id = await applied(stack, gateway)
    url = f"/api/funding/grants/applications/{application_id}/documents"
    try:
        admitted = await gateway.post(
            f"/api/funding/grants/applications/{application_id}/admission", json={"admitted": True}
        )
        assert admitted.status_code == 200, admitted.text
        late = await applicant.post(url, **form(samples.pdf()))
        assert late.status_code == 409 and "admitted" in late.json()["detail"]
    finally:
        await applicant.aclose()
