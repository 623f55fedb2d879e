"""Plans (kế hoạch) of a unit and year with their targets, activities and progress, the progress view
of a level (overdue activities first), the plan's signed file; steering committees with their members
and meetings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.cases.attachments import MAX_BYTES
from portal.plans import activities, committees, documents
from portal.plans.responses import (
    ActivityOut,
    CommitteeOut,
    CommitteeSummary,
    PlanOut,
    PlanSummary,
    ProgressOut,
    ProgressRowOut,
    committee_out,
    plan_out,
    unit_ref,
)
from portal.plans.schemas import (
    ActivityIn,
    ActivityPatch,
    CommitteeIn,
    CommitteePatch,
    MeetingIn,
    MemberIn,
    MemberLeave,
    PlanFilter,
    PlanIn,
    PlanPatch,
    ProgressIn,
)

TAGS = ["plans"]


@dataclass
class PlanFileForm:
    """The multipart body of a plan's file: the file in field ``data``."""

    data: UploadFile | None = None


def _plan(db: DbDep, caller: CallerDep, plan_id: int) -> PlanOut:
    plan, unit = documents.get_plan(db, caller, plan_id)
    return plan_out(db, plan, unit)


def _activity(db: DbDep, caller: CallerDep, activity_id: int) -> ActivityOut:
    activity, _plan, _plan_unit = activities.get_activity(db, caller, activity_id)
    owner = _unit(db, activity.owner_unit_id) if activity.owner_unit_id else None
    notes = activities.notes_of(db, [activity.id]).get(activity.id, [])
    return ActivityOut.of(activity, owner, notes)


@post("/api/v1/plans", sync_to_thread=False, status_code=201, tags=TAGS, summary="Record a plan of your unit")
def post_plan(data: JSONBody[PlanIn], caller: CallerDep, db: DbDep) -> PlanOut:
    plan, unit = documents.create_plan(db, caller, data)
    return plan_out(db, plan, unit)


@get("/api/v1/plans", sync_to_thread=False, tags=TAGS, summary="Plans of your area and of the units above")
def list_plans(
    caller: CallerDep, db: DbDep, year: FromQuery[int | None] = None, unit_id: FromQuery[int | None] = None
) -> Page[PlanSummary]:
    rows = documents.list_plans(db, caller, PlanFilter(year=year, unit_id=unit_id))
    return Page.whole([PlanSummary.of(p, u) for p, u in rows])


