"""Child-friendly commune assessment (Decision 06/QĐ-TTg): the criteria, a commune's assessment by year,
its evidence files, the review by the level above, the commune's category, history and dashboard."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from infra.errors import FieldError, ValidationFailed
from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.cases.attachments import MAX_BYTES
from portal.childfriendly import categories, decisions, files, listing, service
from portal.childfriendly.access import get_assessment
from portal.childfriendly.criteria import load
from portal.childfriendly.responses import (
    AreaOut,
    AssessmentOut,
    CategoryOut,
    CriteriaOut,
    DashboardOut,
    FileOut,
    HistoryOut,
)
from portal.childfriendly.schemas import ActionIn, AssessmentCreate, CategoryIn, DecisionIn, ValuesIn
from portal.childfriendly.view import assessment_view

TAGS = ["child-friendly"]


@dataclass
class EvidenceForm:
    """The multipart body of an evidence file: the indicator's code and the file in field ``data``."""

    indicator: str | None = None
    data: UploadFile | None = None


def _view(db: Any, caller: Any, assessment_id: int) -> AssessmentOut:
    return msgspec.convert(
        assessment_view(db, caller, *get_assessment(db, caller, assessment_id)), AssessmentOut
    )


@get("/api/v1/child-friendly/criteria", sync_to_thread=False, tags=TAGS, summary="The decision's criteria")
def read_criteria(caller: CallerDep) -> CriteriaOut:
    criteria = load()
    raw = {
        "decision": criteria.decision,
        "categories": [
            {"code": k.code, "threshold": k.threshold, **k.text} for k in criteria.categories.values()
        ],
        "criteria": [
            {
                "no": c.no,
                "code": c.code,
                "points": c.points,
                "citation": c.citation,
                **c.text,
                "indicators": [
                    {
                        "code": i.code,
                        "kind": i.kind,
                        "source": i.source,
                        "paraphrased": i.paraphrased,
                        "max_points": i.max_points,
                        "bands": [list(b) for b in i.bands],
                        **i.text,
                    }
                    for i in c.indicators
                ],
            }
            for c in criteria.criteria
        ],
    }
    return msgspec.convert(raw, CriteriaOut)


@post(
    "/api/v1/child-friendly/assessments",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Start a commune's assessment for a year (its evidence computed at once)",
)
def post_assessment(data: JSONBody[AssessmentCreate], caller: CallerDep, db: DbDep) -> AssessmentOut:
    assessment, unit = service.create(db, caller, data)
    return msgspec.convert(assessment_view(db, caller, assessment, unit), AssessmentOut)


@get("/api/v1/child-friendly/assessments/{assessment_id:int}", sync_to_thread=False, tags=TAGS)
def read_assessment(assessment_id: FromPath[int], caller: CallerDep, db: DbDep) -> AssessmentOut:
    return _view(db, caller, assessment_id)


@put(
    "/api/v1/child-friendly/assessments/{assessment_id:int}/values",
    sync_to_thread=False,
    tags=TAGS,
    summary="Enter the values the portal does not hold, with their evidence",
)
def put_values(
    assessment_id: FromPath[int], data: JSONBody[ValuesIn], caller: CallerDep, db: DbDep
) -> AssessmentOut:
    service.enter(db, caller, assessment_id, data)
    return _view(db, caller, assessment_id)


def _action(name: str, run: Any, body: type) -> Any:
    @post(
        f"/api/v1/child-friendly/assessments/{{assessment_id:int}}/{name}",
        sync_to_thread=False,
        status_code=200,
        tags=TAGS,
        name=f"child_friendly_{name}",
    )
    def handler(
        assessment_id: FromPath[int],
        data: JSONBody[body],  # type: ignore[valid-type]
        caller: CallerDep,
        db: DbDep,
    ) -> AssessmentOut:
        run(db, caller, assessment_id, data)
        return _view(db, caller, assessment_id)

    return handler


