"""What an uploaded file is, read from its content (never from its name or the type the client sent).

Accepted: PDF, the Office Open XML and OpenDocument formats (text, spreadsheet, presentation),
PNG and JPEG images. A zip that is neither OOXML nor ODF (or is not a zip at all) is refused,
as is anything else: executables, HTML, scripts, legacy binary Office files with macros.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from shared.guards import UPLOAD_FILE_BYTES

MAX_FILE_BYTES = UPLOAD_FILE_BYTES

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
# The extension each type is saved with on download, whatever the uploaded name said.
EXTENSIONS = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    OOXML["word/"]: "docx",
    OOXML["xl/"]: "xlsx",
    OOXML["ppt/"]: "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# A zip this large once unpacked is not a document but a bomb; the sniffer reads only the names
# (and the small `mimetype` member of ODF), so this bounds what a listing may claim.
MAX_ZIP_MEMBERS = 10_000


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    size_bytes: int
    sha256: str


def _zip_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            names = {i.filename for i in infos}
            # ODF: a first, stored member `mimetype` holding the type (ISO/IEC 26300, 3.3).
            first = infos[0] if infos else None
            if first is not None and first.filename == "mimetype" and first.file_size < 100:
                declared = archive.read(first).decode("ascii", "replace").strip()
                return declared if declared in ODF else None
            if "[Content_Types].xml" in names:
                for prefix, media_type in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return media_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def media_type_of(content: bytes) -> str | None:
    """The accepted type the content is, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return None


def sniff(content: bytes) -> Sniffed | None:
    media_type = media_type_of(content)
    if media_type is None:
        return None
    return Sniffed(media_type, len(content), hashlib.sha256(content).hexdigest())
