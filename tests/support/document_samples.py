"""Real files of each accepted type, and look-alikes that are not, made here (nothing downloaded)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter


def pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, kind)
    return out.getvalue()


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i, (name, data) in enumerate(members):
            method = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


def ooxml(part: str = "word/document.xml") -> bytes:
    return _zip([("[Content_Types].xml", b"<Types/>"), ("_rels/.rels", b"<Relationships/>"), (part, b"<x/>")])


def odf(media_type: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return _zip([("mimetype", media_type.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True)


def plain_zip() -> bytes:
    return _zip([("readme.txt", b"hello")])


HTML = b"<!doctype html><script>alert(document.cookie)</script>"
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # legacy .doc/.xls (macros)
