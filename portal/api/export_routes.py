"""Exports of a unit's child register (XLSX built by a worker, kept in object storage)."""

from __future__ import annotations

import uuid

from litestar import Response, get, post
from litestar.params import FromPath

from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.exports.responses import ExportOut
from portal.exports.service import XLSX, download_export, get_export, request_export, retry_export


@post(
    "/api/v1/units/{unit_id:int}/exports",
    sync_to_thread=False,
    status_code=202,
    tags=["exports"],
    summary="Queue an XLSX of the children of the unit's subtree",
)
def post_export(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> ExportOut:
    return ExportOut.of(request_export(db, caller, _unit(db, unit_id)).as_json())


@get("/api/v1/exports/{export_id:uuid}", sync_to_thread=False, tags=["exports"])
def read_export(export_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> ExportOut:
    return ExportOut.of(get_export(db, caller, export_id)[0].as_json())


@post("/api/v1/exports/{export_id:uuid}/retry", sync_to_thread=False, status_code=202, tags=["exports"])
def post_export_retry(export_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> ExportOut:
    return ExportOut.of(retry_export(db, caller, export_id).as_json())


@get(
    "/api/v1/exports/{export_id:uuid}/download",
    sync_to_thread=True,
    tags=["exports"],
    summary="The document, streamed after access is checked again",
)
def read_export_download(export_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> Response[bytes]:
    data, filename = download_export(db, caller, export_id)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
