"""Data-quality pages (ward officers and collaborators): the work list of the caller's area with its
figures, the list for the commune police (Project 06) as Excel, and the import of their verified list.

Every call goes through the registry's services with the caller's scoped session, as the API does.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Template

from authz.caller import Caller
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, translate
from portal.locale.field_errors import error_message, form_field
from portal.registry.national_id import ID_PROVINCES
from portal.registry.police_export import MEDIA_TYPE, police_export
from portal.registry.police_import import police_import
from portal.registry.quality import PROBLEMS, work_list
from portal.stats.quality import unit_quality
from portal.web.deps import lang_of
from portal.web.render import page
from tenancy.models import Unit

_ROW = re.compile(r"^rows\[(\d+)\]\.")
PAGE_SIZE = 50
MAX_FILE = 10 * 1024 * 1024
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
WORDS = {
    "all": N_("All problems"),
    "no_id": N_("No personal id number"),
    "id_mismatch": N_("Personal id does not fit the record"),
    "missing_info": N_("Basic information missing"),
    "id_province": N_("province code"),
    "id_century_sex": N_("century and sex digit"),
    "id_year": N_("year of birth"),
    "full_name": N_("full name"),
    "ethnicity": N_("ethnic group"),
    "guardians": N_("parent or guardian"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "not_found": N_("Not found by the police"),
    "conflict": N_("Held by another record"),
    "issued": N_("Issued"),
    "corrected": N_("Corrected"),
}


def _words(lang: str) -> dict[str, str]:
    return {k: translate(lang, v) for k, v in WORDS.items()}


def _area(caller: Caller) -> Unit:
    """The caller's own area: a ward officer's commune, a collaborator's hamlet."""
    if caller.unit is None or caller.role not in ("ward_officer", "collaborator"):
        raise Forbidden(
            "the data-quality work list is for ward officers and collaborators",
            resource="page",
            action="read",
        )
    return caller.unit


@get("/data-quality", sync_to_thread=False, include_in_schema=False)
def quality_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    problem: FromQuery[str] = "all",
    page_number: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    unit = _area(caller)
    problem = problem if problem in PROBLEMS else "all"
    listed = work_list(db, caller, unit, problem, max(1, page_number), PAGE_SIZE)
    return page(
        request,
        "data_quality.html",
        unit=unit,
        quality=unit_quality(db, caller, unit),
        quality_link=False,
        listed=listed,
        problems=("all", *PROBLEMS),
        words=_words(lang_of(request)),
        pages=max(1, -(-listed["total"] // PAGE_SIZE)),
        provinces={code: p.name for code, p in ID_PROVINCES.items()},
    )


@get("/data-quality/police-export", sync_to_thread=True, include_in_schema=False)
def police_export_download(caller: CallerDep, db: DbDep, problem: FromQuery[str] = "all") -> Response[bytes]:
    filename, content = police_export(db, caller, _area(caller), problem if problem in PROBLEMS else "all")
    return Response(
        content,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _import_page(
    request: Request[Any, Any, Any],
    unit: Unit,
    errors: list[FieldError] | None = None,
    answer: dict[str, Any] | None = None,
    verified_by: str = "",
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    shown = []
    for e in errors or []:
        row = _ROW.match(e.field)
        shown.append((int(row.group(1)) if row else None, error_message(form_field(e.field), e.code, lang)))
    return page(
        request,
        "police_import.html",
        status_code=status_code,
        unit=unit,
        problems_found=shown,
        answer=answer,
        verified_by=verified_by,
        words=_words(lang),
    )


@get("/data-quality/police-import", sync_to_thread=False, include_in_schema=False)
def police_import_form(request: Request[Any, Any, Any], caller: CallerDep) -> Template:
    if caller.role != "ward_officer":
        raise Forbidden(
            "the police's verified list is imported by the ward officer", resource="page", action="read"
        )
    return _import_page(request, _area(caller))


@post(
    "/data-quality/police-import",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=MAX_FILE + 512 * 1024,
)
def police_import_post(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: MultipartData
) -> Template:
    unit = _area(caller)
    upload = data.get("file")
    verified_by = str(data.get("verified_by") or "").strip()
    try:
        if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
            raise ValidationFailed([FieldError("file", "is required", "required")])
        content = upload.file.read(MAX_FILE + 1)
        if len(content) > MAX_FILE:
            raise ValidationFailed([FieldError("file", "is larger than 10 MB", "too_large")])
        answer = police_import(db, caller, unit, content, verified_by, dry_run=bool(data.get("dry_run")))
    except ValidationFailed as refused:
        db.rollback()
        return _import_page(request, unit, refused.errors, verified_by=verified_by, status_code=422)
    return _import_page(request, unit, answer=answer, verified_by=verified_by)


ROUTES = [quality_page, police_export_download, police_import_form, police_import_post]
