"""Every page type of the portal through the gateway in a real browser, in Catalan, Spanish and English:
drawn charts and maps, no console errors, axe-core finding nothing serious, links that lead somewhere."""

from __future__ import annotations

import csv as csv_module
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page

from services.web.geo import project as map_point
from services.web.i18n import LANGUAGES, Formats
from tests.support.auth import Tokens
from tests.support.portfolio import MIGRATED_AT, Portfolio
from tests.support.projects import project_payload
from tests.support.waiting import eventually
from tests.support.xlsx_cells import cells
from tests.web.conftest import AXE


def page_types(data: dict[str, Any], fall: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """page type -> (path after the language, CSS selector of what must be drawn on it); `fall` is a
    project whose commitments fall below zero in a year (negative bars, leftwards from zero)."""
    city, project = data["city"], data["project"]
    fallen = fall["partner_cities"][0]
    return {
        "home": ("/", "svg.world circle.marker"),
        "explore": ("/projects", "ul.projects li"),
        "project": (f"/projects/{project['id']}", "svg.bars rect.bar"),
        "city": (f"/cities/{city['country']}/{quote(city['name'])}", "svg.world circle.marker"),
        "country": (f"/countries/{city['country']}", "svg.world circle.marker"),
        "sdg": (f"/sdg/{data['goal']}", "ul.projects li"),
        "network": (f"/networks/{data['network']}", "svg.bars rect.bar"),
        "institution": (f"/institutions/{project['owner']}", "svg.bars rect.bar"),
        "zero-seven": ("/zero-seven", "svg.bars rect.bar"),
        "calls": ("/calls", "section.call table.data"),
        "grants awarded": ("/grants-awarded", "table.awarded tbody tr"),
        "methodology": ("/methodology", "pre code"),
        "events": ("/events", "table.data tbody tr"),
        "city widget": (f"/embed/cities/{city['country']}/{quote(city['name'])}", "svg.bars rect.bar"),
        "goal widget": (f"/embed/sdg/{data['goal']}", "dl.figures dd"),
        "project with a fall": (f"/projects/{fall['id']}", "svg.bars rect.bar"),
        "country with a fall": (f"/countries/{fallen['country']}", "svg.bars rect.bar"),
        "institution with a fall": (f"/institutions/{fall['owner']}", "svg.bars rect.bar"),
    }


async def open_page(browser: Browser, url: str, *, bypass_csp: bool = False) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = await page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    return page, errors


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def test_every_page_type_renders_in_each_language_drawn_accessible_and_without_errors(
    portal: str, browser: Browser, sample: dict[str, Any], portfolio: Portfolio
) -> None:
    money = {"ca": re.compile(r"\d,\d\d\u00a0€"), "es": re.compile(r"\d,\d\d\u00a0€"), "en": re.compile(r"€\d")}
    for language in LANGUAGES:
        for kind, (path, drawn) in page_types(sample, portfolio.fall).items():
            url = f"{portal}/{language}{path}"
            page, errors = await open_page(browser, url, bypass_csp=True)
            assert await page.get_attribute("html", "lang") == language, url
            assert await page.locator(drawn).count() > 0, f"{url}: nothing drawn at {drawn}"
            if kind in ("home", "city", "institution", "zero-seven"):
                assert money[language].search(await page.inner_text("main")), (
                    f"{url}: money not in the {language} format"
                )
            violations = await axe_violations(page)
            assert not violations, f"{url}: " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)
            assert not errors, f"{url}: console errors {errors}"
            await page.context.close()


async def test_pages_keep_their_content_security_policy_without_console_errors(
    portal: str, browser: Browser, sample: dict[str, Any], portfolio: Portfolio
) -> None:
    """The same pages under their real CSP: no inline script or style that the policy would block."""
    for path, _ in page_types(sample, portfolio.fall).values():
        page, errors = await open_page(browser, f"{portal}/en{path}")
        assert not errors, f"{path}: {errors}"
        await page.context.close()


