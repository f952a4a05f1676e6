"""The cells of an XLSX sheet as the file stores them (what openpyxl's `data_type` reads): the cell
type ("s" shared string, "str"/"inlineStr" text, "n" number, "b" boolean), the value, and
whether it holds a formula. Read from the OOXML itself with lxml, so no writer's view is trusted."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@dataclass(frozen=True)
class Cell:
    type: str
    value: str
    formula: str | None
    quote_prefix: bool


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters is not None
    number = 0
    for ch in letters.group(0):
        number = number * 26 + ord(ch) - 64
    return number - 1


def cells(content: bytes, sheet: int = 1) -> dict[tuple[int, int], Cell]:
    """(row, column) from 0 -> the cell, for every cell the sheet has."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = etree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.findall("m:si", NS)]
        styles = etree.fromstring(book.read("xl/styles.xml"))
        xfs = styles.findall("m:cellXfs/m:xf", NS)
        quoted = [xf.get("quotePrefix") in ("1", "true") for xf in xfs]
        sheet_xml = etree.fromstring(book.read(f"xl/worksheets/sheet{sheet}.xml"))
    found: dict[tuple[int, int], Cell] = {}
    for c in sheet_xml.iter(f"{{{NS['m']}}}c"):
        ref = c.get("r")
        assert ref is not None
        row = int(re.sub(r"[A-Z]+", "", ref)) - 1
        kind = c.get("t", "n")
        v = c.find("m:v", NS)
        f = c.find("m:f", NS)
        value = v.text or "" if v is not None else ""
        if kind == "s":
            value = shared[int(value)]
        elif kind == "inlineStr":
            value = "".join(c.find("m:is", NS).itertext())
        if kind in ("s", "str", "inlineStr"):  # OOXML writes control characters as _xHHHH_
            value = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)
        style = int(c.get("s", "0"))
        found[(row, _column(ref))] = Cell(
            kind, value, None if f is None else (f.text or ""), style < len(quoted) and quoted[style]
        )
    return found
