"""The S3-compatible document store (AWS S3, MinIO, Ceph, ...) through boto3.

boto3 is synchronous: its calls run in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.config import Settings
from services.funding.grants.storage import ContentMissing


class S3Store:
    name = "s3"

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        secret = settings.documents_s3_secret_access_key.get_secret_value()
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.documents_s3_endpoint_url or None,
            region_name=settings.documents_s3_region,
            aws_access_key_id=settings.documents_s3_access_key_id or None,
            aws_secret_access_key=secret or None,
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}),
        )
        return cls(client, settings.documents_s3_bucket)

    async def put(self, session: AsyncSession, key: str, content: bytes, media_type: str) -> None:
        call = partial(self.client.put_object, Bucket=self.bucket, Key=key, Body=content, ContentType=media_type)
        await asyncio.to_thread(call)

    async def get(self, session: AsyncSession, key: str) -> bytes:
        try:
            answer = await asyncio.to_thread(partial(self.client.get_object, Bucket=self.bucket, Key=key))
            body: bytes = await asyncio.to_thread(answer["Body"].read)
        except ClientError as exc:
            raise ContentMissing(f"The store has no content under {key}") from exc
        return body
