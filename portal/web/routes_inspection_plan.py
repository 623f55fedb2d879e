"""Planning an inspection on the pages (district officers, provincial inspectors), as ``POST
/api/v1/inspections``: a title, the months inspected, the units audited, the team, the visit's days
and the legal basis; the automated checklist the plan will run is shown with its thresholds.

The choices come from portal.inspections.planning and the plan from ``service.create_plan`` (Casbin,
the unit checks, the audit): a role that may not plan gets the 403 page; each problem is shown next to
its field in the reader's words, and nothing is written.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.inspections import planning, service
from portal.inspections.checks import CHECKLIST
from portal.inspections.schemas import InspectionPlanIn
from portal.locale import N_, Msg, translate
from portal.locale.periods import period_name
from portal.registers import facilities
from portal.registers.schemas import RegisterFilter
from portal.stats.months import month_end
from portal.web.deps import FormData, lang_of
from portal.web.form_input import day_input
from portal.web.i18n import field_errors
from portal.web.render import page, see_other

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TEXTS = ("title", "legal_basis", "period_start", "period_end", "visit_from", "visit_to")
LABELS: dict[str, Msg] = {
    "title": N_("Title"),
    "period_start": N_("First month inspected"),
    "period_end": N_("Last month inspected"),
    "unit_ids": N_("Units to inspect"),
    "facility_ids": N_("Child-assistance facilities to inspect"),
    "team": N_("Inspection team"),
    "visit_from": N_("First day of the visit"),
    "visit_to": N_("Last day of the visit"),
    "legal_basis": N_("Legal basis"),
}
"""The form's fields as its labels name them (also in the list of problems above the form)."""


def auditable_facilities(db: Session, caller: Caller) -> list[tuple[str, str]]:
    """The open facilities managed in the planner's area, as (id, "name (unit)") choices."""
    if caller.unit is None or not allowed(caller.role, "facility", "read"):
        return []
    found = facilities.list_facilities(db, caller, RegisterFilter(unit_id=caller.unit.id))
    return [(str(f.id), f"{f.name} ({u.name})") for f, u in found.rows]


def _said(label: str, text: str) -> str:
    """A problem as the list above the form says it: with its field's name (once: a day's says it)."""
    return text if text.startswith(label) else f"{label}: {text}"


def _month(field: str, text: str, errors: list[FieldError]) -> date | None:
    found = MONTH.match(text)
    if found is None:
        code = "required" if not text else "invalid"
        errors.append(FieldError(field, "choose a month from the list", code))
        return None
    return date(int(found[1]), int(found[2]), 1)


def _form(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    choices = planning.planning_choices(db, caller)
    lang = lang_of(request)
    months = choices.months
    labels = {k: translate(lang, v) for k, v in LABELS.items()}
    shown = field_errors(errors or [], lang)
    default = {
        "period_start": f"{months[0]:%Y}-01" if months else "",
        "period_end": f"{months[0]:%Y-%m}" if months else "",
        "unit_ids": [],
        "facility_ids": [],
        "team": [],
    }
    return page(
        request,
        "inspection_new.html",
        status_code=status_code,
        choices=choices,
        months=[(f"{m:%Y-%m}", period_name(f"{m:%Y-%m}", lang)) for m in months],
        checklist=[(i.name_en if lang == "en" else i.name_vi, i) for i in CHECKLIST],
        facilities=auditable_facilities(db, caller),
        values={**dict.fromkeys(TEXTS, ""), **default, **(values or {})},
        labels=labels,
        errors=shown,
        summary=[(name, _said(labels.get(name, name), text)) for name, text in shown.items()],
        form_message="form_errors" if errors else None,
    )


@get("/inspections/new", sync_to_thread=False, include_in_schema=False)
def plan_form(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _form(request, db, caller)


def _many(data: dict[str, Any], key: str) -> list[str]:
    """A form's repeated field (ticked boxes): every value sent, as text."""
    sent = data.get(key)
    return [str(v) for v in (sent if isinstance(sent, list) else [sent] if sent else [])][:500]


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@post("/inspections/new", sync_to_thread=False, include_in_schema=False)
def plan_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values: dict[str, Any] = {k: str(data.get(k) or "").strip() for k in TEXTS}
    values["unit_ids"] = _many(data, "unit_ids")
    values["team"] = _many(data, "team")
    values["facility_ids"] = _many(data, "facility_ids")
    errors: list[FieldError] = []
    start = _month("period_start", values["period_start"], errors)
    last = _month("period_end", values["period_end"], errors)
    end = month_end(last) if last is not None else None
    if start is not None and last is not None and last < start:
        errors.append(FieldError("period_end", "is before the first month", "range"))
    visit_from = day_input("visit_from", values["visit_from"], errors)
    visit_to = day_input("visit_to", values["visit_to"], errors)
    if not errors and start is not None and end is not None:
        body = InspectionPlanIn(
            title=values["title"],
            period_start=start,
            period_end=end,
            unit_ids=_ids(values["unit_ids"]),
            facility_ids=_ids(values["facility_ids"]),
            team=[t for t in values["team"] if t],
            legal_basis=values["legal_basis"] or None,
            visit_from=visit_from,
            visit_to=visit_to,
        )
        try:
            plan = service.create_plan(db, caller, body)
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            db.flush()
            return see_other(f"/inspections/{plan.id}?msg=planned")
    else:  # what the service would also say, so that every problem shows at once
        if not values["title"]:
            errors.append(FieldError("title", "is required", "required"))
        if not values["unit_ids"] and not values["facility_ids"]:
            errors.append(FieldError("unit_ids", "must list the audited units' ids", "required"))
    db.rollback()
    return _form(request, db, caller, values, errors, 422)


ROUTES = [plan_form, plan_submit]
