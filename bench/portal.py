"""The portal's pages at the portfolio's size: the home page and an SDG goal's page through the
gateway (p95, each a full render: no ETag sent), beside the API calls the page makes, timed the same
way in the same run (at once, as the page makes them); and the bytes a first visit transfers, from
Chromium's own count of every response (HTML, CSS, JS, images: headers and bodies as sent).

Run alone: `python -m bench.portal` (its own platform and a 10,000-project portfolio;
XARXA_BENCH_PORTAL_SIZE, XARXA_BENCH_PORTAL_REQUESTS)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
from playwright.async_api import Request, async_playwright

from bench.platform import Platform
from bench.scenarios import Row, pct

CHROMIUM = "/usr/bin/chromium"
GOAL = "11"


def home_calls(year: int) -> list[tuple[str, dict[str, str]]]:
    """What services/web/pages/home.py asks the API for (the codelists are cached by the portal)."""
    return [
        ("/api/reporting/portfolio", {}),
        ("/api/reporting/breakdown", {"by": "year"}),
        ("/api/reporting/breakdown", {"by": "city"}),
        ("/api/reporting/sdg", {}),
        ("/api/reporting/zero-seven", {"year_from": str(year), "year_to": str(year)}),
        ("/api/projects/projects", {"limit": "500"}),
    ]


def sdg_calls(goal: str) -> list[tuple[str, dict[str, str]]]:
    """What services/web/pages/places.py's SDG page asks the API for."""
    return [
        ("/api/reporting/sdg", {}),
        ("/api/projects/projects", {"sdg_goal": goal, "limit": "500", "sort": "title"}),
        ("/api/reporting/zero-seven", {}),
    ]


async def timed(call: Callable[[], Awaitable[None]], requests: int) -> list[float]:
    await call()  # warm: codelists cached, connections open
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def page_and_api(
    gateway: str, path: str, calls: list[tuple[str, dict[str, str]]], requests: int
) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:

        async def page() -> None:
            response = await client.get(path)
            response.raise_for_status()

        async def api() -> None:
            responses = await asyncio.gather(*(client.get(p, params=params) for p, params in calls))
            for response in responses:
                response.raise_for_status()

        # Interleaved, so both see the same machine state.
        pages, apis = [], []
        for _ in range(max(1, requests // 5)):
            pages += await timed(page, 5)
            apis += await timed(api, 5)
        revalidate = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": revalidate.headers["etag"]})
    return {
        "page_p50_ms": pct(pages, 50),
        "page_p95_ms": pct(pages, 95),
        "api_p50_ms": pct(apis, 50),
        "api_p95_ms": pct(apis, 95),
        "api_calls": len(calls),
        "revalidated_status": again.status_code,
    }


async def first_visit_bytes(gateway: str, path: str) -> dict[str, float]:
    """A new browser (empty cache) opens the page: every response's headers and body as sent."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await (await browser.new_context()).new_page()
            finished: list[Request] = []
            page.on("requestfinished", lambda request: finished.append(request))
            await page.goto(gateway + path, wait_until="networkidle")
            by_kind: dict[str, float] = {}
            for request in finished:
                sizes = await request.sizes()
                sent = sizes["responseHeadersSize"] + sizes["responseBodySize"]
                kind = request.resource_type
                by_kind[kind] = by_kind.get(kind, 0) + sent
            return {
                "bytes": sum(by_kind.values()),
                "requests": len(finished),
                **{f"bytes_{k}": v for k, v in by_kind.items()},
            }
        finally:
            await browser.close()


async def portal_at(platform: Platform, requests: int = 20) -> list[Row]:
    """`requests` full renders of each page (a home page at 10,000 projects takes seconds)."""
    year = date.today().year
    home = await page_and_api(platform.gateway, "/en/", home_calls(year), requests)
    print(f"bench: portal home page: {home}", flush=True)
    sdg = await page_and_api(platform.gateway, f"/en/sdg/{GOAL}", sdg_calls(GOAL), requests)
    print(f"bench: portal SDG page: {sdg}", flush=True)
    visit = await first_visit_bytes(platform.gateway, "/en/")
    rows = []
    for name, run in (("home page", home), (f"SDG {GOAL} page", sdg)):
        rows.append(
            Row(
                f"portal {name} through the gateway (full render, no ETag)",
                f"p95 {run['page_p95_ms']:.1f} ms (p50 {run['page_p50_ms']:.1f} ms); "
                f"revalidated with its ETag: {run['revalidated_status']:.0f}",
                f"the {run['api_calls']:.0f} API calls it makes, at once: p95 {run['api_p95_ms']:.1f} ms "
                f"(p50 {run['api_p50_ms']:.1f} ms)",
                f"{run['page_p95_ms'] / run['api_p95_ms']:.2f}x",
                "close to 1x: rendering adds little to the API",
                run,
            )
        )
    kinds = ", ".join(
        f"{k.removeprefix('bytes_')} {v / 1024:.1f} KiB" for k, v in sorted(visit.items()) if k.startswith("bytes_")
    )
    rows.append(
        Row(
            "portal first visit of the home page (empty cache, Chromium)",
            f"{visit['bytes'] / 1024:.1f} KiB in {visit['requests']:.0f} responses ({kinds})",
            "headers and bodies as sent (no compression by the gateway)",
            "",
            "small: no framework, no web font, no tiles",
            visit,
        )
    )
    return rows


def main() -> int:
    """The portal rows alone, on a platform with a portfolio of XARXA_BENCH_PORTAL_SIZE projects."""
    from bench import scenarios
    from bench.__main__ import table
    from bench.platform import running_platform
    from xarxa.launcher.services import BACKEND_SERVICES

    size = int(os.environ.get("XARXA_BENCH_PORTAL_SIZE", "10000"))
    reporting = next(s for s in BACKEND_SERVICES if s.name == "reporting")
    with running_platform() as platform:
        platform.stop("reporting")
        asyncio.run(scenarios.rebuild_at(platform, size))
        platform.start(reporting)
        asyncio.run(scenarios.wait_caught_up(platform.infra.kafka.bootstrap))
        rows = asyncio.run(portal_at(platform, int(os.environ.get("XARXA_BENCH_PORTAL_REQUESTS", "20"))))
    print(f"\nPortal at {size:,} projects\n\n{table(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
