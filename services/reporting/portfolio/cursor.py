"""Opaque cursors of the project list: the (code, owner, id) of the last project of a page.

A cursor is base64url JSON the client must not build; anything that does not decode to exactly
that shape is refused as a 422 naming `cursor`, never read as "from the start".
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid

from shared.problems import Unprocessable

VERSION = 1
Position = tuple[str, str, uuid.UUID]


class InvalidCursor(Unprocessable):
    kind, title = "invalid-cursor", "The cursor is not one this API gave out"


def encode(position: Position) -> str:
    code, owner, project_id = position
    raw = json.dumps({"v": VERSION, "k": [code, owner, str(project_id)]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Position:
    def refuse(message: str) -> InvalidCursor:
        return InvalidCursor(
            "cursor is not valid",
            errors=[{"field": "cursor", "in": "query", "message": message, "value": cursor[:100]}],
        )

    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise refuse("not a cursor of this list") from error
    if not isinstance(data, dict) or data.get("v") != VERSION or set(data) != {"v", "k"}:
        raise refuse("not a cursor of this list")
    key = data["k"]
    if not (isinstance(key, list) and len(key) == 3 and all(isinstance(part, str) for part in key)):
        raise refuse("not a cursor of this list")
    code, owner, project_id = key
    try:
        return code, owner, uuid.UUID(project_id)
    except ValueError as error:
        raise refuse("not a cursor of this list") from error
