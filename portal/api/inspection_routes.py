"""Inspections of lower units: plans, automated checks with progress, findings, recommendations and
their follow-up, and the inspection report PDF."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.inspections import document, followup, service
from portal.inspections.checks import CHECKLIST
from portal.inspections.models import InspectionPlan, Recommendation
from portal.inspections.responses import (
    ChecklistItemOut,
    FindingOut,
    InspectionDocumentOut,
    InspectionPlanOut,
    InspectionPlanSummary,
    RecommendationOut,
    RunProgressOut,
)
from portal.inspections.schemas import ChecksIn, FindingIn, InspectionPlanIn, RecommendationIn, TextIn
from portal.inspections.view import plan_json

TAGS = ["inspections"]


def _plan(db: Session, caller: Caller, plan: InspectionPlan) -> InspectionPlanOut:
    return msgspec.convert(plan_json(db, plan, caller.scope.records), InspectionPlanOut)


def _progress(db: Session, caller: Caller, run_id: int) -> RunProgressOut:
    return msgspec.convert(service.run_progress(db, caller, run_id), RunProgressOut)


def _recommendation(db: Session, rec: Recommendation) -> RecommendationOut:
    return msgspec.convert(followup.recommendation_json(db, rec), RecommendationOut)


@get("/api/v1/inspection-checklist", sync_to_thread=False, tags=TAGS, summary="The automated checklist items")
def read_checklist(caller: CallerDep) -> Page[ChecklistItemOut]:
    authorize_action(caller, "inspection", "read")
    items = [ChecklistItemOut.of(i) for i in CHECKLIST]
    return Page.whole(items)


@post(
    "/api/v1/inspections",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Plan an inspection of units below the caller's unit",
)
def post_plan(data: JSONBody[InspectionPlanIn], caller: CallerDep, db: DbDep) -> InspectionPlanOut:
    plan = service.create_plan(db, caller, data)
    db.flush()
    return _plan(db, caller, plan)


@get(
    "/api/v1/inspections",
    sync_to_thread=False,
    tags=TAGS,
    summary="Inspections the caller takes part in or is audited by",
)
def list_plans(caller: CallerDep, db: DbDep) -> Page[InspectionPlanSummary]:
    items = [InspectionPlanSummary.of(p) for p in service.list_plans(db, caller)]
    return Page.whole(items)


@get("/api/v1/inspections/{plan_id:int}", sync_to_thread=False, tags=TAGS)
def read_plan(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> InspectionPlanOut:
    return _plan(db, caller, service.get_plan(db, caller, plan_id))


@post(
    "/api/v1/inspections/{plan_id:int}/checks",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Run the automated checks for one audited unit (unit_id) or all",
)
def post_checks(
    plan_id: FromPath[int], caller: CallerDep, db: DbDep, data: JSONBody[ChecksIn | None] = None
) -> RunProgressOut:
    run = service.start_checks(db, caller, plan_id, ChecksIn() if data is None else data)
    db.flush()
    return _progress(db, caller, run.id)


@get(
    "/api/v1/inspection-runs/{run_id:int}", sync_to_thread=False, tags=TAGS, summary="Progress of a check run"
)
def read_run(run_id: FromPath[int], caller: CallerDep, db: DbDep) -> RunProgressOut:
    return _progress(db, caller, run_id)


@post("/api/v1/inspections/{plan_id:int}/close", sync_to_thread=False, status_code=200, tags=TAGS)
def post_close(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> InspectionPlanOut:
    return _plan(db, caller, service.close_plan(db, caller, plan_id))


@post("/api/v1/inspection-targets/{target_id:int}/findings", sync_to_thread=False, status_code=201, tags=TAGS)
def post_finding(
    target_id: FromPath[int], data: JSONBody[FindingIn], caller: CallerDep, db: DbDep
) -> FindingOut:
    return FindingOut.of(followup.add_finding(db, caller, target_id, data))


@post(
    "/api/v1/inspection-findings/{finding_id:int}/recommendations",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="A recommendation with a responsible unit and a deadline",
)
def post_recommendation(
    finding_id: FromPath[int], data: JSONBody[RecommendationIn], caller: CallerDep, db: DbDep
) -> RecommendationOut:
    return _recommendation(db, followup.recommend(db, caller, finding_id, data))


@get("/api/v1/recommendations", sync_to_thread=False, tags=TAGS, summary="Recommendations the caller may see")
def list_recommendations(
    caller: CallerDep, db: DbDep, overdue: FromQuery[bool | None] = None
) -> Page[RecommendationOut]:
    items = msgspec.convert(followup.list_recommendations(db, caller, overdue), list[RecommendationOut])
    return Page.whole(items)


@post(
    "/api/v1/recommendations/{rec_id:int}/answer",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="The responsible unit's answer",
)
def post_answer(
    rec_id: FromPath[int], data: JSONBody[TextIn], caller: CallerDep, db: DbDep
) -> RecommendationOut:
    return _recommendation(db, followup.answer(db, caller, rec_id, data))


@post("/api/v1/recommendations/{rec_id:int}/accept", sync_to_thread=False, status_code=200, tags=TAGS)
def post_accept(
    rec_id: FromPath[int], data: JSONBody[TextIn], caller: CallerDep, db: DbDep
) -> RecommendationOut:
    return _recommendation(db, followup.settle(db, caller, rec_id, data, accept=True))


@post("/api/v1/recommendations/{rec_id:int}/reopen", sync_to_thread=False, status_code=200, tags=TAGS)
def post_reopen(
    rec_id: FromPath[int], data: JSONBody[TextIn], caller: CallerDep, db: DbDep
) -> RecommendationOut:
    return _recommendation(db, followup.settle(db, caller, rec_id, data, accept=False))


@post(
    "/api/v1/inspections/{plan_id:int}/documents",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Queue the inspection report PDF",
)
def post_document(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> InspectionDocumentOut:
    return InspectionDocumentOut.of(document.request_document(db, caller, plan_id))


@get("/api/v1/inspection-documents/{document_id:uuid}", sync_to_thread=False, tags=TAGS)
def read_document(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> InspectionDocumentOut:
    return InspectionDocumentOut.of(document.get_document(db, caller, document_id))


@get("/api/v1/inspection-documents/{document_id:uuid}/download", sync_to_thread=True, tags=TAGS)
def read_download(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> Response[bytes]:
    data, filename = document.download(db, caller, document_id)
    return Response(
        data,
        media_type=document.PDF,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [
    read_checklist,
    post_plan,
    list_plans,
    read_plan,
    post_checks,
    read_run,
    post_close,
    post_finding,
    post_recommendation,
    list_recommendations,
    post_answer,
    post_accept,
    post_reopen,
    post_document,
    read_document,
    read_download,
]