async def test_no_internal_link_of_any_page_type_is_broken(
    portal: str, browser: Browser, sample: dict[str, Any], portfolio: Portfolio
) -> None:
    links: set[str] = set()
    for language in LANGUAGES:
        for path, _ in page_types(sample, portfolio.fall).values():
            page, _ = await open_page(browser, f"{portal}/{language}{path}")
            hrefs = await page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            links.update(h.split("#")[0] for h in hrefs if h.startswith(portal))
            await page.context.close()
    assert len(links) > 50
    async with httpx.AsyncClient(timeout=60) as client:
        broken = {}
        for link in sorted(links):
            response = await client.get(link)
            if response.status_code >= 400:
                broken[link] = response.status_code
    assert not broken, broken


async def test_the_language_switch_keeps_the_page_and_its_filters(portal: str, browser: Browser) -> None:
    page, errors = await open_page(browser, f"{portal}/ca/projects?status=2&sort=code")
    await page.get_by_role("link", name="Español").click()
    await page.wait_for_load_state()
    assert page.url == f"{portal}/es/projects?status=2&sort=code"
    assert await page.get_attribute("html", "lang") == "es"
    assert await page.get_by_role("heading", name="Proyectos", exact=True).count() == 1
    assert await page.locator("#f-status").input_value() == "2"
    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("button", name="Show projects").count() == 1
    assert not errors
    await page.context.close()


@pytest.mark.parametrize(
    ("accept", "expected"), [("es-ES,es;q=0.9,en;q=0.8", "es"), ("en-GB", "en"), ("fr-FR,de;q=0.5", "ca"), ("", "ca")]
)
async def test_the_root_redirects_to_the_readers_language(portal: str, accept: str, expected: str) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        response = await client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["location"] == f"/{expected}/"


async def test_the_as_of_control_shows_the_figures_of_that_day(
    portal: str, browser: Browser, portfolio: Portfolio
) -> None:
    """No test records anything before 1990 (tests/support/unique.py hands out past years from there):
    at the end of 1989 nothing was published; the portfolio's
    rich project was migrated as recorded in early 2025, the rest today: at the end of 2025 part of
    today's portfolio was."""
    assert MIGRATED_AT < "2025-12-31" and portfolio.rich["visibility"] == "published"
    page, errors = await open_page(browser, f"{portal}/en/")
    today = await page.locator(".figures dd").first.inner_text()
    assert int(today.replace(",", "")) > 0
    before = "1989-12-31"
    await page.fill("#as_of", before)
    await page.get_by_role("button", name="Show", exact=True).click()
    await page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["as_of"] == [before]
    assert await page.locator(".figures dd").first.inner_text() == "0"
    await page.fill("#as_of", "2025-12-31")
    await page.get_by_role("button", name="Show", exact=True).click()
    await page.wait_for_load_state()
    then = int((await page.locator(".figures dd").first.inner_text()).replace(",", ""))
    assert 0 < then <= int(today.replace(",", ""))
    assert "Figures as they stood at the end of" in await page.inner_text(".freshness")
    await page.get_by_role("link", name="Show today's figures").click()
    await page.wait_for_load_state()
    assert await page.locator(".figures dd").first.inner_text() == today
    assert not errors
    await page.context.close()


async def test_the_explore_download_carries_the_filters_and_holds_exactly_the_projects_shown(
    portal: str, browser: Browser, portfolio: Portfolio
) -> None:
    institution = portfolio.fall["owner"]
    assert portfolio.fall["status"] == "2"
    page, _ = await open_page(browser, f"{portal}/en/projects")
    await page.select_option("#f-institution", institution)
    await page.select_option("#f-status", "2")
    await page.get_by_role("button", name="Show projects").click()
    await page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["institution"] == [institution] and query["status"] == ["2"]
    shown = int((await page.inner_text(".count")).split()[0])
    href = await page.locator("a.download-csv").get_attribute("href")
    assert href is not None
    exported = parse_qs(urlsplit(href).query)
    assert exported == {"format": ["csv"], "institution": [institution], "status": ["2"]}
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        csv = await client.get(href)
    assert csv.status_code == 200
    rows = [line for line in csv.text.splitlines()[1:] if line.strip()]
    assert shown > 0 and len(rows) == shown
    assert portfolio.fall["code"] in csv.text
    await page.context.close()


