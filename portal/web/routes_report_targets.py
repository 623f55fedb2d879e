"""A unit's targets for a year on the pages (its plan: 100% of children in special circumstances
supported, ≥ 90% taking part in the Action Month...), as ``PUT /api/v1/units/{id}/targets`` sets them:
the same service (``dashboard.set_target``), so the same roles (Casbin ``target, set``) at their own
unit or one below it. Each target shows the percentage in force and whose plan set it (the unit's own,
an ancestor's, or the national default); a box typed in sets the unit's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, number, translate
from portal.reports import service
from portal.reports.dashboard import Rates, set_target
from portal.reports.schemas import TargetIn
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, get_unit

PERCENT = re.compile(r"^\d{1,3}(?:[.,]\d{1,2})?$")
SAVED = N_("Targets of %(unit)s for %(year)s saved.")


def _unit(db: Session, caller: Caller, text: object) -> Unit:
    """The unit whose targets are shown: the one asked for (an id), else the caller's own; 403 outside
    the caller's area, as the API answers."""
    authorize_action(caller, "target", "set")
    raw = str(text or "").strip()
    unit = caller.unit
    if raw:
        unit = get_unit(db, int(raw)) if raw.isdigit() and len(raw) < 19 else None
    if unit is None:
        raise NotVisible("unit not found", resource="target", action="set")
    authorize(caller, "target", "set", unit)
    return unit


def _year(text: object) -> tuple[int, list[FieldError]]:
    raw = str(text or "").strip()
    if not raw:
        return today().year, []
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw), []
    return today().year, [FieldError("year", "must be a year such as 2026")]


def _percentages(
    form: Mapping[str, Any], codes: list[str]
) -> tuple[dict[str, float], dict[str, str], list[FieldError]]:
    """The boxes typed in (``pct.<target>``), as percentages; an empty box leaves the target as it is."""
    values: dict[str, float] = {}
    typed: dict[str, str] = {}
    errors: list[FieldError] = []
    for code in codes:
        text = str(form.get(f"pct.{code}") or "").strip().removesuffix("%").strip()
        typed[code] = text
        if not text:
            continue
        if not PERCENT.match(text) or float(text.replace(",", ".")) > 100:
            errors.append(FieldError(f"pct.{code}", "must be a percentage from 0 to 100", "not_percentage"))
        else:
            values[code] = float(text.replace(",", "."))
    if not values and not errors:
        errors.append(FieldError("pct", "type at least one percentage", "required"))
    return values, typed, errors


def _pct(value: Decimal, lang: str) -> str:
    """90 -> "90", 92.5 -> "92,5" (Vietnamese) or "92.5" (English)."""
    return number(float(value), lang, "#,##0.##")


def _targets(
    request: Request[Any, Any, Any],
    caller: Caller,
    db: Session,
    unit: Unit,
    year: int,
    errors: list[FieldError] | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    goals = Rates(db).goals(unit, year)
    below = [u for u in child_units(db, unit.id) if u.valid_to is None]
    saved = request.query_params.get("msg") == "saved" and not errors
    return page(
        request,
        "report_targets.html",
        status_code=status_code,
        unit=unit,
        year=year,
        years=sorted({today().year + k for k in (-2, -1, 0, 1, 2)} | {year}),
        rows=[(t, _pct(goals[t.code][0], lang), goals[t.code][1]) for t in service.targets(db)],
        below=below,
        up=unit.parent_id if caller.unit is not None and unit.id != caller.unit.id else None,
        typed=dict(typed or {}),
        errors=field_errors(errors or [], lang),
        flash=translate(lang, SAVED, unit=unit.name, year=year) if saved else None,
    )


def _save(
    db: Session, caller: Caller, unit: Unit, year: int, values: Mapping[str, float]
) -> list[FieldError]:
    """Set each target; the service's own refusal named by the target's box."""
    for code, pct in values.items():
        try:
            set_target(db, caller, unit, TargetIn(target=code, year=year, pct=pct))
        except ValidationFailed as exc:
            box = f"pct.{code}"
            return [FieldError(box if e.field == "pct" else e.field, e.message, e.code) for e in exc.errors]
    return []


@get("/targets", sync_to_thread=False, include_in_schema=False)
def targets_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    unit = _unit(db, caller, request.query_params.get("unit"))
    year, errors = _year(request.query_params.get("year"))
    return _targets(request, caller, db, unit, year, errors, status_code=422 if errors else 200)


@post("/targets", sync_to_thread=False, include_in_schema=False)
def targets_save(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Set the unit's own target for each box typed in; all or nothing, every bad box named."""
    unit = _unit(db, caller, data.get("unit"))
    year, errors = _year(data.get("year"))
    codes = [t.code for t in service.targets(db)]
    values, typed, problems = _percentages(data, codes)
    errors += problems
    if not errors:
        try:
            with db.begin_nested():
                errors = _save(db, caller, unit, year, values)
                if errors:
                    raise ValidationFailed(errors)  # undoes the targets set before the refused one
        except ValidationFailed:
            pass
        else:
            return see_other(f"/targets?unit={unit.id}&year={year}&msg=saved")
    return _targets(request, caller, db, unit, year, errors, typed, status_code=422)


ROUTES = [targets_page, targets_save]
