"""The S3 document store against a real S3 API: moto's server, on loopback, as a separate process."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any, cast

import boto3  # type: ignore[import-untyped]
import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.config import Settings
from services.funding.grants.s3_store import S3Store
from services.funding.grants.storage import ContentMissing

BUCKET = "xarxa-grant-documents-test"
NO_SESSION = cast(AsyncSession, None)  # the S3 store does not use the database session


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def settings(endpoint: str, **extra: Any) -> Settings:
    return Settings(
        documents_storage="s3",
        documents_s3_endpoint_url=endpoint,
        documents_s3_bucket=BUCKET,
        documents_s3_region="eu-south-2",
        documents_s3_access_key_id="test-key",
        documents_s3_secret_access_key=SecretStr("test-secret"),
        **extra,
    )


async def test_contents_go_to_the_bucket_and_come_back(s3_endpoint: str) -> None:
    store = S3Store.from_settings(settings(s3_endpoint))
    store.client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-south-2"})
    content = b"%PDF-1.7\n" + bytes(range(256)) * 1000
    await store.put(NO_SESSION, "doc-1", content, "application/pdf")
    assert await store.get(NO_SESSION, "doc-1") == content
    # What the bucket itself holds, read with a client of its own.
    other = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-south-2",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    held = other.get_object(Bucket=BUCKET, Key="doc-1")
    assert held["ContentType"] == "application/pdf" and held["Body"].read() == content
    with pytest.raises(ContentMissing):
        await store.get(NO_SESSION, "never-stored")


def test_s3_storage_needs_a_bucket() -> None:
    with pytest.raises(ValidationError, match="documents_s3_bucket"):
        Settings(documents_storage="s3")
    assert Settings().documents_storage == "postgresql"