@get(
    "/api/v1/plans/{plan_id:int}",
    sync_to_thread=False,
    tags=TAGS,
    summary="A plan, its targets and activities",
)
def read_plan(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> PlanOut:
    return _plan(db, caller, plan_id)


@patch("/api/v1/plans/{plan_id:int}", sync_to_thread=False, tags=TAGS)
def patch_plan(plan_id: FromPath[int], data: JSONBody[PlanPatch], caller: CallerDep, db: DbDep) -> PlanOut:
    plan, unit = documents.update_plan(db, caller, plan_id, data)
    return plan_out(db, plan, unit)


@post(
    "/api/v1/plans/{plan_id:int}/file",
    sync_to_thread=True,
    status_code=200,
    tags=TAGS,
    request_max_body_size=MAX_BYTES + 512 * 1024,
    summary="The signed plan (PDF, JPEG, PNG, TIFF; at most 10 MB), multipart field 'data'",
)
def post_plan_file(
    plan_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    data: Annotated[PlanFileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> PlanOut:
    upload = data.data
    if upload is None or not upload.filename:
        raise ValidationFailed(
            [FieldError("data", "is required: the file, as multipart field 'data'", "required")]
        )
    documents.attach_file(
        db, caller, plan_id, upload.filename, upload.content_type, upload.file.read(MAX_BYTES + 1)
    )
    return _plan(db, caller, plan_id)


@get("/api/v1/plans/{plan_id:int}/file", sync_to_thread=True, tags=TAGS, summary="Download the plan's file")
def read_plan_file(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> Response[bytes]:
    content, plan = documents.download_file(db, caller, plan_id)
    name = plan.file_name or "plan"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return Response(
        content,
        media_type=plan.file_type or "application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@post("/api/v1/plans/{plan_id:int}/activities", sync_to_thread=False, status_code=201, tags=TAGS)
def post_activity(
    plan_id: FromPath[int], data: JSONBody[ActivityIn], caller: CallerDep, db: DbDep
) -> ActivityOut:
    activity = activities.add_activity(db, caller, plan_id, data)
    return _activity(db, caller, activity.id)


@patch("/api/v1/plan-activities/{activity_id:int}", sync_to_thread=False, tags=TAGS)
def patch_activity(
    activity_id: FromPath[int], data: JSONBody[ActivityPatch], caller: CallerDep, db: DbDep
) -> ActivityOut:
    activities.update_activity(db, caller, activity_id, data)
    return _activity(db, caller, activity_id)


@post(
    "/api/v1/plan-activities/{activity_id:int}/progress",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="A dated progress note (by the plan's unit or the activity's owner unit)",
)
def post_progress(
    activity_id: FromPath[int], data: JSONBody[ProgressIn], caller: CallerDep, db: DbDep
) -> ActivityOut:
    activities.record_progress(db, caller, activity_id, data)
    return _activity(db, caller, activity_id)


@get(
    "/api/v1/units/{unit_id:int}/plan-progress",
    sync_to_thread=False,
    tags=TAGS,
    summary="Every activity of the plans of a unit and the units below it for a year, overdue first",
)
def read_progress(
    unit_id: FromPath[int], caller: CallerDep, db: DbDep, year: FromQuery[int | None] = None
) -> ProgressOut:
    unit = _unit(db, unit_id)
    chosen = today().year if year is None else year
    rows = activities.progress_view(db, caller, unit, chosen)
    return ProgressOut(
        unit=unit_ref(unit),
        year=chosen,
        total=len(rows),
        done=sum(r.activity.status == "done" for r in rows),
        overdue=sum(r.overdue for r in rows),
        items=[ProgressRowOut.of(r) for r in rows],
    )


@post(
    "/api/v1/committees",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Record your unit's steering committee",
)
def post_committee(data: JSONBody[CommitteeIn], caller: CallerDep, db: DbDep) -> CommitteeOut:
    committee, unit = committees.create_committee(db, caller, data)
    return committee_out(db, committee, unit)


@get("/api/v1/committees", sync_to_thread=False, tags=TAGS, summary="Steering committees of your area")
def list_committees(
    caller: CallerDep, db: DbDep, unit_id: FromQuery[int | None] = None
) -> Page[CommitteeSummary]:
    rows = committees.list_committees(db, caller, unit_id)
    return Page.whole([CommitteeSummary.of(c, u) for c, u in rows])


@get("/api/v1/committees/{committee_id:int}", sync_to_thread=False, tags=TAGS)
def read_committee(committee_id: FromPath[int], caller: CallerDep, db: DbDep) -> CommitteeOut:
    committee, unit = committees.get_committee(db, caller, committee_id)
    return committee_out(db, committee, unit)


@patch("/api/v1/committees/{committee_id:int}", sync_to_thread=False, tags=TAGS)
def patch_committee(
    committee_id: FromPath[int], data: JSONBody[CommitteePatch], caller: CallerDep, db: DbDep
) -> CommitteeOut:
    committees.update_committee(db, caller, committee_id, data)
    committee, unit = committees.get_committee(db, caller, committee_id)
    return committee_out(db, committee, unit)


@post("/api/v1/committees/{committee_id:int}/members", sync_to_thread=False, status_code=201, tags=TAGS)
def post_member(
    committee_id: FromPath[int], data: JSONBody[MemberIn], caller: CallerDep, db: DbDep
) -> CommitteeOut:
    committees.add_member(db, caller, committee_id, data)
    committee, unit = committees.get_committee(db, caller, committee_id)
    return committee_out(db, committee, unit)


@post(
    "/api/v1/committees/{committee_id:int}/members/{member_id:int}/leave",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
)
def post_member_leave(
    committee_id: FromPath[int],
    member_id: FromPath[int],
    data: JSONBody[MemberLeave],
    caller: CallerDep,
    db: DbDep,
) -> CommitteeOut:
    committees.member_leaves(db, caller, committee_id, member_id, data)
    committee, unit = committees.get_committee(db, caller, committee_id)
    return committee_out(db, committee, unit)


@post("/api/v1/committees/{committee_id:int}/meetings", sync_to_thread=False, status_code=201, tags=TAGS)
def post_meeting(
    committee_id: FromPath[int], data: JSONBody[MeetingIn], caller: CallerDep, db: DbDep
) -> CommitteeOut:
    committees.add_meeting(db, caller, committee_id, data)
    committee, unit = committees.get_committee(db, caller, committee_id)
    return committee_out(db, committee, unit)


ROUTES = [
    post_plan,
    list_plans,
    read_plan,
    patch_plan,
    post_plan_file,
    read_plan_file,
    post_activity,
    patch_activity,
    post_progress,
    read_progress,
    post_committee,
    list_committees,
    read_committee,
    patch_committee,
    post_member,
    post_member_leave,
    post_meeting,
]