async def test_every_filter_of_explore_goes_into_each_download_which_holds_the_projects_shown(
    portal: str, browser: Browser, sample: dict[str, Any]
) -> None:
    """Words, SDG goal and target, sector, modality and the year (projects active in it) too: the
    CSV, the XLSX and the IATI file ask the exports for exactly what the page lists."""
    project = sample["project"]
    goal = project["sdg_goals"][0]
    word = max(project["code"].split("-"), key=len)
    year = (project["dates"].get("actual_start") or project["dates"]["planned_start"])[:4]
    chosen = {
        "q": word,
        "institution": project["owner"],
        "sdg_goal": goal["goal"],
        "sector": project["sectors"][0]["code"],
        "modality": project["modality"],
        "year": year,
    }
    if goal.get("targets"):
        chosen["sdg_target"] = goal["targets"][0]
    page, errors = await open_page(browser, f"{portal}/en/projects")
    await page.fill("#f-q", chosen["q"])
    for name, value in chosen.items():
        if name != "q":
            await page.select_option(f"#f-{name}", value)
    await page.get_by_role("button", name="Show projects").click()
    await page.wait_for_load_state()
    assert {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items() if k != "sort"} == chosen
    shown = int((await page.inner_text(".count")).split()[0])
    assert shown >= 1
    exported = {k: v for k, v in chosen.items() if k != "year"} | {"active_from": year, "active_to": year}
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        rows = {}
        for kind in ("csv", "xlsx"):
            href = await page.locator(f"a.download-{kind}").get_attribute("href")
            assert href is not None
            assert {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()} == {"format": kind, **exported}
            content = (await client.get(href)).content
            if kind == "csv":
                rows[kind] = len([line for line in content.decode().splitlines()[1:] if line.strip()])
            else:
                rows[kind] = len({row for row, _ in cells(content)}) - 1  # less the heading row
        assert rows == {"csv": shown, "xlsx": shown}
        iati = await page.locator("a.download-iati").get_attribute("href")
        assert iati is not None
        query = {k: v[0] for k, v in parse_qs(urlsplit(iati).query).items()}
        rest = {k: v for k, v in exported.items() if k != "institution"}
        assert query == {"reporting_org": project["owner"], **rest}
        xml = (await client.get(iati)).text
        assert xml.count("<iati-activity ") + xml.count("<!-- not exported:") == shown
        assert project["iati_identifier"] in xml
        # One filter fewer on the page: more (or as many) projects, and the download follows.
        wider = await client.get(f"/en/projects?institution={project['owner']}&modality={project['modality']}")
        count = int(re.search(r'class="count"[^>]*>([\d,]+)', wider.text).group(1).replace(",", ""))  # type: ignore[union-attr]
        csv = await client.get(
            "/api/reporting/exports/projects",
            params={"format": "csv", "institution": project["owner"], "modality": project["modality"]},
        )
        assert count >= shown and len([line for line in csv.text.splitlines()[1:] if line.strip()]) == count
    assert not errors
    await page.context.close()


