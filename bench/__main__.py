"""Run every scenario on a fresh platform and print one table (and bench/results/*.json).

Sizes of the growth runs: XARXA_BENCH_SIZES (default 1000,10000 projects, twenty funding events
each); the point figures of the rebuild, report and export scenarios come from the 10,000 run.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform as host
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import portal, scenarios
from bench.platform import Platform, running_platform
from bench.scenarios import Row
from services.funding.config import CONSUMER_GROUP as FUNDING_GROUP
from services.projects.config import CONSUMER_GROUP as PROJECTS_GROUP
from services.reporting.config import CONSUMER_GROUP as REPORTING_GROUP
from services.reporting.config import WEBHOOKS_GROUP
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC
from xarxa.launcher.services import BACKEND_SERVICES

RESULTS = Path(__file__).resolve().parent / "results"
POINT_SIZE = 10_000
CONSUMER_GROUPS = {
    REPORTING_GROUP: (PROJECTS_TOPIC, FUNDING_TOPIC),
    WEBHOOKS_GROUP: (PROJECTS_TOPIC, FUNDING_TOPIC),
    FUNDING_GROUP: (PROJECTS_TOPIC,),
    PROJECTS_GROUP: (FUNDING_TOPIC,),
}


def growth(platform: Platform, sizes: list[int]) -> list[dict[str, float]]:
    reporting = next(s for s in BACKEND_SERVICES if s.name == "reporting")
    runs = []
    for size in sizes:
        print(f"bench: portfolio of {size:,} projects ...", flush=True)
        platform.stop("reporting")  # the rebuild alone replays the topics
        rebuilt = asyncio.run(scenarios.rebuild_at(platform, size))
        platform.start(reporting)
        for group in (REPORTING_GROUP, WEBHOOKS_GROUP):
            asyncio.run(scenarios.wait_caught_up(platform.infra.kafka.bootstrap, group))
        report = asyncio.run(scenarios.sdg_report_at(platform))
        export = asyncio.run(scenarios.export_at(platform))
        runs.append(
            {
                "size": size,
                **{f"rebuild_{k}": v for k, v in rebuilt.items()},
                **{f"report_{k}": v for k, v in report.items()},
                **{f"export_{k}": v for k, v in export.items()},
            }
        )
    return runs


def point_rows(run: dict[str, float]) -> list[Row]:
    size = int(run["size"])
    return [
        Row(
            f"reporting rebuild from the topics ({size:,} projects, {int(run['rebuild_events']):,} events)",
            f"{run['rebuild_events_per_s']:,.0f} events/s ({run['rebuild_seconds']:.1f} s)",
            f"raw aiokafka consumption of the same topics: {run['rebuild_raw_events_per_s']:,.0f} events/s",
            f"{run['rebuild_events_per_s'] / run['rebuild_raw_events_per_s']:.2f}x",
            ">= 5,000 events/s",
            {k: v for k, v in run.items() if k.startswith("rebuild_")},
        ),
        Row(
            f"SDG report on {size:,} projects and {size * 16:,} transactions (+{size * 4:,} budget lines)",
            f"p95 {run['report_p95_ms']:.1f} ms through the gateway (p50 {run['report_p50_ms']:.1f} ms)",
            f"the single SQL aggregate on the read-model tables: p95 {run['report_sql_p95_ms']:.1f} ms",
            f"{run['report_p95_ms'] / run['report_sql_p95_ms']:.1f}x",
            "p95 <= 50 ms",
            {k: v for k, v in run.items() if k.startswith("report_")},
        ),
        Row(
            f"IATI XML export of {int(run['export_activities']):,} published activities ({run['export_mb']:.0f} MB)",
            f"{run['export_seconds']:.1f} s; peak RSS of the reporting process {run['export_peak_rss_mb']:.0f} MB",
            f"lxml alone writing as many activities (20 transactions each): {run['export_lxml_seconds']:.1f} s",
            f"{run['export_seconds'] / run['export_lxml_seconds']:.1f}x",
            "<= 15 s, <= 300 MB peak RSS",
            {k: v for k, v in run.items() if k.startswith("export_")},
        ),
    ]


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | figure | limit measured in the same run | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.scenario} | {r.figure} | {r.limit} | {r.ratio} | {r.target} |" for r in rows]
    return "\n".join(lines)


def growth_table(runs: list[dict[str, float]]) -> str:
    lines = [
        "| projects | events | rebuild s | events/s | report p95 ms | export s | export peak RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {int(r['size']):,} | {int(r['rebuild_events']):,} | {r['rebuild_seconds']:.1f} | "
            f"{r['rebuild_events_per_s']:,.0f} | {r['report_p95_ms']:.1f} | {r['export_seconds']:.1f} | "
            f"{r['export_peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def rate_table(rates: dict[int, Row]) -> str:
    lines = ["| writes/s | p50 ms | p99 ms |", "| --- | --- | --- |"]
    lines += [f"| {rate} | {row.values['p50_ms']:.1f} | {row.values['p99_ms']:.1f} |" for rate, row in rates.items()]
    return "\n".join(lines)


def main() -> int:
    sizes = [int(s) for s in os.environ.get("XARXA_BENCH_SIZES", "1000,10000").split(",")]
    started = time.monotonic()
    with running_platform() as platform:
        print("bench: platform up; loads from wrk against 127.0.0.1", flush=True)
        rows = []
        for scenario in (scenarios.read_one, scenarios.create_project, scenarios.token_under_attack):
            rows.append(asyncio.run(scenario(platform)))
            print(f"bench: {rows[-1].scenario}: {rows[-1].figure} | {rows[-1].limit}", flush=True)
        # Write -> visible at rising rates: the target's 100 writes/s, and below it to show the floor.
        rates = {}
        for rate in (25, 50, 100):
            # Steady state, not the backlog the scenario before left to the consumers.
            for group, topics in CONSUMER_GROUPS.items():
                asyncio.run(scenarios.wait_caught_up(platform.infra.kafka.bootstrap, group, 180, topics))
            rates[rate] = asyncio.run(scenarios.write_to_report(platform, writes=rate * 6, per_second=rate))
            print(f"bench: {rates[rate].scenario}: {rates[rate].figure}", flush=True)
        rows.append(rates[100])
        runs = growth(platform, sizes)
        # The portal on the last (largest) portfolio, before the import adds to it.
        pages = asyncio.run(portal.portal_at(platform))
        print(f"bench: portal at {sizes[-1]:,} projects: " + "; ".join(r.figure for r in pages), flush=True)
        imported = asyncio.run(scenarios.import_at(platform))
        print(f"bench: {imported.scenario}: {imported.figure} | {imported.limit}", flush=True)
    point = next((r for r in runs if r["size"] == POINT_SIZE), runs[-1])
    rows += [*point_rows(point), *pages, imported]
    now = datetime.now(UTC)
    machine = f"{host.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    text = (
        f"{table(rows)}\n\nGrowth (twenty funding events per project):\n\n{growth_table(runs)}\n\n"
        f"Write -> visible against the write rate:\n\n{rate_table(rates)}\n"
    )
    print(f"\nXarxa benchmarks, {now:%Y-%m-%d %H:%M} UTC, {machine}, {time.monotonic() - started:.0f} s\n")
    print(text)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "date": now.isoformat(),
        "machine": machine,
        "rows": [r.__dict__ for r in rows],
        "growth": runs,
        "write_rates": {str(rate): row.values for rate, row in rates.items()},
    }
    (RESULTS / f"{now:%Y%m%dT%H%M%S}.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "latest.md").write_text(f"Run {now:%Y-%m-%d %H:%M} UTC on {machine}\n\n{text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
