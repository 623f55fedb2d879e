"""An import as the API and the pages show it: status, progress, counts, columns, first problems."""

from __future__ import annotations

from typing import Any

from portal.imports.models import RegisterImport


def import_json(imp: RegisterImport) -> dict[str, Any]:
    total = imp.rows_total
    return {
        "id": str(imp.id),
        "unit_id": imp.unit_id,
        "commune_id": imp.commune_id,
        "filename": imp.filename,
        "format": imp.file_format,
        "size_bytes": imp.size_bytes,
        "sha256": imp.sha256,
        "status": imp.status,
        "stage": imp.stage,
        "apply_requested": imp.apply_requested,
        "duplicates": imp.duplicates,
        "rows_total": total,
        "rows_done": imp.rows_done,
        "finished_at": imp.finished_at.isoformat() if imp.finished_at else None,
        "percent": round(100 * imp.rows_done / total)
        if total
        else (100 if imp.status in ("checked", "applied") else 0),
        "columns": imp.columns or [],
        "counts": imp.counts or {},
        "problems": imp.problems or [],
        "errors_ready": imp.errors_key is not None,
        "error": imp.error,
        "created_at": imp.created_at.isoformat(),
        "checked_at": imp.checked_at.isoformat() if imp.checked_at else None,
        "applied_at": imp.applied_at.isoformat() if imp.applied_at else None,
    }
