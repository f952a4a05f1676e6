"""The IATI import scenario alone, on a fresh platform: `python -m bench.iati_import [activities]`.

With XARXA_BENCH_PROFILE=N, one import of N more activities (other identifiers: registrations, as
in the measured run) runs under cProfile after the measurement, and its heaviest calls are
printed (by own time and by cumulative time).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import sys

from bench import scenarios
from bench.platform import Platform, running_platform


async def profile_import(platform: Platform, activities: int) -> str:
    from services.projects.imports.service import import_iati
    from shared.actor import Actor
    from shared.auth import Principal
    from shared.db import create_engine, create_sessionmaker, transaction

    content = scenarios.iati_file(activities).replace(b"XM-BENCH-IMPORT-", b"XM-BENCH-PROFILE-")
    principal = Principal("bench", "sant-boi", "institution", frozenset({"projects:read", "projects:write"}))
    engine = create_engine(platform.database_url("projects"), pool_size=1)
    profiler = cProfile.Profile()
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            profiler.enable()
            await import_iati(session, Actor(principal, None, "/bench"), content, "sant-boi", "published")
            profiler.disable()
    finally:
        await engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(50)
    return out.getvalue()


def main() -> int:
    activities = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    profiled = int(os.environ.get("XARXA_BENCH_PROFILE", "0"))
    with running_platform() as platform:
        row = asyncio.run(scenarios.import_at(platform, activities))
        print(f"bench: {row.scenario}: {row.figure} | {row.limit} | {row.ratio}", flush=True)
        if profiled:
            print(asyncio.run(profile_import(platform, profiled)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
