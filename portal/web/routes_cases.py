"""Case pages (collaborators and ward officers): my cases, the intake form (form 01), alerts.

The child is chosen from the caller's registry by a POSTed search (a name never goes into a URL)
or recorded with the case. Every call goes through portal.cases with the caller's scoped session,
so Casbin, RLS, grants and the audit log apply exactly as for the API (portal.api.case_routes).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.cases import alerts, service
from portal.cases.intake import record_intake
from portal.cases.reference import CASE_TYPES, CHANNELS
from portal.cases.schemas import InformantIn, IntakeIn
from portal.locale import N_, translate
from portal.registry.reference import ETHNICITIES
from portal.registry.schemas import ChildCreate
from portal.registry.service import get_child, list_children
from portal.web.case_words import case_names, form_errors, options
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.routes_children import _hamlets

PAGE_SIZE = 20
INTAKE_FIELDS = (
    "channel", "case_type", "description", "received_at", "place", "child_id", "q",
    "new_child_full_name", "new_child_date_of_birth", "new_child_sex", "new_child_ethnicity",
    "new_child_hamlet_id", "informant_full_name", "informant_phone", "informant_relationship",
    "informant_anonymous",
)  # fmt: skip


def list_filters(query: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str], list[FieldError]]:
    """The list's GET filters (status, case type, overdue, page) as ``service.list_cases`` takes them,
    the values to show again, and the problems of their format (the service checks the codes)."""
    shown = {k: str(query.get(k) or "").strip()[:40] for k in ("status", "case_type", "overdue", "page")}
    errors = []
    page_no = 1
    if shown["page"]:
        if shown["page"].isdigit() and int(shown["page"]) >= 1:
            page_no = int(shown["page"])
        else:
            errors.append(FieldError("page", "must be a whole number from 1", "not_integer"))
    if shown["overdue"] not in ("", "1"):
        errors.append(FieldError("overdue", "must be 1 or absent", "invalid"))
    params = {
        "status": shown["status"] or None,
        "case_type": shown["case_type"] or None,
        "overdue": True if shown["overdue"] == "1" else None,
        "page": page_no,
        "page_size": PAGE_SIZE,
    }
    return params, shown, errors


@get("/cases", sync_to_thread=False, include_in_schema=False)
def cases_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    """The caller's cases, filtered by a GET form (the filter stays in the address: no name is in it)."""
    lang = lang_of(request)
    params, shown, errors = list_filters(request.query_params)
    result = service.CasePage([], 0, 1, PAGE_SIZE)
    if not errors:
        try:
            result = service.list_cases(db, caller, params)
        except ValidationFailed as exc:
            errors = exc.errors
    now = utcnow()
    filtered = {k: v for k, v in shown.items() if v and k != "page"}
    return page(
        request,
        "cases.html",
        status_code=422 if errors else 200,
        result=result,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        overdue={c.id: due is not None and due <= now for c, due in result.items},
        names=case_names(lang),
        values=shown,
        filtered=filtered,
        query=urlencode(filtered),
        status_options=[("open", translate(lang, N_("Open (not closed)"))), *options(lang, "status")],
        type_options=options(lang, "case_type"),
        errors=field_errors(errors, lang),
        form_message="filter_errors" if errors else None,
    )


def _values(form: dict[str, Any]) -> dict[str, str]:
    values = {k: str(form.get(k) or "").strip() for k in INTAKE_FIELDS}
    values["informant_anonymous"] = "on" if form.get("informant_anonymous") else ""
    return values


def _blank(hamlets: list[Any]) -> dict[str, str]:
    values = dict.fromkeys(INTAKE_FIELDS, "")
    values.update(channel="hotline_111", new_child_ethnicity="Kinh")
    values["new_child_hamlet_id"] = str(hamlets[0].id) if len(hamlets) == 1 else ""
    return values


def _chosen(db: Session, caller: Caller, values: dict[str, str]) -> Any:
    try:
        return get_child(db, caller, uuid.UUID(values["child_id"])) if values["child_id"] else None
    except (ValueError, NotVisible):
        return None


