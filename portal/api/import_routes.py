"""Register import (XLSX/CSV): upload with a dry run, progress, errors workbook, apply, template, and the
mapping of file headings remembered per commune."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated

from litestar import Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from infra.errors import FieldError, ValidationFailed
from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.imports import service
from portal.imports.columns import FIELDS, IGNORE
from portal.imports.reading import MAX_BYTES
from portal.imports.responses import ApplyIn, ImportOut, MappingIn, MappingOut, RecheckIn
from portal.imports.view import import_json
from portal.imports.workbooks import XLSX, template_workbook

TAGS = ["imports"]
ImportId = FromPath[uuid.UUID]


@dataclass
class ImportForm:
    """The multipart body: the file in ``data``, the target ``unit_id`` (a commune or hamlet), ``dry_run``
    (default true), and optionally ``mapping`` (a JSON object: file heading -> field)."""

    data: UploadFile | None = None
    unit_id: int | None = None
    dry_run: bool = True
    mapping: str | None = None


def _mapping(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationFailed(
            [FieldError("mapping", "must be a JSON object of heading: field", "malformed")]
        )
    return value


def _xlsx(data: bytes, filename: str) -> Response[bytes]:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@post(
    "/api/v1/imports",
    sync_to_thread=True,
    status_code=202,
    tags=TAGS,
    request_max_body_size=MAX_BYTES + 512 * 1024,
    summary="Upload a register (XLSX or CSV, at most 20 MB and 200,000 rows): its dry run is queued",
)
def post_import(
    caller: CallerDep, db: DbDep, data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)]
) -> ImportOut:
    upload = data.data
    errors = []
    if upload is None or not upload.filename:
        errors.append(FieldError("data", "is required: the file, as multipart field 'data'", "required"))
    if data.unit_id is None:
        errors.append(FieldError("unit_id", "is required: the commune or hamlet to import into", "required"))
    if errors:
        raise ValidationFailed(errors)
    assert upload is not None and data.unit_id is not None
    content = upload.file.read(MAX_BYTES + 1)
    imp = service.request_import(
        db, caller, _unit(db, data.unit_id), upload.filename, content, _mapping(data.mapping), data.dry_run
    )
    return ImportOut.of(import_json(imp))


@get(
    "/api/v1/imports/template.xlsx",
    sync_to_thread=False,
    tags=TAGS,
    media_type=XLSX,
    summary="The register template",
)
def read_template(caller: CallerDep) -> Response[bytes]:
    del caller  # any signed-in user may read the blank template
    return _xlsx(template_workbook(), "mau-danh-sach-tre-em.xlsx")


@get("/api/v1/imports/{import_id:uuid}", sync_to_thread=False, tags=TAGS, summary="Status, progress, counts")
def read_import(import_id: ImportId, caller: CallerDep, db: DbDep) -> ImportOut:
    return ImportOut.of(import_json(service.get_import(db, caller, import_id)[0]))


@get(
    "/api/v1/imports/{import_id:uuid}/errors.xlsx",
    sync_to_thread=True,
    tags=TAGS,
    media_type=XLSX,
    summary="The dry run's problem rows, bad cells marked",
)
def read_import_errors(import_id: ImportId, caller: CallerDep, db: DbDep) -> Response[bytes]:
    return _xlsx(*service.errors_file(db, caller, import_id))


@post(
    "/api/v1/imports/{import_id:uuid}/check",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Check the file again with another mapping",
)
def post_import_check(
    import_id: ImportId, data: JSONBody[RecheckIn], caller: CallerDep, db: DbDep
) -> ImportOut:
    imp = service.recheck_import(db, caller, import_id, data.mapping, data.remember)
    return ImportOut.of(import_json(imp))


@post(
    "/api/v1/imports/{import_id:uuid}/apply",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Write a checked import's rows (all or nothing; rows imported before are skipped)",
)
def post_import_apply(
    import_id: ImportId, data: JSONBody[ApplyIn], caller: CallerDep, db: DbDep
) -> ImportOut:
    return ImportOut.of(import_json(service.apply_import(db, caller, import_id, data.duplicates)))


def _mapping_out(commune_id: int, mapping: dict[str, str]) -> MappingOut:
    return MappingOut.of({"commune_id": commune_id, "mapping": mapping, "fields": [*FIELDS, IGNORE]})


@get("/api/v1/units/{unit_id:int}/import-mapping", sync_to_thread=False, tags=TAGS)
def read_mapping(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> MappingOut:
    return _mapping_out(unit_id, service.get_mapping(db, caller, _unit(db, unit_id)))


@put("/api/v1/units/{unit_id:int}/import-mapping", sync_to_thread=False, tags=TAGS)
def put_mapping(
    unit_id: FromPath[int], data: JSONBody[MappingIn], caller: CallerDep, db: DbDep
) -> MappingOut:
    return _mapping_out(unit_id, service.put_mapping(db, caller, _unit(db, unit_id), data.mapping))


ROUTES = [
    post_import,
    read_template,
    read_import,
    read_import_errors,
    post_import_check,
    post_import_apply,
    read_mapping,
    put_mapping,
]
