"""The IATI activity file read from a file (the request body spooled to disk), one activity at a
time: `iati.activities` for a body that is never held in memory whole. The same refusals: too
large, a DTD or entity declaration, not well-formed, another root element."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

from lxml import etree

from services.projects.imports.iati import MAX_BYTES, UnsafeXml

ROOT = b"<iati-activities"
CHUNK = 1 << 16


def _prolog_declares(source: IO[bytes]) -> bool:
    """Whether a DTD or an entity is declared before the root element, read chunk by chunk: refused
    before the parser sees a byte of it (as `iati.activities` scans the body's prolog)."""
    seen = b""
    while chunk := source.read(CHUNK):
        seen = seen[-len(ROOT) :] + chunk
        start = seen.find(ROOT)
        prolog = seen if start < 0 else seen[:start]
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            return True
        if start >= 0:
            return False
    return False


def activities_in(source: IO[bytes]) -> Iterator[etree._Element]:
    """The file's activities in order, each cleared once the caller is done with it."""
    size = source.seek(0, os.SEEK_END)
    source.seek(0)
    if size > MAX_BYTES:
        raise UnsafeXml(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if _prolog_declares(source):
        raise UnsafeXml("DTDs and entity declarations are refused")
    source.seek(0)
    # Only the activities' ends are events: the elements inside them cost no Python object each.
    events = etree.iterparse(
        source,
        events=("end",),
        tag="iati-activity",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    checked = False
    try:
        for _, element in events:
            root = element.getparent()
            if not checked:
                _check(element.getroottree())
                checked = True
            if root is None or root.getparent() is not None:
                continue  # an activity inside another element is not one of the file's
            while element.getprevious() is not None:
                del root[0]  # the activities read before: done with
            yield element
            element.clear()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc}") from exc
    if events.root is None:
        raise UnsafeXml("not well-formed XML: no root element")
    _check(events.root.getroottree())


def _check(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXml("DTDs and entity declarations are refused")
    if tree.getroot().tag != "iati-activities":
        raise UnsafeXml(f"the root element is <{tree.getroot().tag}>, not <iati-activities>")
