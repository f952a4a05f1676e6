"""The scenarios: each returns its figure and the limit measured in the same run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.records_to_delete import RecordsToDelete
from lxml import etree

from bench.load import CREATE_SCRIPT, wrk
from bench.platform import Platform
from bench.portfolio import events
from services.reporting.config import CONSUMER_GROUP
from services.reporting.config import Settings as ReportingSettings
from services.reporting.rebuild import TOPICS, rebuild, topic_partitions


@dataclass
class Row:
    scenario: str
    figure: str
    limit: str
    ratio: str
    target: str
    values: dict[str, float]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _project(platform: Platform, client: httpx.AsyncClient, code: str, city: str = "Maputo") -> str:
    body = {
        "owner": "ajuntament-barcelona",
        "code": code,
        "title": {"en": code},
        "visibility": "published",
        "partner_cities": [{"name": city, "country": "MZ"}],
        "sdg_goals": [{"goal": "6", "share": "100"}],
    }
    response = await client.post("/api/projects/projects", json=body)
    response.raise_for_status()
    return str(response.json()["id"])


def client(platform: Platform) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=platform.gateway, timeout=60, headers={"Authorization": f"Bearer {platform.token}"}
    )


async def read_one(platform: Platform) -> Row:
    async with client(platform) as c:
        project_id = await _project(platform, c, "BENCH-READ")
    path = f"/api/projects/projects/{project_id}"
    through = await asyncio.to_thread(wrk, platform.gateway + path, platform.token)
    direct = await asyncio.to_thread(wrk, platform.url("projects") + path, platform.token)
    added = through.p50_ms - direct.p50_ms
    # At one connection there is no queueing: what the gateway itself adds to a request.
    single = await asyncio.to_thread(wrk, platform.gateway + path, platform.token, connections=1, seconds=4)
    single_direct = await asyncio.to_thread(
        wrk, platform.url("projects") + path, platform.token, connections=1, seconds=4
    )
    added_alone = single.p50_ms - single_direct.p50_ms
    return Row(
        "read one project through the gateway (32 connections)",
        f"{through.requests_per_second:,.0f} req/s, p50 {through.p50_ms:.2f} ms, p99 {through.p99_ms:.2f} ms",
        f"straight to projects: {direct.requests_per_second:,.0f} req/s, "
        f"p50 {direct.p50_ms:.2f} ms, p99 {direct.p99_ms:.2f} ms",
        f"{through.requests_per_second / direct.requests_per_second:.2f}x throughput; "
        f"gateway adds {added:.2f} ms at p50 (at 1 connection: {added_alone:.2f} ms)",
        "gateway adds <= 2 ms at p50; >= 1,000 req/s",
        {
            "rps": through.requests_per_second,
            "p50_ms": through.p50_ms,
            "p99_ms": through.p99_ms,
            "direct_rps": direct.requests_per_second,
            "direct_p50_ms": direct.p50_ms,
            "added_p50_ms": added,
            "errors": through.errors + direct.errors,
        },
    )


LEGITIMATE, ATTACKER = "198.51.100.2", "198.51.100.66"


async def _token_latencies(platform: Platform, fetches: int) -> list[float]:
    client_id, secret = platform.credentials
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    latencies = []
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as c:
        for _ in range(fetches):
            started = time.perf_counter()
            response = await c.post("/oauth/token", data=form, headers={"X-Forwarded-For": LEGITIMATE})
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _argon2_verifications_per_second(rounds: int = 20) -> float:
    """What one core of the gateway can verify: the cost a wrong secret would make it pay."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    hasher = PasswordHasher()
    stored = hasher.hash("a-secret")
    started = time.perf_counter()
    for _ in range(rounds):
        with contextlib.suppress(VerificationError):
            hasher.verify(stored, "wrong")
    return rounds / (time.perf_counter() - started)