def _intake_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str],
    errors: list[FieldError],
    found: list[Any] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    hamlets = _hamlets(db, caller)
    return page(
        request,
        "case_new.html",
        status_code=status_code,
        values=values,
        errors=form_errors(errors, lang),
        form_message="form_errors" if errors else None,
        found=found,
        chosen=_chosen(db, caller, values),
        hamlet_options=[(str(h.id), h.name) for h in hamlets],
        channel_options=[(c, en if lang == "en" else vi) for c, vi, en in CHANNELS],
        type_options=[(c, en if lang == "en" else vi) for c, vi, en in CASE_TYPES],
        ethnicity_options=[(e, e) for e in ETHNICITIES],
    )


@get("/cases/new", sync_to_thread=False, include_in_schema=False)
def new_case_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _intake_page(request, db, caller, _blank(_hamlets(db, caller)), [])


def _new_child(values: dict[str, str], errors: list[FieldError]) -> ChildCreate | None:
    if values["child_id"] or not any(values[k] for k in ("new_child_full_name", "new_child_date_of_birth")):
        return None
    return read_form(
        values,
        ChildCreate,
        errors,
        "new_child_",
        inputs=("full_name", "date_of_birth", "sex", "ethnicity", "hamlet_id"),
        given={"ethnicity": values["new_child_ethnicity"] or "Kinh"},
    )


def _informant(values: dict[str, str], errors: list[FieldError]) -> InformantIn | None:
    if not any(values[f"informant_{k}"] for k in ("full_name", "phone", "relationship", "anonymous")):
        return None
    inputs = ("anonymous", "full_name", "phone", "relationship")
    return read_form(values, InformantIn, errors, "informant_", inputs=inputs)


def intake_from(values: dict[str, str]) -> tuple[IntakeIn | None, list[FieldError]]:
    """Only format problems here; every rule about meaning is record_intake's (same field names)."""
    errors: list[FieldError] = []
    parts = {"new_child": _new_child(values, errors), "informant": _informant(values, errors)}
    inputs = ("channel", "case_type", "description", "child_id", "received_at", "place")
    body = read_form(values, IntakeIn, errors, inputs=inputs, given=parts)
    return (None, errors) if errors else (body, [])


@post("/cases/new", sync_to_thread=False, include_in_schema=False)
def new_case_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = _values(data)
    if data.get("do") == "search":
        assert caller.unit is not None
        result = list_children(db, caller, caller.unit, 1, PAGE_SIZE, values["q"][:100] or None)
        return _intake_page(request, db, caller, values, [], found=result.items)
    body, errors = intake_from(values)
    if body is not None:
        try:
            case = record_intake(db, caller, body)
        except ValidationFailed as exc:
            if exc.audit_outcome:
                raise  # a child outside the caller's area: refused and audited like the API
            errors = exc.errors
        else:
            return see_other(f"/cases/{case.id}?msg=filed")
    return _intake_page(request, db, caller, values, errors, status_code=422)


@get("/alerts", sync_to_thread=False, include_in_schema=False)
def alerts_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return page(
        request, "alerts.html", items=alerts.my_alerts(db, caller), names=case_names(lang_of(request))
    )


@post("/alerts/{alert_id:uuid}/read", sync_to_thread=False, include_in_schema=False)
def alert_read(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, alert_id: FromPath[uuid.UUID]
) -> Redirect:
    alerts.mark_read(db, caller, alert_id)
    return see_other("/alerts")


ROUTES = [cases_page, new_case_page, new_case_submit, alerts_page, alert_read]


def all_routes() -> list[Any]:
    """This module's routes with the case page's and the inspections' (one entry in portal.web)."""
    from portal.web import (
        routes_case_access,
        routes_case_files,
        routes_case_page,
        routes_case_stats,
        routes_inspection_tasks,
        routes_inspections,
    )

    return [
        *ROUTES,
        *routes_case_page.ROUTES,
        *routes_case_access.ROUTES,
        *routes_case_files.ROUTES,
        *routes_case_stats.ROUTES,
        *routes_inspections.ROUTES,
        *routes_inspection_tasks.ROUTES,
    ]
