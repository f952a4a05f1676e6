"""A file's type is what its content is: the name and the declared type are not believed."""

from __future__ import annotations

import hashlib

import pytest

from services.funding.grants import files
from services.funding.grants.attachments import safe_filename
from tests.support import document_samples as samples


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (samples.pdf(), files.PDF),
        (samples.image("PNG"), files.PNG),
        (samples.image("JPEG"), files.JPEG),
        (samples.ooxml("word/document.xml"), files.OOXML["word/"]),
        (samples.ooxml("xl/workbook.xml"), files.OOXML["xl/"]),
        (samples.ooxml("ppt/presentation.xml"), files.OOXML["ppt/"]),
        (samples.odf("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text"),
        (
            samples.odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    ],
)
def test_accepted_types_are_read_from_the_content(content: bytes, media_type: str) -> None:
    sniffed = files.sniff(content)
    assert sniffed is not None
    assert sniffed.media_type == media_type
    assert sniffed.size_bytes == len(content)
    assert sniffed.sha256 == hashlib.sha256(content).hexdigest()
    assert media_type in files.EXTENSIONS


@pytest.mark.parametrize(
    "content",
    [
        samples.HTML,
        samples.EXE,
        samples.SVG,
        samples.OLE2,
        samples.plain_zip(),
        samples.odf("application/x-shellscript"),  # an ODF-shaped zip naming another type
        samples.ooxml("evil/payload.xml"),  # [Content_Types].xml but no Office part
        b"PK\x03\x04 truncated",
        b"GIF89a" + b"\x00" * 20,
        b"",
    ],
)
def test_anything_else_is_refused(content: bytes) -> None:
    assert files.sniff(content) is None


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("pressupost.pdf", "pressupost.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\anna\\memòria final.docx", "memòria final.docx"),
        ("a\x00b\r\nc\u202etxt.exe", "abctxt.exe"),  # controls and bidi overrides go
        ("", "document"),
        (None, "document"),
        ("...", "document"),
        ("x" * 500, "x" * 200),
    ],
)
def test_the_uploaded_name_is_only_a_label(uploaded: str | None, kept: str) -> None:
    assert safe_filename(uploaded) == kept