async def token_under_attack(platform: Platform, fetches: int = 40, attackers: int = 16) -> Row:
    """A client's token latency while one address hammers /oauth/token with wrong secrets, beside
    the same client's latency without the attack (same run). Bounded: loopback only, while the
    legitimate fetches last."""
    quiet = await _token_latencies(platform, fetches)
    client_id = platform.credentials[0]
    outcomes: dict[int, int] = {}
    stop = asyncio.Event()

    async def hammer(c: httpx.AsyncClient) -> None:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong"}
        while not stop.is_set():
            response = await c.post("/oauth/token", data=form, headers={"X-Forwarded-For": ATTACKER})
            outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1

    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as attacker:
        tasks = [asyncio.create_task(hammer(attacker)) for _ in range(attackers)]
        await asyncio.sleep(1.0)  # the attack is under way before the client asks
        try:
            attacked = await _token_latencies(platform, fetches)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    capacity = await asyncio.to_thread(_argon2_verifications_per_second)
    sent = sum(outcomes.values())
    hashed = outcomes.get(401, 0)
    return Row(
        f"token for a client while one address sends wrong secrets ({attackers} connections)",
        f"p50 {pct(attacked, 50):.1f} ms, p95 {pct(attacked, 95):.1f} ms; attack: {sent:,} requests, "
        f"{hashed} verified (401), {outcomes.get(429, 0):,} refused unverified (429)",
        f"without the attack: p50 {pct(quiet, 50):.1f} ms, p95 {pct(quiet, 95):.1f} ms; "
        f"one core verifies {capacity:.0f} secrets/s",
        f"{pct(attacked, 95) / pct(quiet, 95):.2f}x at p95",
        "<= 1.5x at p95; failures limited far below what the gateway can verify",
        {
            "p50_ms": pct(attacked, 50),
            "p95_ms": pct(attacked, 95),
            "quiet_p50_ms": pct(quiet, 50),
            "quiet_p95_ms": pct(quiet, 95),
            "attack_requests": float(sent),
            "attack_verified": float(hashed),
            "verifications_per_s": capacity,
        },
    )


async def create_project(platform: Platform) -> Row:
    script = CREATE_SCRIPT.replace("RUN", json.dumps(uuid.uuid4().hex[:8]))
    load = await asyncio.to_thread(wrk, platform.gateway + "/api/projects/projects", platform.token, script=script)
    # The limit: the same row inserted with asyncpg alone, 32 connections, one INSERT per transaction.
    conn = await asyncpg.connect(asyncpg_url(platform.database_url("projects")))
    row = await conn.fetchrow("SELECT * FROM projects ORDER BY created_at DESC LIMIT 1")
    await conn.close()
    assert row is not None
    columns = list(row.keys())
    sql = f"INSERT INTO projects ({', '.join(columns)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(columns)))})"
    pool = await asyncpg.create_pool(asyncpg_url(platform.database_url("projects")), min_size=32, max_size=32)
    count, per_worker = 0, 250

    async def worker(n: int) -> None:
        nonlocal count
        async with pool.acquire() as c:
            statement = await c.prepare(sql)
            for i in range(per_worker):
                values = dict(row)
                values["id"] = uuid.uuid4()
                values["code"] = f"RAW-{n}-{i}-{uuid.uuid4().hex[:6]}"
                values["iati_identifier"] = values["iati_identifier"] + values["code"]
                await statement.fetch(*[values[k] for k in columns])
                count += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(32)))
    raw_rate = count / (time.perf_counter() - started)
    await pool.close()
    return Row(
        "create a project through the gateway (32 connections)",
        f"{load.requests_per_second:,.0f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms "
        f"({load.errors} errors)",
        f"bare asyncpg INSERT of the same row: {raw_rate:,.0f} rows/s",
        f"{load.requests_per_second / raw_rate:.2f}x",
        ">= 300 req/s",
        {
            "rps": load.requests_per_second,
            "p50_ms": load.p50_ms,
            "p99_ms": load.p99_ms,
            "raw_rows_per_s": raw_rate,
            "errors": load.errors,
        },
    )


