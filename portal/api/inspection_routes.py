"""Inspections of lower units: plans, automated checks with progress, findings, recommendations and
their follow-up, and the inspection report PDF."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from authz.guards import authorize_action
from portal.api.pages import whole_list
from portal.boundary.deps import CallerDep, DbDep
from portal.inspections import document, followup, service
from portal.inspections.checks import CHECKLIST
from portal.inspections.view import plan_json

TAGS = ["inspections"]


@get("/api/v1/inspection-checklist", sync_to_thread=False, tags=TAGS, summary="The automated checklist items")
def read_checklist(caller: CallerDep) -> dict[str, Any]:
    authorize_action(caller, "inspection", "read")
    return whole_list(
        [
            {
                "code": i.code,
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "threshold": i.threshold,
                "higher_is_better": i.higher_is_better,
            }
            for i in CHECKLIST
        ]
    )


@post(
    "/api/v1/inspections",
    sync_to_thread=True,
    status_code=201,
    tags=TAGS,
    summary="Plan an inspection of units below the caller's unit",
)
def post_plan(data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    plan = service.create_plan(db, caller, data)
    db.flush()
    return plan_json(db, plan, caller.scope.records)


@get(
    "/api/v1/inspections",
    sync_to_thread=True,
    tags=TAGS,
    summary="Inspections the caller takes part in or is audited by",
)
def list_plans(caller: CallerDep, db: DbDep) -> dict[str, Any]:
    plans = service.list_plans(db, caller)
    return whole_list(
        [
            {
                "id": p.id,
                "title": p.title,
                "status": p.status,
                "period_start": p.period_start.isoformat(),
                "period_end": p.period_end.isoformat(),
            }
            for p in plans
        ]
    )


@get("/api/v1/inspections/{plan_id:int}", sync_to_thread=True, tags=TAGS)
def read_plan(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return plan_json(db, service.get_plan(db, caller, plan_id), caller.scope.records)


@post(
    "/api/v1/inspections/{plan_id:int}/checks",
    sync_to_thread=True,
    status_code=202,
    tags=TAGS,
    summary="Run the automated checks for one audited unit (unit_id) or all",
)
def post_checks(
    plan_id: FromPath[int], caller: CallerDep, db: DbDep, data: JSONBody[dict[str, Any] | None] = None
) -> dict[str, Any]:
    run = service.start_checks(db, caller, plan_id, data or {})
    db.flush()
    return service.run_progress(db, caller, run.id)


@get(
    "/api/v1/inspection-runs/{run_id:int}", sync_to_thread=True, tags=TAGS, summary="Progress of a check run"
)
def read_run(run_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return service.run_progress(db, caller, run_id)


@post("/api/v1/inspections/{plan_id:int}/close", sync_to_thread=True, status_code=200, tags=TAGS)
def post_close(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return plan_json(db, service.close_plan(db, caller, plan_id), caller.scope.records)


@post("/api/v1/inspection-targets/{target_id:int}/findings", sync_to_thread=True, status_code=201, tags=TAGS)
def post_finding(
    target_id: FromPath[int], data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    finding = followup.add_finding(db, caller, target_id, data)
    return {
        "id": finding.id,
        "target_id": finding.target_id,
        "item": finding.item,
        "text": finding.text,
        "severity": finding.severity,
    }


@post(
    "/api/v1/inspection-findings/{finding_id:int}/recommendations",
    sync_to_thread=True,
    status_code=201,
    tags=TAGS,
    summary="A recommendation with a responsible unit and a deadline",
)
def post_recommendation(
    finding_id: FromPath[int], data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    rec = followup.recommend(db, caller, finding_id, data)
    return followup.recommendation_json(db, rec)


@get("/api/v1/recommendations", sync_to_thread=True, tags=TAGS, summary="Recommendations the caller may see")
def list_recommendations(
    caller: CallerDep, db: DbDep, overdue: FromQuery[bool | None] = None
) -> dict[str, Any]:
    return whole_list(followup.list_recommendations(db, caller, overdue))


@post(
    "/api/v1/recommendations/{rec_id:int}/answer",
    sync_to_thread=True,
    status_code=200,
    tags=TAGS,
    summary="The responsible unit's answer",
)
def post_answer(
    rec_id: FromPath[int], data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return followup.recommendation_json(db, followup.answer(db, caller, rec_id, data))


@post("/api/v1/recommendations/{rec_id:int}/accept", sync_to_thread=True, status_code=200, tags=TAGS)
def post_accept(
    rec_id: FromPath[int], data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return followup.recommendation_json(db, followup.settle(db, caller, rec_id, data, accept=True))


@post("/api/v1/recommendations/{rec_id:int}/reopen", sync_to_thread=True, status_code=200, tags=TAGS)
def post_reopen(
    rec_id: FromPath[int], data: JSONBody[dict[str, Any]], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return followup.recommendation_json(db, followup.settle(db, caller, rec_id, data, accept=False))


@post(
    "/api/v1/inspections/{plan_id:int}/documents",
    sync_to_thread=True,
    status_code=202,
    tags=TAGS,
    summary="Queue the inspection report PDF",
)
def post_document(plan_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return document.request_document(db, caller, plan_id).as_json()


@get("/api/v1/inspection-documents/{document_id:uuid}", sync_to_thread=True, tags=TAGS)
def read_document(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return document.get_document(db, caller, document_id).as_json()


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
