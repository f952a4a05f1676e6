"""The officer's import page without script (httpx through the gateway): a CSV of the template's
columns uploaded as a form gives a report per row (imported, or refused with the column and why)
and only the good row becomes a project; an IATI activity file is imported, then imported again as
updates, each report kept by the API and shown after a redirect; a missing, unreadable or unsigned
upload changes nothing; people of other roles find no page."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from lxml import etree, html

from shared.codelists import DATA_DIR
from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.web.console.conftest import World, console_client, csrf_of, officer_of, sign_in

SAMPLE = DATA_DIR / "iati" / "samples" / "ec-intpa-activity.xml"


def _table(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _items(page: str) -> list[str]:
    tree = html.fromstring(page)
    return [" ".join(" ".join(li.itertext()).split()) for li in tree.xpath("//ol[contains(@class,'import-report')]/li")]


async def _projects_coded(gateway: str, tokens: Tokens, prefix: str) -> int:
    async with httpx.AsyncClient(base_url=gateway, headers=tokens.headers("ajuntament")) as owner:
        params = {"owner": "ajuntament-barcelona", "visibility": "draft", "limit": "500"}
        listed = await owner.get("/api/projects/projects", params=params)
    assert listed.status_code == 200, listed.text
    return sum(p["code"].startswith(prefix) for p in listed.json()["items"])


async def test_an_officer_imports_a_csv_and_an_iati_file(stack: Stack, tokens: Tokens, world: World) -> None:
    officer = await officer_of(stack, tokens)
    async with console_client(world.gateway) as client:
        await sign_in(client, officer, "/ca/console/imports")
        form = await client.get("/ca/console/imports")
        assert form.status_code == 200
        csrf = csrf_of(form.text)
        assert html.fromstring(form.text).xpath("//form[@enctype='multipart/form-data']//input[@type='file']/@id") == [
            "file"
        ]

        template = (await client.get("/api/projects/imports/csv/template")).text
        header, example = list(csv.reader(io.StringIO(template)))
        tag = uuid.uuid4().hex[:6].upper()
        good = dict(zip(header, example, strict=True)) | {"code": f"WEB-{tag}-1", "visibility": "draft"}
        bad = good | {"code": f"WEB-{tag}-2", "sdg_goals": "19:100"}
        sent = await client.post(
            "/ca/console/imports",
            data={"csrf_token": csrf, "visibility": "draft"},
            files={"file": ("projectes.csv", _table([good, bad]), "text/csv")},
        )
        assert sent.status_code == 200, sent.text[:2000]
        summary = " ".join(html.fromstring(sent.text).xpath("//div[@class='notice']")[0].text_content().split())
        assert summary == "2 files: 1 importades, 1 rebutjades.", summary
        first, second = _items(sent.text)
        assert first.startswith(f"Fila 2 WEB-{tag}-1") and ": importada" in first, first
        assert second.startswith(f"Fila 3 WEB-{tag}-2") and ": rebutjada" in second and "sdg_goals" in second, second
        links = html.fromstring(sent.text).xpath("//ol[contains(@class,'import-report')]//a/@href")
        assert len(links) == 1 and links[0].startswith("/ca/console/projects/")
        assert await _projects_coded(world.gateway, tokens, f"WEB-{tag}") == 1  # only the good row

        # Not the template's columns: the API's refusal beside the file, nothing imported.
        broken = await client.post(
            "/ca/console/imports",
            data={"csrf_token": csrf},
            files={"file": ("altre.csv", b"nom;titol\nx;y\n", "text/csv")},
        )
        assert broken.status_code == 422
        tree = html.fromstring(broken.text)
        assert tree.xpath("//div[@class='error-summary']//a/@href") == ["#file"]
        assert tree.xpath("//input[@id='file']/@aria-invalid") == ["true"]
        # No file at all, and a form without the session's token: nothing sent to the API.
        empty = await client.post(
            "/ca/console/imports", data={"csrf_token": csrf}, files={"file": ("buit.csv", b"", "text/csv")}
        )
        assert empty.status_code == 422 and "Trieu un fitxer per importar." in empty.text
        unsigned = await client.post(
            "/ca/console/imports",
            data={"csrf_token": "x"},
            files={"file": ("projectes.csv", _table([good | {"code": f"WEB-{tag}-3"}]), "text/csv")},
        )
        assert unsigned.status_code == 403
        assert await _projects_coded(world.gateway, tokens, f"WEB-{tag}") == 1

        activities = [
            a.findtext("iati-identifier", "").strip()
            for a in etree.parse(str(SAMPLE)).getroot().findall("iati-activity")
        ]
        for outcome, count_text in (("importada", "importades"), ("actualitzada", "actualitzades")):
            # No extension and no content type: the file's first character says it is XML.
            uploaded = await client.post(
                "/ca/console/imports",
                data={"csrf_token": csrf, "visibility": "draft"},
                files={"file": ("activitats", SAMPLE.read_bytes(), "application/octet-stream")},
            )
            assert uploaded.status_code == 303, uploaded.text[:2000]
            location = uploaded.headers["location"]
            assert location.startswith("/ca/console/imports/iati/")
            report = await client.get(location)
            assert report.status_code == 200
            notice = " ".join(html.fromstring(report.text).xpath("//div[@class='notice']")[0].text_content().split())
            assert notice.startswith(f"{len(activities)} activitats:") and f"{len(activities)} {count_text}" in notice
            items = _items(report.text)
            assert len(items) == len(activities)
            for identifier, item in zip(activities, items, strict=True):
                assert item.startswith(identifier) and f": {outcome}" in item, item

        assert (await client.get(f"/ca/console/imports/iati/{uuid.uuid4()}")).status_code == 404

    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter, "/pt/console")
        assert (await client.get("/pt/console/imports")).status_code == 404