async def kafka_round_trip(bootstrap: str, messages: int = 500) -> list[float]:
    topic = f"bench-rtt-{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    from aiokafka.admin import NewTopic

    await admin.create_topics([NewTopic(topic, 1, 1)])
    await admin.close()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    latencies = []
    try:
        for i in range(messages):
            sent = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            while True:
                batch = await consumer.getmany(timeout_ms=1000)
                if any(r.value == str(i).encode() for records in batch.values() for r in records):
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
    finally:
        await producer.stop()
        await consumer.stop()
    return latencies


async def write_to_report(platform: Platform, writes: int = 600, per_second: int = 100) -> Row:
    async with client(platform) as c:
        projects = [await _project(platform, c, f"BENCH-W-{i}-{uuid.uuid4().hex[:4]}") for i in range(30)]
        deadline = time.monotonic() + 60
        for pid in projects:
            while (await c.get(f"/api/funding/project-refs/{pid}")).status_code != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError("projects never reached funding")
                await asyncio.sleep(0.05)
        reporting = await asyncpg.connect(asyncpg_url(platform.database_url("reporting")))
        done: dict[str, float] = {}  # (project, version) -> 2xx time
        seen: dict[tuple[str, int], float] = {}
        expected: dict[str, int] = dict.fromkeys(projects, 0)
        stop = asyncio.Event()

        async def watch() -> None:
            ids = [uuid.UUID(p) for p in projects]
            while not stop.is_set():
                now = time.perf_counter()
                for rid, version in await reporting.fetch(
                    "SELECT id, version FROM funding_view WHERE id = ANY($1)", ids
                ):
                    for v in range(1, version + 1):
                        seen.setdefault((str(rid), v), now)
                await asyncio.sleep(0.002)

        async def write(n: int) -> None:
            pid = projects[n % len(projects)]
            body = {
                "transaction_type": "2",
                "amount": "10.00",
                "currency": "EUR",
                "value_date": "2026-01-15",
                "instrument": "conveni",
            }
            response = await c.post(f"/api/funding/projects/{pid}/transactions", json=body)
            response.raise_for_status()
            # Per project, bookings are serialised by a row lock, so the n-th 2xx is version n.
            expected[pid] += 1
            done[f"{pid}:{expected[pid]}"] = time.perf_counter()

        watcher = asyncio.create_task(watch())
        tasks = []
        started = time.perf_counter()
        for n in range(writes):
            tasks.append(asyncio.create_task(write(n)))
            await asyncio.sleep(max(0.0, started + (n + 1) / per_second - time.perf_counter()))
        await asyncio.gather(*tasks)
        deadline = time.monotonic() + 30
        while len([k for k in done if tuple((k.split(":")[0], int(k.split(":")[1]))) in seen]) < len(done):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await watcher
        await reporting.close()
    lags = [
        max(0.0, (seen[(k.split(":")[0], int(k.split(":")[1]))] - t) * 1000)
        for k, t in done.items()
        if (k.split(":")[0], int(k.split(":")[1])) in seen
    ]
    rtt = await kafka_round_trip(platform.infra.kafka.bootstrap)
    p50, p99 = pct(lags, 50), pct(lags, 99)
    return Row(
        f"write -> visible in the SDG report's read model ({per_second} writes/s, {writes} writes)",
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(lags)}/{writes} seen)",
        f"raw aiokafka produce->consume round trip: p50 {pct(rtt, 50):.1f} ms, p99 {pct(rtt, 99):.1f} ms",
        f"{p50 / pct(rtt, 50):.1f}x at p50",
        "p50 <= 50 ms, p99 <= 250 ms",
        {"p50_ms": p50, "p99_ms": p99, "kafka_p50_ms": pct(rtt, 50), "kafka_p99_ms": pct(rtt, 99)},
    )


async def clear_topics(bootstrap: str) -> None:
    """Drop what the topics hold, so each size replays exactly its own portfolio."""
    partitions = await topic_partitions(bootstrap, TOPICS)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    ends = await consumer.end_offsets(partitions)
    await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_records({tp: RecordsToDelete(end) for tp, end in ends.items() if end > 0})
    finally:
        await admin.close()