async def test_a_project_page_shows_its_money_by_year_as_the_reporting_api_gives_it(
    portal: str, browser: Browser, portfolio: Portfolio
) -> None:
    """The fall's project: 30,000 committed in 2024, 20,000 less in 2025 (a negative year), 10,000 in all."""
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        params = {"by_year": "true", "id": portfolio.fall["id"]}
        listed = (await client.get("/api/reporting/projects", params=params)).json()
    [project] = listed["items"]
    committed = {year: money["committed_eur"] for year, money in project["money"]["years"].items()}
    assert committed == {"2024": "30000.00", "2025": "-20000.00"}
    assert project["money"]["committed_eur"] == "10000.00"
    page, errors = await open_page(browser, f"{portal}/es/projects/{project['id']}")
    assert await page.locator("#money-chart svg.bars rect.bar").count() == 3 * len(project["money"]["years"])
    rows = await page.locator("#money-chart tbody tr").all_inner_texts()
    years = sorted(project["money"]["years"], key=lambda y: (y == "undated", y))
    assert [row.split("\t")[0] for row in rows] == [("Todavía sin fecha" if y == "undated" else y) for y in years]
    es = Formats("es")
    for row, year in zip(rows, years, strict=True):
        money = project["money"]["years"][year]
        expected = [es.money(money[n]) for n in ("budgeted_eur", "committed_eur", "disbursed_eur")]
        assert row.split("\t")[1:] == expected, year
    total = (await page.locator("#money-chart tfoot tr").inner_text()).split("\t")[1:]
    assert total == [es.money(project["money"][n]) for n in ("budgeted_eur", "committed_eur", "disbursed_eur")]
    assert not errors
    await page.context.close()


# Spaces and line breaks of the markup collapse; the no-break spaces of formatted money stay.
ROWS_JS = "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim().replace(/[ \\t\\n]+/g, ' ')))"


def awarded_rows(grants: list[dict[str, Any]], f: Formats) -> list[list[str]]:
    """The cells the transparency page must show for the API's grants, in its order."""
    partial, reserve = f.gettext("partial"), f.gettext("from the reserve list")
    return [
        [
            g["beneficiary"],
            g["purpose"],
            g["modality"],
            f.money(g["amount_eur"]) + (f" {partial}" if g["partial"] else ""),
            f"{g['call_code']} · {g['call_title']} ({g['institution']})"
            + (f" {reserve}" if g["from_reserve_list"] else ""),
            f.day(g["awarded_on"]),
        ]
        for g in grants
    ]


async def test_the_grants_awarded_page_shows_the_apis_list_in_each_language_with_its_open_data(
    portal: str, browser: Browser, portfolio: Portfolio
) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        for language in LANGUAGES:
            f = Formats(language)
            api = (await client.get("/api/funding/grants/awarded", params={"lang": language})).json()
            ours = [g for g in api["items"] if g["call_id"] == portfolio.awarded_call["id"]]
            assert [g["amount_eur"] for g in ours] == ["30000.00"], "the portfolio's call funds one of two"
            page, errors = await open_page(browser, f"{portal}/{language}/grants-awarded")
            shown = await page.eval_on_selector_all("table.awarded tbody tr", ROWS_JS)
            assert shown == awarded_rows(api["items"], f)
            total = await page.eval_on_selector_all(
                "table.awarded tfoot td.num", "cells => cells.map(c => c.textContent)"
            )
            assert total == [f.money(api["total_eur"])]
            assert f.money(api["total_eur"]) in await page.inner_text(".count")
            # Reached from the navigation and from the grant calls page.
            assert await page.locator(f'nav.main-nav a[href="/{language}/grants-awarded"]').count() == 1
            calls = (await client.get(f"/{language}/calls")).text
            assert f'href="/{language}/grants-awarded"' in calls
            assert not errors
            await page.context.close()


