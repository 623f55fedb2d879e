"""Case management (Decree 56/2017): intake, workflow, plan, notes, attachments, grants, alerts, counts.

No ``from __future__ import annotations`` here: the action routes are made by a factory whose body type
is a closure variable, so annotations must be evaluated when each route is defined.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Response, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.cases import alerts, attachments, grants, plans, reviews, service, workflow
from portal.cases.access import get_case
from portal.cases.intake import record_intake
from portal.cases.reference import reference_json
from portal.cases.register import XLSX, build_register
from portal.cases.responses import (
    AlertOut,
    AttachmentOut,
    CaseOut,
    CaseReferenceOut,
    CaseStatsOut,
    CaseSummaryOut,
    InformantOut,
)
from portal.cases.schemas import (
    ActionUpdateIn,
    AssessIn,
    AssignIn,
    CloseIn,
    DecisionIn,
    GrantIn,
    IntakeIn,
    NoteIn,
    PlanIn,
    ProtectIn,
    ReviewIn,
)
from portal.cases.stats import case_stats
from portal.cases.view import alert_json, attachment_json, case_json, people_by_id, summary_json

TAGS = ["cases"]
CaseId = FromPath[uuid.UUID]


@dataclass
class AttachmentForm:
    """The multipart body of an attachment: the file in field ``data``."""

    data: UploadFile | None = None


def _view(db: Session, caller: Caller, case_id: uuid.UUID) -> CaseOut:
    """The case after a change (the change itself is audited; this is not a separate read)."""
    return CaseOut.of(case_json(db, caller, get_case(db, caller, case_id, "read")))


@get(
    "/api/v1/cases/reference", sync_to_thread=False, tags=TAGS, summary="Case types, channels, risk levels..."
)
def read_case_reference(caller: CallerDep) -> CaseReferenceOut:
    return CaseReferenceOut.of(reference_json())


@post("/api/v1/cases", sync_to_thread=False, status_code=201, tags=TAGS, summary="Record a report (form 01)")
def post_case(data: JSONBody[IntakeIn], caller: CallerDep, db: DbDep) -> CaseOut:
    case = record_intake(db, caller, data)
    return CaseOut.of(case_json(db, caller, case))


@get("/api/v1/cases", sync_to_thread=False, tags=TAGS, summary="The cases the caller may see, newest first")
def list_cases(
    caller: CallerDep,
    db: DbDep,
    status: str | None = Parameter(default=None, description="a status, or 'open'"),
    case_type: str | None = Parameter(default=None),
    unit_id: int | None = Parameter(default=None, description="only cases in this unit's subtree"),
    overdue: bool | None = Parameter(
        default=None, description="true: only cases with a step past its deadline; false: only those without"
    ),
    page: int = Parameter(default=1),
    page_size: int = Parameter(default=20),
) -> Page[CaseSummaryOut]:
    params = {
        "status": status,
        "case_type": case_type,
        "unit_id": unit_id,
        "overdue": overdue,
        "page": page,
        "page_size": page_size,
    }
    result = service.list_cases(db, caller, params)
    people = people_by_id(db, {c.assigned_to for c, _ in result.items})
    return Page.of(result, lambda row: CaseSummaryOut.of(summary_json(row[0], people, row[1])))


@get("/api/v1/cases/{case_id:uuid}", sync_to_thread=False, tags=TAGS, summary="One case (audited)")
def read_case(case_id: CaseId, caller: CallerDep, db: DbDep) -> CaseOut:
    return CaseOut.of(case_json(db, caller, service.read_case(db, caller, case_id)))


@get(
    "/api/v1/cases/{case_id:uuid}/informant",
    sync_to_thread=False,
    tags=TAGS,
    summary="Who reported: the commune's ward officer only (audited)",
)
def read_informant(case_id: CaseId, caller: CallerDep, db: DbDep) -> InformantOut:
    return InformantOut.of(service.informant(db, caller, case_id))


def _action(path: str, handler: Any, schema: Any, summary: str, name: str) -> Any:
    @post(
        f"/api/v1/cases/{{case_id:uuid}}/{path}",
        sync_to_thread=False,
        status_code=200,
        tags=TAGS,
        summary=summary,
        name=f"case-{name}",
    )
    def route(case_id: CaseId, data: JSONBody[schema], caller: CallerDep, db: DbDep) -> CaseOut:
        handler(db, caller, case_id, data)
        return _view(db, caller, case_id)

    return route


post_assign = _action("assign", workflow.assign, AssignIn, "Assign the case worker (ward officer)", "assign")
post_assessment = _action("assessment", workflow.assess, AssessIn, "Assess the risk (form 02)", "assess")
post_protection = _action(
    "protection", workflow.protect, ProtectIn, "Record emergency protection (form 07)", "protect"
)
post_plan_submit = _action(
    "plan/submit",
    plans.submit_plan,
    DecisionIn,
    "Submit the plan for approval (meets the 5-day deadline)",
    "submit-plan",
)
post_plan_approve = _action(
    "plan/approve",
    plans.approve_plan,
    DecisionIn,
    "Approve the plan by decision (form 05; the commune chairman, never its drafter)",
    "approve-plan",
)
post_plan_return = _action(
    "plan/return",
    plans.return_plan,
    DecisionIn,
    "Return the plan with a comment (the commune chairman)",
    "return-plan",
)
post_review = _action(
    "reviews",
    reviews.review,
    ReviewIn,
    "Review the plan (form 06): each action, the child's situation, continue / new plan / close",
    "review",
)
post_close = _action(
    "close", workflow.close, CloseIn, "Propose closing the case with a reason (ward officer)", "close"
)
post_note = _action("notes", workflow.add_note, NoteIn, "Add a note", "note")
post_grant = _action("grants", grants.grant, GrantIn, "Share the case with a user (ward officer)", "grant")


@put(
    "/api/v1/cases/{case_id:uuid}/plan",
    sync_to_thread=False,
    tags=TAGS,
    summary="Write the draft plan (form 04)",
)
def put_plan(case_id: CaseId, data: JSONBody[PlanIn], caller: CallerDep, db: DbDep) -> CaseOut:
    plans.draft_plan(db, caller, case_id, data)
    return _view(db, caller, case_id)


@patch(
    "/api/v1/cases/{case_id:uuid}/actions/{action_id:uuid}",
    sync_to_thread=False,
    tags=TAGS,
    summary="Mark an action of the approved plan done or cancelled",
)
def patch_action(
    case_id: CaseId,
    action_id: FromPath[uuid.UUID],
    data: JSONBody[ActionUpdateIn],
    caller: CallerDep,
    db: DbDep,
) -> CaseOut:
    plans.update_action(db, caller, case_id, action_id, data)
    return _view(db, caller, case_id)


@post(
    "/api/v1/cases/{case_id:uuid}/grants/{grant_id:uuid}/revoke",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Revoke a grant (ward officer)",
)
def post_revoke(case_id: CaseId, grant_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> CaseOut:
    grants.revoke(db, caller, case_id, grant_id)
    return _view(db, caller, case_id)


@post(
    "/api/v1/cases/{case_id:uuid}/attachments",
    sync_to_thread=True,
    status_code=201,
    tags=TAGS,
    request_max_body_size=attachments.MAX_BYTES + 512 * 1024,
    summary="Attach a photo, report or scan (JPEG, PNG, TIFF, PDF; at most 10 MB), multipart field 'data'",
)
def post_attachment(
    case_id: CaseId,
    caller: CallerDep,
    db: DbDep,
    data: Annotated[AttachmentForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> AttachmentOut:
    upload = data.data
    if upload is None or not upload.filename:
        raise ValidationFailed(
            [FieldError("data", "is required: the file, as multipart field 'data'", "required")]
        )
    content = upload.file.read(attachments.MAX_BYTES + 1)
    row = attachments.upload(db, caller, case_id, upload.filename, upload.content_type, content)
    return AttachmentOut.of(attachment_json(row))


@get(
    "/api/v1/cases/{case_id:uuid}/attachments/{attachment_id:uuid}",
    sync_to_thread=True,
    tags=TAGS,
    summary="Download an attachment (access and checksum checked again; audited)",
)
def read_attachment(
    case_id: CaseId, attachment_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep
) -> Response[bytes]:
    content, row = attachments.download(db, caller, case_id, attachment_id)
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


@get("/api/v1/cases/alerts", sync_to_thread=False, tags=TAGS, summary="The caller's deadline alerts")
def read_alerts(caller: CallerDep, db: DbDep, unread: bool = Parameter(default=False)) -> Page[AlertOut]:
    return Page.whole([AlertOut.of(alert_json(a)) for a in alerts.my_alerts(db, caller, unread)])


@post("/api/v1/cases/alerts/{alert_id:uuid}/read", sync_to_thread=False, status_code=200, tags=TAGS)
def post_alert_read(alert_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> AlertOut:
    return AlertOut.of(alert_json(alerts.mark_read(db, caller, alert_id)))


@get(
    "/api/v1/cases/stats",
    sync_to_thread=False,
    tags=TAGS,
    summary="Case counts by status and type in a unit's subtree",
    description=(
        "Exact, for any dates, for the ward officers of a commune covering the unit. Everyone else reads "
        "whole ended months (cases counted in their month of receipt): `from` must be the first day of a "
        "month, `to` the last day of an ended month (default: the last ended month); figures are published "
        'with cell-key perturbation, cells of 1 to 4 as "<5" (see `disclosure` in the answer).'
    ),
)
def read_case_stats(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int],
    received_from: Annotated[date | None, QueryParameter(name="from")] = None,
    received_to: Annotated[date | None, QueryParameter(name="to")] = None,
) -> CaseStatsOut:
    return CaseStatsOut.of(case_stats(db, caller, _unit(db, unit_id), received_from, received_to))


@get(
    "/api/v1/cases/register",
    sync_to_thread=True,
    tags=TAGS,
    summary="The commune's case register as XLSX (ward officer; audited)",
)
def read_register(caller: CallerDep, db: DbDep, unit_id: FromQuery[int]) -> Response[bytes]:
    content, filename = build_register(db, caller, _unit(db, unit_id))
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [
    read_case_reference,
    post_case,
    list_cases,
    read_case,
    read_informant,
    post_assign,
    post_assessment,
    post_protection,
    put_plan,
    post_plan_submit,
    post_plan_approve,
    post_plan_return,
    patch_action,
    post_review,
    post_close,
    post_note,
    post_grant,
    post_revoke,
    post_attachment,
    read_attachment,
    read_alerts,
    post_alert_read,
    read_case_stats,
    read_register,
]
