"""Optimistic concurrency: ETag is the aggregate version; updates must send it back in If-Match."""

from __future__ import annotations

import re

from shared.problems import PreconditionFailed, PreconditionRequired

_TAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(if_match: str | None) -> int:
    """The version the client last read; 428 without If-Match, 412 if it names no version."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag of the version you changed")
    match = _TAG.match(if_match.strip())
    if match is None:
        raise PreconditionFailed('If-Match must be the ETag of a version, such as "3"')
    return int(match.group(1))


def check_version(expected: int, current: int) -> None:
    if expected != current:
        raise PreconditionFailed(
            f"The resource is at version {current}, not {expected}; read it again", current_version=current
        )
