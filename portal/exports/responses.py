"""Shape of an export in the API (``portal.exports.models.Export.as_json``)."""

from __future__ import annotations

from portal.shapes import Out


class ExportOut(Out):
    id: str
    kind: str
    unit_id: int
    status: str
    attempts: int
    row_count: int | None
    size_bytes: int | None
    sha256: str | None
    error: str | None
    created_at: str
    finished_at: str | None
