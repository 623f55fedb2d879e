"""The hazardous water points pages: the list of the caller's area with filters and counts, recording a
point, a point with its checks, photos and history, and changing, checking, photographing or removing it.

Who does what is the service's rule (``portal.registers.water_points``): every level reads its area's
points; only the hamlet's collaborator and the commune's ward officer change them. The pages only choose
which forms to offer; each call goes through the service with the caller's scoped session.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import translate
from portal.registers import photos, views, water_points
from portal.registers.access import keeps_records_of
from portal.registers.schemas import CheckIn, RegisterFilter, RemoveIn, WaterPointIn, WaterPointPatch
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors, fmt_date
from portal.web.register_words import ACTION, DONE, WATER_KIND, WATER_STATUS, options, register_filter, words
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, units_below

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
FORM: tuple[str, ...] = ("hamlet_id", "kind", "description", "listed_on", "latitude", "longitude")
FORM += ("signed", "signed_on", "fenced", "fenced_on")


def _kept_hamlets(db: Session, caller: Caller) -> list[Unit]:
    """The hamlets in force the caller may record points in (their own, or their commune's)."""
    unit = caller.unit
    if unit is None or not allowed(caller.role, "water_point", "record"):
        return []
    if unit.level == "hamlet":
        return [unit]
    return units_below(db, unit, "hamlet", current=True) if unit.level == "commune" else []


def _form_values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    values = {k: str(data.get(k) or "").strip() for k in names}
    for k in ("latitude", "longitude"):  # a Vietnamese decimal comma
        if k in values:
            values[k] = values[k].replace(",", ".")
    return values


def _list(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang, query = lang_of(request), request.query_params
    chosen, wanted, problems = register_filter(query)
    try:
        found = water_points.list_points(db, caller, wanted)
    except ValidationFailed as exc:
        problems += exc.errors
        found = water_points.list_points(db, caller, RegisterFilter())
    hamlets = _kept_hamlets(db, caller)
    areas = [caller.unit, *child_units(db, caller.unit.id)] if caller.unit else []
    return page(
        request,
        "water_points.html",
        status_code=422 if problems and status_code == 200 else status_code,
        rows=found.rows,
        counts=found.counts,
        chosen=chosen,
        areas=[(str(u.id), u.name) for u in areas],
        kinds=options(WATER_KIND, lang),
        kind_words=dict(options(WATER_KIND, lang)),
        statuses=options(WATER_STATUS, lang),
        hamlets=[(str(h.id), h.name) for h in hamlets],
        values={**dict.fromkeys(FORM, ""), **(values or {})},
        errors=field_errors(problems + list(errors or []), lang),
        form_open=bool(errors),
    )


@get("/water-points", sync_to_thread=False, include_in_schema=False)
def water_points_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list(request, db, caller)


@post("/water-points/new", sync_to_thread=False, include_in_schema=False)
def water_point_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "water_point", "record")  # the service's first check, before any input is read
    values = _form_values(data, FORM)
    errors: list[FieldError] = []
    body = read_form(values, WaterPointIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                point, _hamlet = water_points.create_point(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/water-points/{point.id}?done=created")
    return _list(request, db, caller, values, errors, 422)


def point_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    point_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    detail = views.point_detail(db, caller, point_id)
    point, hamlet = water_points.get_point(db, caller, point_id)
    shown = detail["point"]
    current = {
        "kind": shown["kind"],
        "description": shown["description"],
        "listed_on": fmt_date(shown["listed_on"]),
        "latitude": "" if shown["latitude"] is None else str(shown["latitude"]),
        "longitude": "" if shown["longitude"] is None else str(shown["longitude"]),
        "signed": "1" if shown["signed"] else "",
        "signed_on": fmt_date(shown["signed_on"]),
        "fenced": "1" if shown["fenced"] else "",
        "fenced_on": fmt_date(shown["fenced_on"]),
        "checked_on": "",
        "result": "",
        "checked_by": "",
        "on": "",
        "reason": "",
    }
    may = allowed(caller.role, "water_point", "record") and keeps_records_of(caller, hamlet)
    done = request.query_params.get("done", "")
    return page(
        request,
        "water_point.html",
        status_code=status_code,
        p=shown,
        detail=detail,
        may_record=may and point.removed_on is None,
        may_remove=may and point.removed_on is None and allowed(caller.role, "water_point", "remove"),
        kinds=options(WATER_KIND, lang),
        kind_words=dict(options(WATER_KIND, lang)),
        action_words={k: words(ACTION, k, lang) for k in ACTION},
        form=form,
        values={**current, **(values or {})},
        errors=field_errors(errors or [], lang),
        done=translate(lang, DONE[done]) if done in DONE else "",
    )


@get("/water-points/{point_id:int}", sync_to_thread=False, include_in_schema=False)
def water_point_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, point_id: FromPath[int]
) -> Template:
    return point_page(request, db, caller, point_id)


def _act(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    point_id: int,
    form: str,
    values: dict[str, str],
    body: Any,
    errors: list[FieldError],
    call: Any,
    done: str,
) -> Template | Redirect:
    """Run ``call(body)`` in a savepoint; the page again with the problems named, or the confirmation."""
    if body is not None:
        try:
            with db.begin_nested():
                changed = call(body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/water-points/{point_id}?done={done if changed is not False else 'unchanged'}")
    return point_page(request, db, caller, point_id, form=form, values=values, errors=errors, status_code=422)


@post("/water-points/{point_id:int}", sync_to_thread=False, include_in_schema=False)
def water_point_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, point_id: FromPath[int], data: FormData
) -> Template | Redirect:
    point, _hamlet = water_points.get_point(db, caller, point_id, "record")  # refused before input is read
    version = point.version
    values = _form_values(data, FORM[1:])
    errors: list[FieldError] = []
    body = read_form(values, WaterPointPatch, errors, inputs=FORM[1:])

    def call(patch: WaterPointPatch) -> bool:
        return water_points.update_point(db, caller, point_id, patch)[0].version != version

    return _act(request, db, caller, point_id, "edit", values, body, errors, call, "updated")


@post("/water-points/{point_id:int}/checks", sync_to_thread=False, include_in_schema=False)
def water_point_check(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, point_id: FromPath[int], data: FormData
) -> Template | Redirect:
    water_points.get_point(db, caller, point_id, "record")
    values = _form_values(data, ("checked_on", "result", "checked_by"))
    errors: list[FieldError] = []
    body = read_form(values, CheckIn, errors)
    return _act(
        request,
        db,
        caller,
        point_id,
        "check",
        values,
        body,
        errors,
        lambda b: water_points.add_check(db, caller, point_id, b),
        "checked",
    )


@post("/water-points/{point_id:int}/remove", sync_to_thread=False, include_in_schema=False)
def water_point_remove(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, point_id: FromPath[int], data: FormData
) -> Template | Redirect:
    water_points.get_point(db, caller, point_id, "remove")
    values = _form_values(data, ("on", "reason"))
    errors: list[FieldError] = []
    body = read_form(values, RemoveIn, errors)
    return _act(
        request,
        db,
        caller,
        point_id,
        "remove",
        values,
        body,
        errors,
        lambda b: water_points.remove_point(db, caller, point_id, b),
        "removed",
    )


@post(
    "/water-points/{point_id:int}/photos",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=photos.MAX_BYTES + 512 * 1024,
)
def water_point_photo(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    point_id: FromPath[int],
    data: MultipartData,
) -> Template | Redirect:
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        water_points.get_point(db, caller, point_id, "record")
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(photos.MAX_BYTES + 1)
        try:
            photos.upload(db, caller, point_id, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/water-points/{point_id}?done=photo")
    db.rollback()
    return point_page(request, db, caller, point_id, form="photo", errors=errors, status_code=422)


@get("/water-points/{point_id:int}/photos/{photo_id:uuid}", sync_to_thread=True, include_in_schema=False)
def water_point_photo_file(
    caller: CallerDep, db: DbDep, point_id: FromPath[int], photo_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    content, row = photos.download(db, caller, point_id, photo_id)
    return Response(content, media_type=row.content_type, headers={"Cache-Control": "private, no-store"})


ROUTES = [
    water_points_list,
    water_point_create,
    water_point_page,
    water_point_update,
    water_point_check,
    water_point_remove,
    water_point_photo,
    water_point_photo_file,
]
