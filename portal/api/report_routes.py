"""Periodic reports: definitions, drafts, figures, the approval chain, consolidation, documents,
dashboards and targets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import today
from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.reports import bulk, consolidation, documents, due, service, timeliness, workflow
from portal.reports.access import report_to_read
from portal.reports.campaigns import campaigns
from portal.reports.dashboard import dashboard, set_target
from portal.reports.figures import load_catalog
from portal.reports.models import Report
from portal.reports.rates_out import RatesOut
from portal.reports.responses import (
    CampaignOut,
    ConsolidationRunOut,
    DashboardOut,
    DefinitionOut,
    DefinitionsOut,
    DueDaysOut,
    IndicatorOut,
    PreparedOut,
    ReportDocumentOut,
    ReportOut,
    ReportSummary,
    TargetDefinitionOut,
    TargetSetOut,
)
from portal.reports.schemas import (
    ActionIn,
    ConsolidateIn,
    DashboardQuery,
    DocumentIn,
    PrepareIn,
    ReportCreate,
    TargetIn,
    ValuesIn,
)
from portal.reports.view import report_json

TAGS = ["reports"]


def _view(db: Session, caller: Caller, report_id: int) -> ReportOut:
    with report_to_read(db, caller, report_id) as (reader, report, definition, unit):
        return msgspec.convert(report_json(db, reader, report, definition, unit), ReportOut)


@get(
    "/api/v1/report-definitions",
    sync_to_thread=False,
    tags=TAGS,
    summary="Report definitions, indicators, targets",
)
def read_definitions(caller: CallerDep, db: DbDep) -> DefinitionsOut:
    authorize_action(caller, "report", "read")
    items = []
    for definition in service.definitions(db):
        catalog = load_catalog(db, definition)
        items.append(
            DefinitionOut(
                code=definition.code,
                name_vi=definition.name_vi,
                name_en=definition.name_en,
                period_type=definition.period_type,
                lowest_level=definition.lowest_level,
                indicators=[
                    IndicatorOut(
                        code=i.code,
                        name_vi=i.name_vi,
                        name_en=i.name_en,
                        source=i.source,
                        entry_level=catalog.entry_level(i),
                        cells=i.cells,
                        partitions=i.partitions,
                        rules=i.rules,
                        legal_basis=i.legal_basis,
                    )
                    for i in catalog.indicators
                ],
            )
        )
    targets = [
        TargetDefinitionOut(
            code=t.code,
            name_vi=t.name_vi,
            name_en=t.name_en,
            numerator=t.numerator,
            denominator=t.denominator,
            default_pct=float(t.default_pct),
            legal_basis=t.legal_basis,
        )
        for t in service.targets(db)
    ]
    year = today().year
    campaign_list = [
        CampaignOut(
            code=c.code,
            name_vi=c.name_vi,
            name_en=c.name_en,
            indicator=c.indicator,
            target=c.target_code,
            calendar=c.calendar,
            start=[c.start_month, c.start_day],
            end=[c.end_month, c.end_day],
            first_day=c.days(year)[0].isoformat(),
            last_day=c.days(year)[1].isoformat(),
            legal_basis=c.legal_basis,
        )
        for c in campaigns(db)
    ]
    return DefinitionsOut(items=items, targets=targets, campaigns=campaign_list)


@get(
    "/api/v1/report-definitions/{code:str}/due-days",
    sync_to_thread=False,
    tags=TAGS,
    summary="Working days after the period's end by which each level's report is due",
)
def read_due_days(code: FromPath[str], caller: CallerDep, db: DbDep) -> DueDaysOut:
    return msgspec.convert(due.due_days_json(db, caller, code), DueDaysOut)


@put(
    "/api/v1/report-definitions/{code:str}/due-days",
    sync_to_thread=False,
    tags=TAGS,
    summary="Change the working days after the period's end by which levels' reports are due (administrator)",
)
def put_due_days(
    code: FromPath[str], data: JSONBody[due.DueDaysIn], caller: CallerDep, db: DbDep
) -> DueDaysOut:
    return msgspec.convert(due.set_due_days(db, caller, code, data), DueDaysOut)


@post("/api/v1/reports", sync_to_thread=False, status_code=201, tags=TAGS, summary="Start a report (a draft)")
def post_report(data: JSONBody[ReportCreate], caller: CallerDep, db: DbDep) -> ReportOut:
    report = service.create_report(db, caller, data)
    db.flush()
    return _view(db, caller, report.id)


@post(
    "/api/v1/units/{unit_id:int}/reports/prepare",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Draft every lowest-level report of the unit's area for a period, counted from the registry",
)
def post_prepare(
    unit_id: FromPath[int], data: JSONBody[PrepareIn], caller: CallerDep, db: DbDep
) -> PreparedOut:
    return bulk.prepare_drafts(db, caller, _unit(db, unit_id), data)


@get("/api/v1/reports", sync_to_thread=False, tags=TAGS, summary="Reports in the caller's area")
def list_reports(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int | None] = None,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
    page_size: FromQuery[int] = 50,
) -> Page[ReportSummary]:
    params = {
        "unit_id": unit_id,
        "definition": definition,
        "period": period,
        "status": status,
        "page": page,
        "page_size": page_size,
    }
    items, total = service.list_reports(db, caller, params)
    return Page([ReportSummary.of(r) for r in items], total, page, page_size)


@get("/api/v1/reports/{report_id:int}", sync_to_thread=False, tags=TAGS)
def read_report(report_id: FromPath[int], caller: CallerDep, db: DbDep) -> ReportOut:
    return _view(db, caller, report_id)


@put(
    "/api/v1/reports/{report_id:int}/values", sync_to_thread=False, tags=TAGS, summary="Enter counts by hand"
)
def put_values(report_id: FromPath[int], data: JSONBody[ValuesIn], caller: CallerDep, db: DbDep) -> ReportOut:
    service.enter_values(db, caller, report_id, data)
    return _view(db, caller, report_id)


@post(
    "/api/v1/reports/{report_id:int}/from-months",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Take the approved monthly reports' figures again into a longer period's draft",
)
def post_from_months(report_id: FromPath[int], caller: CallerDep, db: DbDep) -> ReportOut:
    service.take_months_again(db, caller, report_id)
    return _view(db, caller, report_id)


@post(
    "/api/v1/reports/{report_id:int}/refresh",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Recount a lowest-level draft from the registry",
)
def post_refresh(report_id: FromPath[int], caller: CallerDep, db: DbDep) -> ReportOut:
    service.refresh(db, caller, report_id)
    return _view(db, caller, report_id)


def _transition(name: str, action: Callable[[Session, Caller, int, ActionIn], Report], summary: str) -> Any:
    @post(
        f"/api/v1/reports/{{report_id:int}}/{name}",
        sync_to_thread=False,
        status_code=200,
        tags=TAGS,
        summary=summary,
        name=f"report-{name}",
    )
    def handler(
        report_id: FromPath[int], caller: CallerDep, db: DbDep, data: JSONBody[ActionIn | None] = None
    ) -> ReportOut:
        action(db, caller, report_id, ActionIn() if data is None else data)
        return _view(db, caller, report_id)

    return handler


post_submit = _transition("submit", workflow.submit, "Submit to the level above")
post_approve = _transition("approve", workflow.approve, "Approve (the level above); locks the figures")
post_return = _transition("return", workflow.send_back, "Return to the unit with a comment")
post_reopen = _transition(
    "reopen", workflow.reopen, "Re-open an approved report (the approver, with a reason)"
)


@post(
    "/api/v1/reports/{report_id:int}/consolidate",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Consolidate the sub-units' approved reports (a worker task with progress)",
)
def post_consolidate(
    report_id: FromPath[int], caller: CallerDep, db: DbDep, data: JSONBody[ConsolidateIn | None] = None
) -> ConsolidationRunOut:
    run = consolidation.request_consolidation(
        db, caller, report_id, ConsolidateIn() if data is None else data
    )
    return ConsolidationRunOut.of(run)


@get(
    "/api/v1/consolidations/{run_id:int}",
    sync_to_thread=False,
    tags=TAGS,
    summary="A consolidation's progress",
)
def read_consolidation(run_id: FromPath[int], caller: CallerDep, db: DbDep) -> ConsolidationRunOut:
    return ConsolidationRunOut.of(consolidation.get_run(db, caller, run_id))


@post(
    "/api/v1/reports/{report_id:int}/documents",
    sync_to_thread=False,
    status_code=202,
    tags=TAGS,
    summary="Queue an XLSX or PDF of the report",
)
def post_document(
    report_id: FromPath[int], data: JSONBody[DocumentIn], caller: CallerDep, db: DbDep
) -> ReportDocumentOut:
    return ReportDocumentOut.of(documents.request_document(db, caller, report_id, data))


@get("/api/v1/report-documents/{document_id:uuid}", sync_to_thread=False, tags=TAGS)
def read_document(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> ReportDocumentOut:
    return ReportDocumentOut.of(documents.get_document(db, caller, document_id))


@post("/api/v1/report-documents/{document_id:uuid}/retry", sync_to_thread=False, status_code=202, tags=TAGS)
def post_document_retry(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> ReportDocumentOut:
    return ReportDocumentOut.of(documents.retry_document(db, caller, document_id))


@get(
    "/api/v1/report-documents/{document_id:uuid}/download",
    sync_to_thread=True,
    tags=TAGS,
    summary="The document, streamed after access is checked again",
)
def read_document_download(document_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> Response[bytes]:
    data, media_type, filename = documents.download_document(db, caller, document_id)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@get(
    "/api/v1/units/{unit_id:int}/dashboard",
    sync_to_thread=False,
    tags=TAGS,
    summary="Indicators against targets, trend and a ranking of sub-units",
    description=(
        "Readers who do not keep the unit's records see counts of children and cases as published by the "
        "disclosure policy (the statistics layer's figures for the period's last month, as `/stats` "
        "shows them) and read ended periods only: `period` must have ended (default: the latest ended "
        "period with a report, else the last ended one)."
    ),
)
def read_dashboard(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    periods: FromQuery[int | None] = None,
) -> DashboardOut:
    query = DashboardQuery(definition=definition, period=period, periods=periods)
    return msgspec.convert(dashboard(db, caller, _unit(db, unit_id), query), DashboardOut)


@put(
    "/api/v1/units/{unit_id:int}/targets",
    sync_to_thread=False,
    tags=TAGS,
    summary="Set the unit's target for a year",
)
def put_target(
    unit_id: FromPath[int], data: JSONBody[TargetIn], caller: CallerDep, db: DbDep
) -> TargetSetOut:
    return set_target(db, caller, _unit(db, unit_id), data)


@get(
    "/api/v1/reporting-rates",
    sync_to_thread=False,
    tags=TAGS,
    summary="Reports expected, received and received on time (completeness and timeliness) under a unit",
)
def read_reporting_rates(
    caller: CallerDep,
    db: DbDep,
    definition: FromQuery[str],
    period: FromQuery[str],
    unit_id: FromQuery[int | None] = None,
) -> RatesOut:
    rates = timeliness.rates_for(db, caller, definition, period, unit_id)
    return msgspec.convert(timeliness.rates_json(rates), RatesOut)


ROUTES = [
    read_reporting_rates,
    read_definitions,
    read_due_days,
    put_due_days,
    post_report,
    post_prepare,
    list_reports,
    read_report,
    put_values,
    post_from_months,
    post_refresh,
    post_submit,
    post_approve,
    post_return,
    post_reopen,
    post_consolidate,
    read_consolidation,
    post_document,
    read_document,
    post_document_retry,
    read_document_download,
    read_dashboard,
    put_target,
]