async def produce_portfolio(bootstrap: str, projects: int) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    count = 0
    try:
        futures = []
        for topic, key, event in events(0, projects):
            futures.append(await producer.send(topic, event.to_json(), key=key.encode()))
            count += 1
            if len(futures) >= 5000:
                await asyncio.gather(*futures)
                futures = []
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return count


async def raw_consume_rate(bootstrap: str) -> float:
    partitions = await topic_partitions(bootstrap, TOPICS)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, max_poll_records=2000
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        total = sum(ends[tp] - starts[tp] for tp in partitions)
        remaining = {tp for tp in partitions if ends[tp] > starts[tp]}
        count = 0
        started = time.perf_counter()
        while remaining:
            for tp, records in (await consumer.getmany(*remaining, timeout_ms=500, max_records=2000)).items():
                count += len(records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return total / (time.perf_counter() - started) if total else 0.0
    finally:
        await consumer.stop()


async def rebuild_at(platform: Platform, projects: int) -> dict[str, float]:
    bootstrap = platform.infra.kafka.bootstrap
    await clear_topics(bootstrap)
    produced = await produce_portfolio(bootstrap, projects)
    raw = await raw_consume_rate(bootstrap)
    settings = ReportingSettings(database_url=platform.database_url("reporting"), kafka_bootstrap=bootstrap)
    stats = await rebuild(settings)
    return {
        "projects": projects,
        "events": stats.events,
        "produced": produced,
        "seconds": stats.seconds,
        "events_per_s": stats.events_per_second,
        "raw_events_per_s": raw,
    }


async def wait_caught_up(
    bootstrap: str, group: str = CONSUMER_GROUP, timeout: float = 600, topics: tuple[str, ...] = TOPICS
) -> float:
    """Wait until the live consumer has committed the topics' ends (it re-reads what the rebuild
    replayed, finding it all in its inbox), so that it does not compete with what is measured."""
    partitions = await topic_partitions(bootstrap, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    ends = await consumer.end_offsets(partitions)
    await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            committed = await admin.list_consumer_group_offsets(group)
            if all(tp in committed and committed[tp].offset >= end for tp, end in ends.items() if end > 0):
                break
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    return time.perf_counter() - started


async def sdg_report_at(platform: Platform, requests: int = 60) -> dict[str, float]:
    timings = []
    async with client(platform) as c:
        await c.get("/api/reporting/sdg")  # warm
        for _ in range(requests):
            started = time.perf_counter()
            response = await c.get("/api/reporting/sdg")
            response.raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    conn = await asyncpg.connect(asyncpg_url(platform.database_url("reporting")))
    sql_timings = []
    try:
        for _ in range(requests):
            started = time.perf_counter()
            await conn.fetch(
                "SELECT g->>'goal', count(*), sum(coalesce(f.committed_eur, 0) * (g->>'share')::numeric / 100) "
                "FROM project_view p CROSS JOIN LATERAL jsonb_array_elements(p.sdg_goals) g "
                "LEFT JOIN funding_view f ON f.id = p.id WHERE p.visibility = 'published' AND NOT p.archived "
                "GROUP BY 1"
            )
            sql_timings.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    return {"p50_ms": pct(timings, 50), "p95_ms": pct(timings, 95), "sql_p95_ms": pct(sql_timings, 95)}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def lxml_alone(activities: int) -> float:
    started = time.perf_counter()
    with (
        open("/dev/null", "wb") as sink,
        etree.xmlfile(sink, encoding="utf-8") as xf,
        xf.element("iati-activities", version="2.03"),
    ):
        for i in range(activities):
            activity = etree.Element("iati-activity")
            etree.SubElement(activity, "iati-identifier").text = f"ES-DIR3-L01080193-BENCH-{i:06d}"
            title = etree.SubElement(activity, "title")
            etree.SubElement(title, "narrative").text = f"Project {i}"
            for t in range(20):
                tx = etree.SubElement(activity, "transaction")
                etree.SubElement(tx, "transaction-type", code="3")
                etree.SubElement(tx, "value", currency="EUR", **{"value-date": "2025-03-02"}).text = str(1000 + t)
            xf.write(activity)
    return time.perf_counter() - started


async def export_at(platform: Platform) -> dict[str, float]:
    async with client(platform) as c:
        started = time.perf_counter()
        size = 0
        count = 0
        async with c.stream(
            "GET", "/api/reporting/exports/iati", params={"reporting_org": "ajuntament-barcelona"}
        ) as r:
            r.raise_for_status()
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                count += chunk.count(b"<iati-activity ")
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "activities": count,
        "mb": size / 1e6,
        "peak_rss_mb": peak_rss_mb(platform.pid("reporting")),
        "lxml_seconds": lxml_alone(count),
    }


def iati_file(activities: int) -> bytes:
    """A synthetic IATI 2.03 activity file of the benchmark portfolio's shape. Its activities carry
    no budgets or transactions, so the figure is the registry's side of an import; the money a file
    carries is booked in funding from the import's events (tests/projects/imports/test_iati_money*)."""
    import random

    from bench.portfolio import project_state

    root = etree.Element("iati-activities", version="2.03")
    for i in range(activities):
        state = project_state(100_000 + i, random.Random(i))  # noqa: S311 - reproducible data
        node = etree.SubElement(root, "iati-activity", {"default-currency": "EUR"})
        etree.SubElement(node, "iati-identifier").text = f"XM-BENCH-IMPORT-{i:06d}"
        etree.SubElement(node, "reporting-org", ref="XM-BENCH", type="10")
        for tag, texts in (("title", state["title"]), ("description", state["description"])):
            element = etree.SubElement(node, tag)
            for lang, text in texts.items():
                etree.SubElement(element, "narrative", {"{http://www.w3.org/XML/1998/namespace}lang": lang}).text = text
        org = etree.SubElement(node, "participating-org", ref="ES-DIR3-L01080193", role="1", type="10")
        etree.SubElement(org, "narrative").text = "Ajuntament de Barcelona"
        etree.SubElement(node, "activity-status", code="2")
        etree.SubElement(node, "activity-date", type="1", **{"iso-date": state["dates"]["planned_start"]})
        etree.SubElement(node, "recipient-country", code=state["partner_cities"][0]["country"], percentage="100")
        for sector in state["sectors"]:
            etree.SubElement(node, "sector", vocabulary="1", code=sector["code"], percentage=sector["percentage"])
        for goal in state["sdg_goals"]:
            etree.SubElement(node, "tag", vocabulary="2", code=goal["goal"])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


async def import_at(platform: Platform, activities: int = 10_000) -> Row:
    from services.projects.imports.service import import_iati
    from shared.actor import Actor
    from shared.auth import Principal
    from shared.db import create_engine, create_sessionmaker, transaction

    content = iati_file(activities)
    started = time.perf_counter()
    etree.fromstring(content)
    parse_rate = activities / (time.perf_counter() - started)
    principal = Principal("bench", "sant-boi", "institution", frozenset({"projects:read", "projects:write"}))
    engine = create_engine(platform.database_url("projects"), pool_size=1)
    try:
        started = time.perf_counter()
        async with transaction(create_sessionmaker(engine)) as session:
            report = await import_iati(session, Actor(principal, None, "/bench"), content, "sant-boi", "published")
        rate = activities / (time.perf_counter() - started)
    finally:
        await engine.dispose()
    return Row(
        f"IATI XML import of {activities:,} activities ({len(content) / 1e6:.0f} MB, one transaction)",
        f"{rate:,.0f} activities/s ({report.imported:,} imported, {report.skipped} skipped)",
        f"lxml parse of the same file alone: {parse_rate:,.0f} activities/s",
        f"{rate / parse_rate:.3f}x",
        ">= 500 activities/s",
        {"activities_per_s": rate, "parse_activities_per_s": parse_rate, "imported": report.imported},
    )
