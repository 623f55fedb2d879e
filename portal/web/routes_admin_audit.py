"""The administrator's audit reader (/admin/audit): the audit log line by line, filtered by days, action,
outcome, account and unit subtree, paged. What an administrator reads and why is in
portal/audit/entries.py: no record ids, no details, no client address, so no child is named or
identified; Casbin (``audit`` ``read``) and the database function both decide, and the reading is audited.
A unit's name in a line narrows the reader to that unit's subtree."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.entries import (
    MAX_PAGE,
    OUTCOMES,
    PAGE_SIZE,
    Filters,
    audit_entries,
    check_filters,
    reader_root,
)
from portal.boundary.deps import CallerDep, DbDep
from portal.web.audit_words import resource_name
from portal.web.deps import lang_of
from portal.web.form_input import day_input
from portal.web.i18n import field_errors, fmt_date, label
from portal.web.render import page
from tenancy.service import get_unit

FIELDS = ("from", "to", "action", "outcome", "actor", "unit", "page")


def _number(name: str, raw: str, errors: list[FieldError], top: int) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        errors.append(FieldError(name, f"must be a whole number from 1 to {top}", "not_integer"))
        return None
    return int(raw)


@get("/admin/audit", sync_to_thread=False, include_in_schema=False)
def admin_audit_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    """The audit log for administrators (403 for every other role, audited)."""
    values = {k: str(request.query_params.get(k) or "").strip()[:64] for k in FIELDS}
    errors: list[FieldError] = []
    days = [day_input(k, values[k], errors) for k in ("from", "to")]
    unit_id = _number("unit", values["unit"], errors, 2**62)
    page_no = _number("page", values["page"], errors, MAX_PAGE) or 1
    unit = get_unit(db, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise NotVisible("unit not found", resource="audit", action="read")
    filters = Filters(days[0], days[1], values["action"], values["outcome"], values["actor"], page_no)
    lang = lang_of(request)
    reader_root(caller, unit)  # the role and the place first: a refused reader learns nothing more
    try:
        if errors:
            raise ValidationFailed(errors)
        check_filters(filters)
    except ValidationFailed as refused:
        return page(
            request,
            "admin_audit.html",
            status_code=422,
            unit=unit,
            result=None,
            values=values,
            q_tree="",
            outcomes=OUTCOMES,
            errors=field_errors(refused.errors, lang),
            form_message="search_errors",
        )
    result = audit_entries(db, caller, unit, filters)
    kept = {k: v for k, v in values.items() if v and k not in ("page", "from", "to")}
    kept.update({"from": fmt_date(result.start.isoformat()), "to": fmt_date(result.end.isoformat())})
    rows = [
        {
            "entry": e,
            "action": label("action", e.action, lang),
            "outcome": label("outcome", e.outcome, lang),
            "role": label("role", e.role, lang) if e.role else "—",
            "resource": resource_name(e.resource, lang),
        }
        for e in result.entries
    ]
    return page(
        request,
        "admin_audit.html",
        unit=unit,
        result=result,
        rows=rows,
        values={**values, **kept},
        q_tree=urlencode(sorted((k, v) for k, v in kept.items() if k != "unit")),
        q_here=urlencode(sorted(kept.items())),
        outcomes=OUTCOMES,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        errors={},
        form_message=None,
    )


ROUTES = [admin_audit_page]