post_refresh = _action("refresh", service.refresh, ActionIn)
post_submit = _action("submit", service.submit, ActionIn)
post_return = _action("return", decisions.send_back, ActionIn)
post_decide = _action("decide", decisions.decide, DecisionIn)


@post(
    "/api/v1/child-friendly/assessments/{assessment_id:int}/files",
    sync_to_thread=True,
    status_code=201,
    tags=TAGS,
    request_max_body_size=MAX_BYTES + 512 * 1024,
    summary="Attach evidence to an entered indicator (JPEG, PNG, TIFF, PDF; at most 10 MB)",
)
def post_file(
    assessment_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> FileOut:
    upload = data.data
    if upload is None or not upload.filename:
        raise ValidationFailed(
            [FieldError("data", "is required: the file, as multipart field 'data'", "required")]
        )
    content = upload.file.read(MAX_BYTES + 1)
    row = files.upload(
        db, caller, assessment_id, data.indicator, upload.filename, upload.content_type, content
    )
    return FileOut(
        id=str(row.id),
        indicator=row.indicator,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
    )


@get(
    "/api/v1/child-friendly/assessments/{assessment_id:int}/files/{file_id:uuid}",
    sync_to_thread=True,
    tags=TAGS,
    summary="Download an evidence file (access and checksum checked again; audited)",
)
def read_file(
    assessment_id: FromPath[int], file_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep
) -> Response[bytes]:
    content, row = files.download(db, caller, assessment_id, file_id)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(
        content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@get(
    "/api/v1/units/{unit_id:int}/child-friendly",
    sync_to_thread=False,
    tags=TAGS,
    summary="A commune's assessments by year",
)
def read_history(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> HistoryOut:
    unit = _unit(db, unit_id)
    items = listing.history(db, caller, unit)
    category = categories.category_of(db, unit)
    raw = {
        "unit": unit.ref(),
        "category": category.category,
        "category_set": category.set,
        "basis": category.basis,
        "items": items,
    }
    return msgspec.convert(raw, HistoryOut)


@put(
    "/api/v1/units/{unit_id:int}/child-friendly/category",
    sync_to_thread=False,
    tags=TAGS,
    summary="Class the commune (the level above), which sets its threshold",
)
def put_category(
    unit_id: FromPath[int], data: JSONBody[CategoryIn], caller: CallerDep, db: DbDep
) -> CategoryOut:
    unit = _unit(db, unit_id)
    found = categories.set_category(db, caller, unit, data)
    raw = {"unit": unit.ref(), "category": found.category, "category_set": found.set, "basis": found.basis}
    return msgspec.convert(raw, CategoryOut)


@get(
    "/api/v1/units/{unit_id:int}/child-friendly/assessments",
    sync_to_thread=False,
    tags=TAGS,
    summary="The assessments of the communes under a unit for a year",
)
def read_area(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    year: FromQuery[int | None] = None,
    status: FromQuery[str | None] = None,
) -> AreaOut:
    return msgspec.convert(
        {"items": listing.area_list(db, caller, _unit(db, unit_id), year, status)}, AreaOut
    )


@get(
    "/api/v1/units/{unit_id:int}/child-friendly/dashboard",
    sync_to_thread=False,
    tags=TAGS,
    summary="Recognised communes against the plan's target (counts only)",
)
def read_dashboard(
    unit_id: FromPath[int], caller: CallerDep, db: DbDep, year: FromQuery[int | None] = None
) -> DashboardOut:
    return msgspec.convert(listing.dashboard(db, caller, _unit(db, unit_id), year), DashboardOut)


ROUTES = [
    read_criteria,
    post_assessment,
    read_assessment,
    put_values,
    post_refresh,
    post_submit,
    post_return,
    post_decide,
    post_file,
    read_file,
    read_history,
    put_category,
    read_area,
    read_dashboard,
]
