"""DHIS2 exchange on the pages: send a period's approved figures (dataValueSets JSON or ADX XML), bring a
period's typed cells in from either format as drafts, and the code mapping (report -> dataSet, cell ->
dataElement + categoryOptionCombo, unit -> orgUnit). The same services as the API
(``portal.exchange``), so the same roles, areas, disclosure and all-or-nothing imports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.clock import today
from infra.db import savepoint
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.exchange import export, importing, mapping
from portal.exchange.reading import MAX_BYTES
from portal.locale.field_errors import error_message, form_field
from portal.reports import service
from portal.reports.periods import containing
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, get_unit

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _units(db: Session, caller: Caller) -> list[Unit]:
    """The units a caller sends figures of: their own and those directly below it, in force."""
    if caller.unit is None:
        return []
    return [caller.unit, *(u for u in child_units(db, caller.unit.id) if u.valid_to is None)]


def _listed(errors: list[FieldError], lang: str) -> list[str]:
    """Every refusal as "where: what", in the reader's language (the place in the file stays as is)."""
    return [f"{e.field}: {error_message(form_field(e.field), e.code, lang)}" for e in errors]


def _exchange(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    errors: list[FieldError] | None = None,
    chosen: Mapping[str, Any] | None = None,
    status_code: int = 200,
    imported: importing.Imported | None = None,
) -> Template:
    lang = lang_of(request)
    last_month = containing("month", today().replace(day=1) - timedelta(days=1)).key
    return page(
        request,
        "exchange.html",
        status_code=status_code,
        units=_units(db, caller),
        definitions=service.definitions(db),
        chosen={"period": last_month, "definition": "monthly", "format": "json", **(chosen or {})},
        can_import=allowed(caller.role, "exchange", "import"),
        errors=field_errors(errors or [], lang),
        problems=_listed(errors or [], lang),
        imported=imported,
    )


@get("/exchange", sync_to_thread=False, include_in_schema=False)
def exchange_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    authorize_action(caller, "exchange", "export")
    return _exchange(request, db, caller)


