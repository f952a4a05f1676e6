"""Static assets under content-hashed names: cached for a year, replaced by a new name when they change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
LONG_CACHE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass
class Assets:
    """name -> hashed name, and hashed name -> (bytes, media type)."""

    urls: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path = STATIC_DIR) -> Assets:
        assets = cls()
        for path in sorted(directory.iterdir()):
            if path.suffix not in MEDIA_TYPES:
                continue
            content = path.read_bytes()
            hashed = f"{path.stem}.{hashlib.sha256(content).hexdigest()[:12]}{path.suffix}"
            assets.urls[path.name] = f"/static/{hashed}"
            assets.files[hashed] = (content, MEDIA_TYPES[path.suffix])
        return assets

    def url(self, name: str) -> str:
        return self.urls[name]

    @property
    def version(self) -> str:
        """Changes whenever any asset changes: part of every page's ETag."""
        return hashlib.sha256("".join(sorted(self.urls.values())).encode()).hexdigest()[:12]