async def test_the_grants_awarded_filters_narrow_the_list_and_its_csv_alike(
    portal: str, browser: Browser, portfolio: Portfolio
) -> None:
    call = portfolio.awarded_call
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        every = (await client.get("/api/funding/grants/awarded", params={"lang": "es"})).json()["items"]
        chosen = {"institution": call["institution"], "year": str(call["year"])}
        api = (await client.get("/api/funding/grants/awarded", params={**chosen, "lang": "es"})).json()
        page, errors = await open_page(browser, f"{portal}/es/grants-awarded")
        for name, value in chosen.items():
            await page.select_option(f"#f-{name}", value)
        await page.get_by_role("button", name="Mostrar las subvenciones").click()
        await page.wait_for_load_state()
        assert {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()} == chosen
        shown = await page.eval_on_selector_all("table.awarded tbody tr", ROWS_JS)
        assert shown == awarded_rows(api["items"], Formats("es")) and 0 < len(shown) <= len(every)
        assert call["id"] in {g["call_id"] for g in api["items"]}
        href = await page.locator("a.download-csv").get_attribute("href")
        assert href is not None and urlsplit(href).path == "/api/funding/grants/awarded"
        assert {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()} == {"format": "csv", "lang": "es", **chosen}
        csv = await client.get(href)
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        lines = [line for line in csv.text.splitlines()[1:] if line.strip()]
        assert len(lines) == len(shown)
        assert [row[0] for row in csv_module.reader(lines)] == [g["beneficiary"] for g in api["items"]]
        assert not errors
        await page.context.close()


async def test_grants_awarded_filter_values_no_select_offers_are_named_and_left_out(
    portal: str, browser: Browser
) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        api = (await client.get("/api/funding/grants/awarded", params={"lang": "en"})).json()
    page, errors = await open_page(
        browser, f"{portal}/en/grants-awarded?institution=nowhere&year=1999", bypass_csp=True
    )
    summary = page.locator(".error-summary")
    assert {await a.get_attribute("href") for a in await summary.locator("a").all()} == {"#f-institution", "#f-year"}
    assert await page.eval_on_selector_all("table.awarded tbody tr", ROWS_JS) == awarded_rows(
        api["items"], Formats("en")
    )
    assert not await axe_violations(page)
    assert not errors
    await page.context.close()


async def test_map_markers_stand_where_the_city_breakdown_places_them_named_in_the_readers_language(
    portal: str, browser: Browser
) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        rows = (await client.get("/api/reporting/breakdown", params={"by": "city"})).json()["rows"]
        placed = [r for r in rows if r.get("place") and r["place"]["latitude"] is not None]
        assert placed
        for language in LANGUAGES:
            f = Formats(language)
            page, errors = await open_page(browser, f"{portal}/{language}/")
            circles = await page.eval_on_selector_all(
                "#map circle.marker",
                "cs => cs.map(c => [c.getAttribute('cx'), c.getAttribute('cy'), c.querySelector('title').textContent])",
            )
            expected = []
            for row in placed:
                point = map_point(row["place"]["longitude"], row["place"]["latitude"])
                name = row["place"]["names"].get(language) or row["value"]
                money = f.money(row["attributed"]["committed_eur"])
                expected.append([f"{point.x:.1f}", f"{point.y:.1f}", f"{name}: {money}"])
            assert sorted(circles) == sorted(expected)
            # The table's links keep the address the reports filter by, and each leads to the city.
            hrefs = set(
                await page.eval_on_selector_all(
                    "table.data th a[href*='/cities/']", "as => as.map(a => a.getAttribute('href'))"
                )
            )
            wanted = {
                f"/{language}/cities/{r['place']['country']}/{quote(r['value'], safe='')}"
                for r in rows
                if r.get("place")
            }
            assert hrefs == wanted
            assert not errors
            await page.context.close()
        for href in sorted(wanted):
            assert (await client.get(href)).status_code == 200, href


async def test_projects_without_a_partner_city_are_a_translated_row(portal: str, tokens: Tokens) -> None:
    payload = project_payload(partner_cities=[], recipient_countries=[{"code": "MZ", "percentage": "100"}])
    async with httpx.AsyncClient(base_url=portal, timeout=30, headers=tokens.headers("admin")) as admin:
        created = await admin.post("/api/projects/projects", json=payload)
        assert created.status_code == 201, created.text

        async def reported() -> bool:
            rows = (await admin.get("/api/reporting/breakdown", params={"by": "city"})).json()["rows"]
            return any(row["value"] == "(none)" for row in rows)

        await eventually(reported, what="a project without a partner city in the city breakdown")
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        for language, words in (("ca", "Sense ciutat sòcia"), ("es", "Sin ciudad socia"), ("en", "No partner city")):
            home = (await client.get(f"/{language}/")).text
            assert words in home and "(none)" not in home
            explore = (await client.get(f"/{language}/projects")).text
            assert "(none)" not in explore