@get("/exchange/export", sync_to_thread=False, include_in_schema=False)
def exchange_export(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep
) -> Response[bytes] | Template:
    """The file to save, or the page again with what was wrong."""
    query = request.query_params
    chosen = {k: str(query.get(k) or "")[:32] for k in ("unit", "definition", "period", "format", "children")}
    fmt = chosen["format"] if chosen["format"] in export.FORMATS else "json"
    unit = chosen["unit"]
    if not (unit.isdigit() and len(unit) < 19):
        return _exchange(request, db, caller, [FieldError("unit", "is required", "required")], chosen, 422)
    try:
        collected = export.collect(
            db, caller, int(unit), chosen["definition"], chosen["period"], chosen["children"] == "on"
        )
    except ValidationFailed as refused:
        return _exchange(request, db, caller, refused.errors, chosen, 422)
    data, media_type, filename = export.render(collected, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(data, media_type=media_type, headers=headers)


@post(
    "/exchange/import", sync_to_thread=True, include_in_schema=False, request_max_body_size=MAX_BYTES + 65536
)
def exchange_import(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: MultipartData
) -> Template:
    """Import a file into drafts; the page lists the drafts written, or every refusal by its place."""
    upload = data.get("data")
    fmt = str(data.get("format") or "json")
    chosen = {"import_format": fmt}
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return _exchange(request, db, caller, [FieldError("data", "is required", "required")], chosen, 422)
    try:
        done = importing.import_file(db, caller, fmt, upload.file.read(MAX_BYTES + 1))
    except ValidationFailed as refused:
        return _exchange(request, db, caller, refused.errors, chosen, 422)
    return _exchange(request, db, caller, chosen=chosen, imported=done, status_code=201)


def _mapping_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    errors: list[FieldError] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    return page(
        request,
        "exchange_mapping.html",
        status_code=status_code,
        mapping=mapping.mapping_json(db, caller),
        can_edit=allowed(caller.role, "exchange_mapping", "edit"),
        typed=dict(typed or {}),
        errors=field_errors(errors or [], lang),
        flash=request.query_params.get("msg") == "saved" and not errors,
    )


@get("/exchange/mapping", sync_to_thread=False, include_in_schema=False)
def mapping_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _mapping_page(request, db, caller)


@post("/exchange/mapping", sync_to_thread=False, include_in_schema=False)
def mapping_save(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Save every dataSet and cell code of the form at once; all or nothing, each bad box named."""
    authorize_action(caller, "exchange_mapping", "edit")
    current = mapping.mapping_json(db, caller)
    typed = {str(k): str(v).strip()[:64] for k, v in data.items() if isinstance(v, str)}
    cells: dict[tuple[str, str], tuple[str, str] | None] = {}
    errors: list[FieldError] = []
    for c in current["cells"]:
        where = f"{c['indicator']}.{c['cell']}"
        de, coc = typed.get(f"de.{where}", ""), typed.get(f"coc.{where}", "")
        if (de, coc) == (c["data_element"] or "", c["category_option_combo"] or ""):
            continue
        if bool(de) != bool(coc):
            missing = f"coc.{where}" if de else f"de.{where}"
            errors.append(FieldError(missing, "is required", "required"))
        cells[(c["indicator"], c["cell"])] = (de, coc) if de and coc else None
    try:
        if errors:
            raise ValidationFailed(errors)
        with savepoint(db):
            for d in current["data_sets"]:
                given = typed.get(f"ds.{d['definition']}", "")
                if given != (d["data_set"] or ""):
                    try:
                        mapping.set_data_set(db, caller, d["definition"], given or None)
                    except ValidationFailed as refused:
                        field = f"ds.{d['definition']}"
                        raise ValidationFailed(
                            [FieldError(field, e.message, e.code) for e in refused.errors]
                        ) from None
            if cells:
                mapping.set_cells(db, caller, cells)
    except ValidationFailed as refused:
        return _mapping_page(request, db, caller, refused.errors, typed, 422)
    return see_other("/exchange/mapping?msg=saved")


def _unit(db: Session, raw: object, caller: Caller) -> Unit:
    text = str(raw or "").strip()
    unit = get_unit(db, int(text)) if text.isdigit() and len(text) < 19 else caller.unit
    if unit is None:
        raise NotVisible("unit not found", resource="exchange_org_unit", action="read")
    return unit


def _units_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    unit: Unit,
    errors: list[FieldError] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "exchange_units.html",
        status_code=status_code,
        unit=unit,
        codes=mapping.org_units_json(db, caller, unit),
        can_edit=allowed(caller.role, "exchange_org_unit", "edit"),
        up=unit.parent_id if caller.unit is None or caller.unit.id != unit.id else None,
        typed=dict(typed or {}),
        errors=field_errors(errors or [], lang_of(request)),
        flash=request.query_params.get("msg") == "saved" and not errors,
    )


@get("/exchange/units", sync_to_thread=False, include_in_schema=False)
def units_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _units_page(request, db, caller, _unit(db, request.query_params.get("unit"), caller))


@post("/exchange/units", sync_to_thread=False, include_in_schema=False)
def units_save(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Set the orgUnit of the unit and of each unit below it whose box changed; all or nothing."""
    unit = _unit(db, data.get("unit"), caller)
    authorize_action(caller, "exchange_org_unit", "edit")
    shown = mapping.org_units_json(db, caller, unit)
    typed = {str(k): str(v).strip()[:64] for k, v in data.items() if isinstance(v, str)}
    rows = [shown["unit"], *shown["below"]]
    try:
        with savepoint(db):
            for row in rows:
                box = f"ou.{row['unit']['id']}"
                given = typed.get(box, "")
                if given == (row["org_unit"] or ""):
                    continue
                target = get_unit(db, int(row["unit"]["id"]))
                assert target is not None
                try:
                    mapping.set_org_unit(db, caller, target, given or None)
                except ValidationFailed as refused:
                    raise ValidationFailed(
                        [FieldError(box, e.message, e.code) for e in refused.errors]
                    ) from None
    except ValidationFailed as refused:
        return _units_page(request, db, caller, unit, refused.errors, typed, 422)
    return see_other(f"/exchange/units?unit={unit.id}&msg=saved")


ROUTES = [exchange_page, exchange_export, exchange_import, mapping_page, mapping_save, units_page, units_save]
