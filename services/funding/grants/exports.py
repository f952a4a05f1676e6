"""How the grant call's published documents (`service.Export`) are answered over HTTP: shared by
both routers of the call, so that no endpoint module imports another."""

from __future__ import annotations

from fastapi import Response

from services.funding.grants.service import Export


def exported(export: Export) -> Response:
    headers: dict[str, str] = {}
    if export.filename is not None:
        disposition = "attachment" if export.download else "inline"
        headers["Content-Disposition"] = f'{disposition}; filename="{export.filename}"'
    if export.language is not None:
        headers["Content-Language"] = export.language
    return Response(export.content, media_type=export.media_type, headers=headers)