async def test_pages_revalidate_with_their_etag_and_assets_are_cached_long(portal: str) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        first = await client.get("/ca/")
        assert first.status_code == 200 and first.headers["etag"]
        again = await client.get("/ca/", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        other_language = await client.get("/es/", headers={"If-None-Match": first.headers["etag"]})
        assert other_language.status_code == 200
        css = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', first.text)
        assert css is not None
        asset = await client.get(css.group(1))
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]


async def test_unknown_pages_are_the_portals_404_and_unknown_api_paths_the_apis(portal: str) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        page = await client.get("/es/no-such-page")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "Página no encontrada" in page.text
        unpublished = await client.get("/en/projects/00000000-0000-0000-0000-000000000000")
        assert unpublished.status_code == 404
        api = await client.get("/api/nothing")
        assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


async def test_api_docs_load_swagger_ui_from_this_origin(portal: str, browser: Browser) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        docs = await client.get("/docs")
    assert "cdn" not in docs.text and "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    page, errors = await open_page(browser, f"{portal}/docs")
    await page.wait_for_selector(".opblock", timeout=20_000)
    assert await page.locator(".opblock").count() > 10
    assert not errors
    await page.context.close()


async def test_filter_values_no_select_offers_are_named_in_an_error_summary_and_left_out(
    portal: str, browser: Browser
) -> None:
    page, errors = await open_page(browser, f"{portal}/en/projects", bypass_csp=True)
    total = await page.inner_text(".count")
    await page.goto(f"{portal}/en/projects?status=99&country=ZZ&sort=code")
    summary = page.locator(".error-summary")
    assert await summary.count() == 1
    assert {await a.get_attribute("href") for a in await summary.locator("a").all()} == {"#f-status", "#f-country"}
    assert await page.inner_text(".count") == total
    assert await page.locator("#f-status").get_attribute("aria-describedby") == "f-status-error"
    assert not await axe_violations(page)
    assert not errors
    await page.context.close()


HOSTILE = [
    "/en/cities/MZ/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/en/cities/%3Cb%3E/Maputo",
    "/en/countries/Z1",
    "/en/countries/%27%20OR%201%3D1",
    "/en/sdg/99",
    "/en/sdg/%2e%2e",
    "/en/projects/not-a-uuid",
    "/en/networks/%00",
    "/en/institutions/..%2f..%2fetc",
    "/en/projects?q=%27%20OR%20%271%27%3D%271&cursor=%25%25%25",
    "/en/projects?year=-1&sort=%3Bdrop",
    "/en/?as_of=9999-99-99",
    "/en/zero-seven?as_of=2999-01-01",
    "/zz/",
    "/en/static/../../etc/passwd",
    "/en/embed/cities/MZ/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/en/embed/sdg/%3Cb%3E",
    "/en/projects?modality=%3Cb%3E&sdg_target=%27%3B--",
    "/en/grants-awarded?year=%3Cb%3E&institution=%27%3B--",
    "/en/grants-awarded?year=99999999999999999999&institution=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
]


@pytest.mark.parametrize("path", HOSTILE)
async def test_hostile_addresses_get_a_page_or_a_client_error_never_a_5xx_or_a_reflected_script(
    portal: str, path: str
) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        response = await client.get(path)
    # 400: the gateway's input guard (a NUL byte, broken UTF-8); 404: no such page.
    assert response.status_code in (200, 400, 404), f"{path}: {response.status_code}"
    assert "<script>alert(1)" not in response.text and "<b>" not in response.text
