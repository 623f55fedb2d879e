"""One periodic report on the pages: its figures, the hand-entered cells as a form, and the workflow
buttons (submit, approve, return, reopen, refresh); confirmations that name the report and period, and a
submission refused because the sub-units changed since the consolidation names them.

Every call goes through portal.reports (service, workflow, view) with the caller's scoped session, as
the API does: Casbin, the SQL scope, RLS and the audit log apply. What the buttons offer comes from
``allowed_actions``; the services check again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.reports import service, workflow
from portal.reports.access import get_report
from portal.reports.documents import can_retry, documents_of
from portal.reports.figures import Catalog, load_catalog
from portal.reports.models import Report, ReportDefinition
from portal.reports.rule_view import checks_json
from portal.reports.schemas import ActionIn, ValuesIn
from portal.reports.view import report_json
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.report_checks import shown
from portal.web.report_form import (
    differences,
    entry_sections,
    figure_tables,
    missing_boxes,
    parse_reasons,
    parse_values,
)
from portal.web.report_words import confirmation
from tenancy.models import Unit

RULE_ERRORS = ("rule_blocking", "explanation_required")
ACTIONS = {
    "submit": workflow.submit,
    "approve": workflow.approve,
    "return": workflow.send_back,
    "reopen": workflow.reopen,
}


def _int(text: object) -> int | None:
    value = str(text or "").strip()
    return int(value) if value.isdigit() else None


def report_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    report_id: int,
    errors: list[FieldError] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
    message: str | None = None,
    explained: Mapping[str, str] | None = None,
) -> Template:
    """One report: its figures, the boxes typed in at its unit (for its own staff while it is a draft
    or returned), the boxes a submission found empty, and the actions after the figures.
    ``typed`` puts a rejected form's text back into its boxes, ``explained`` the explanations of warnings.
    The data checks (portal.reports.rule_view) show under the heading."""
    report, definition, unit = get_report(db, caller, report_id)
    view = report_json(db, caller, report, definition, unit)
    lang = lang_of(request)
    catalog = load_catalog(db, definition, report.period_start, report.period_end)
    en = lang == "en"
    shown_errors = field_errors(errors or [], lang)
    missing = missing_boxes(catalog, unit.level, errors or [], en)
    entry = (
        entry_sections(
            catalog,
            unit.level,
            report.entered,
            typed,
            shown_errors,
            en,
            (report.from_months or {}).get("values"),
            report.reasons,
        )
        if "enter" in view["allowed_actions"]
        else []
    )
    if message is None and errors:
        ruled = any(e.code in RULE_ERRORS for e in errors)
        message = "report_missing" if missing else "report_rules" if ruled else "form_errors"
    changed = workflow.changed_sub_units(db, report, unit) if message == "report_stale" else None
    if message == "report_stale" and changed is None:
        message = "report_not_consolidated"
    documents = documents_of(db, report.id) if not view["suppressed"] else []
    return page(
        request,
        "report.html",
        status_code=status_code,
        view=view,
        report=report,
        unit=unit,
        title=definition.name_en if en else definition.name_vi,
        tables=figure_tables(catalog, unit.level, view["figures"], en),
        differences=differences(
            catalog,
            unit.level,
            (view["from_months"] or {}).get("values", {}),
            view["entered"],
            view["reasons"],
            en,
        ),
        entry=entry,
        missing=missing,
        unapproved=[s for s in view["sub_units"] if s["status"] != "approved"],
        documents=[(d, can_retry(d)) for d in documents],
        errors=shown_errors,
        form_message=message,
        changed=changed or [],
        flash=confirmation(request.query_params.get("msg", ""), lang, report.period, unit.name),
        **_checks(db, caller, view, (report, definition, unit), catalog, en, errors or [], explained),
    )


def _checks(
    db: Session,
    caller: Caller,
    view: Mapping[str, Any],
    found: tuple[Report, ReportDefinition, Unit],
    catalog: Catalog,
    en: bool,
    errors: list[FieldError],
    explained: Mapping[str, str] | None,
) -> dict[str, Any]:
    """The report's data checks for the page: its findings, its sub-units', and whether the reader may
    explain warnings here (the unit's own staff, while the report can be edited)."""
    report, definition, unit = found
    checks = checks_json(db, caller, report, definition, unit)
    ruled = {
        e.field.removesuffix(".comment").removeprefix("rules."): e.code
        for e in errors
        if e.code in RULE_ERRORS
    }
    return {
        "checks": shown(catalog, checks["findings"], en),
        "sub_checks": [(s, shown(catalog, s["findings"], en)) for s in checks["sub_units"]],
        "checks_suppressed": checks["suppressed"],
        "can_explain": checks["live"] and "enter" in view["allowed_actions"],
        "ruled": ruled,
        "explained": explained or {},
    }


@get("/reports/{report_id:int}", sync_to_thread=False, include_in_schema=False)
def report_detail(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int]
) -> Template:
    return report_page(request, db, caller, report_id)


@post("/reports/{report_id:int}/values", sync_to_thread=False, include_in_schema=False)
def report_values(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Template | Redirect:
    values, typed, errors = parse_values(data)
    reasons, typed_reasons = parse_reasons(data)
    typed = {**typed, **typed_reasons}
    if not errors:
        try:
            with db.begin_nested():
                body = ValuesIn(values=dict(values), version=_int(data.get("version")), reasons=dict(reasons))
                service.enter_values(db, caller, report_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            db.expire_all()
            return report_page(request, db, caller, report_id, status_code=409, message="report_conflict")
        else:
            return see_other(f"/reports/{report_id}?msg=entered")
    return report_page(request, db, caller, report_id, errors, typed, status_code=422)


@post("/reports/{report_id:int}/action", sync_to_thread=False, include_in_schema=False)
def report_action(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Template | Redirect:
    action = str(data.get("action") or "")
    body = ActionIn(
        version=_int(data.get("version")),
        comment=str(data.get("comment") or "").strip() or None,
        reason=str(data.get("reason") or "").strip() or None,
    )
    try:
        with db.begin_nested():
            if action == "refresh":
                service.refresh(db, caller, report_id)
            elif action == "from_months":
                service.take_months_again(db, caller, report_id)
            elif action in ACTIONS:
                ACTIONS[action](db, caller, report_id, body)
            else:
                return report_page(request, db, caller, report_id, status_code=400, message="error")
    except ValidationFailed as exc:
        return report_page(request, db, caller, report_id, exc.errors, status_code=422)
    except Conflict as exc:
        db.expire_all()
        stale = "problems" in exc.extra  # the sub-units' reports changed since the consolidation
        message = "report_stale" if stale else "report_conflict"
        return report_page(request, db, caller, report_id, status_code=409, message=message)
    if data.get("next") == "month":  # sent from the month's page: back there, with the confirmation
        report, definition, _unit = get_report(db, caller, report_id)
        if definition.period_type == "month":
            return see_other(f"/reports/month?period={report.period}&msg={action}")
    return see_other(f"/reports/{report_id}?msg={action}")


ROUTES = [report_detail, report_values, report_action]
