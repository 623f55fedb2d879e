"""Register import pages (ward officers and collaborators): upload, the dry run's results with the columns
as recognised and a way to change them, the errors workbook, apply, progress. The same services as the
API (``portal.imports.service``) with the same caller and scoped session."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from authz.caller import Caller
from authz.guards import authorize_action
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.imports import service
from portal.imports.columns import FIELDS, HEADINGS_VI, IGNORE
from portal.imports.reading import MAX_BYTES
from portal.imports.view import import_json
from portal.imports.workbooks import XLSX, template_workbook
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import is_fragment, page, see_other
from tenancy.service import child_units, get_unit

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
STATUS = {"queued": "queued", "checking": "running", "applying": "running", "checked": "done"}
STATUS |= {"applied": "done", "failed": "failed"}


def _targets(db: Any, caller: Caller) -> list[Any]:
    """The units the caller may import into: their hamlet, or their commune and its open hamlets."""
    unit = caller.unit
    if unit is None:
        return []
    if unit.level != "commune":
        return [unit]
    return [unit, *(h for h in child_units(db, unit.id) if h.level == "hamlet" and h.valid_to is None)]


def _form(
    request: Request[Any, Any, Any], db: Any, caller: Caller, errors: list[FieldError], status: int = 200
) -> Template:
    return page(
        request,
        "import_new.html",
        status_code=status,
        targets=_targets(db, caller),
        errors=field_errors(errors, lang_of(request)),
    )


@get("/imports/new", sync_to_thread=False, include_in_schema=False)
def import_form(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    authorize_action(caller, "import", "create")  # record keepers only: others get the 403 page
    return _form(request, db, caller, [])


@post("/imports", sync_to_thread=True, include_in_schema=False, request_max_body_size=MAX_BYTES + 512 * 1024)
def import_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: MultipartData
) -> Template | Redirect:
    upload = data.get("data")
    unit_id = str(data.get("unit") or "")
    unit = get_unit(db, int(unit_id)) if unit_id.isdigit() else caller.unit
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("data", "is required", "required")]
    elif unit is None:
        errors = [FieldError("unit", "is required", "required")]
    else:
        content = upload.file.read(MAX_BYTES + 1)
        try:
            imp = service.request_import(db, caller, unit, upload.filename, content, {}, dry_run=True)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/imports/{imp.id}")
    db.rollback()
    return _form(request, db, caller, errors, 422)


def _view(
    request: Request[Any, Any, Any], db: Any, caller: Caller, import_id: uuid.UUID, **extra: Any
) -> Template:
    imp, unit = service.get_import(db, caller, import_id)
    body = import_json(imp)
    status = STATUS[imp.status]
    progress = {"status": status, "value": body["percent"], "finished": status in ("done", "failed")}
    name = "import_progress.html" if is_fragment(request) else "import.html"
    fields = [(f, HEADINGS_VI[f]) for f in FIELDS]
    extra.setdefault("refusal", None)
    return page(request, name, imp=body, unit=unit, progress=progress, fields=fields, ignore=IGNORE, **extra)


@get("/imports/{import_id:uuid}", sync_to_thread=False, include_in_schema=False)
def import_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, import_id: FromPath[uuid.UUID]
) -> Template:
    return _view(request, db, caller, import_id)


@post("/imports/{import_id:uuid}/check", sync_to_thread=False, include_in_schema=False)
def import_recheck(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    import_id: FromPath[uuid.UUID],
    data: FormData,
) -> Template | Redirect:
    imp, _unit = service.get_import(db, caller, import_id)
    mapping = {}
    for column in imp.columns or []:
        chosen = str(data.get(f"column_{column['index']}") or IGNORE)
        if column["heading"]:
            mapping[column["heading"]] = chosen if chosen in (*FIELDS, IGNORE) else IGNORE
    try:
        service.recheck_import(db, caller, import_id, mapping, bool(data.get("remember")))
    except (Conflict, ValidationFailed) as exc:
        db.rollback()
        return _view(request, db, caller, import_id, refusal=exc.message)
    return see_other(f"/imports/{import_id}")


@post("/imports/{import_id:uuid}/apply", sync_to_thread=False, include_in_schema=False)
def import_apply(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    import_id: FromPath[uuid.UUID],
    data: FormData,
) -> Template | Redirect:
    choice = str(data.get("duplicates") or "") or None
    try:
        service.apply_import(db, caller, import_id, choice)
    except (Conflict, ValidationFailed) as exc:
        db.rollback()
        return _view(request, db, caller, import_id, refusal=exc.message)
    return see_other(f"/imports/{import_id}")


def _xlsx(data: bytes, filename: str) -> Response[bytes]:
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@get("/imports/{import_id:uuid}/errors.xlsx", sync_to_thread=True, include_in_schema=False)
def import_errors(caller: CallerDep, db: DbDep, import_id: FromPath[uuid.UUID]) -> Response[bytes]:
    return _xlsx(*service.errors_file(db, caller, import_id))


@get("/imports/template.xlsx", sync_to_thread=False, include_in_schema=False)
def import_template(caller: CallerDep) -> Response[bytes]:
    del caller  # signed-in users only
    return _xlsx(template_workbook(), "mau-danh-sach-tre-em.xlsx")


ROUTES = [
    import_form,
    import_submit,
    import_page,
    import_recheck,
    import_apply,
    import_errors,
    import_template,
]
