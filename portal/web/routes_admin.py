"""The administrator's console: its home (the console's sections), the accounts across the tree
(searchable), and the reference data (codes with their legal basis).

Each page calls the service the API calls, with the same Casbin permission: the home lists the
reorganisations (``reorganisation`` ``read``: administrators only), the accounts page is the staff list
(``staff`` ``list``: a manager sees the accounts of their own area, an administrator every account), and
the reference data is read by anyone signed in, as ``GET /api/v1/reference``. Account actions link to the
staff pages' own addresses (``/staff/<id>/...``).
"""

from __future__ import annotations

import math
from typing import Any

from litestar import Request, get
from litestar.response import Template

from authz.enforcer import allowed
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal import reorganisation
from portal.boundary.deps import CallerDep, DbDep
from portal.registry.national_id import ID_PROVINCES
from portal.registry.reference import ETHNICITIES, RELATIONSHIPS, SCHOOL_STATUSES, stored_codes
from portal.staff import service as staff
from portal.staff.ranks import ROLES
from portal.staff.schemas import StaffFilter
from portal.web.deps import lang_of
from portal.web.i18n import field_errors
from portal.web.render import page
from portal.workdays.service import calendar_json

PAGE_SIZE = 30
MAX_PAGE = 100_000
ACTIVE = {"": None, "1": True, "0": False}


@get("/admin", sync_to_thread=False, include_in_schema=False)
def admin_home(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    reorgs = reorganisation.reorganisations(caller)  # administrators only (Casbin), as the API
    accounts = staff.list_accounts(db, caller, StaffFilter(page=1, page_size=1)).total
    year = today().year
    decided = [d for d in calendar_json(db, year)["days"] if d["kind"] != "holiday"]
    return page(
        request,
        "admin.html",
        reorgs={s: sum(1 for r in reorgs if r["status"] == s) for s in ("draft", "applied", "reverted")},
        accounts=accounts,
        roles=ROLES,
        year=year,
        decided=len(decided),
        audit_reader=allowed(caller.role, "audit", "summary"),
        audit_log=allowed(caller.role, "audit", "read"),
    )


def _page_number(text: str, errors: list[FieldError]) -> int:
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        errors.append(FieldError("page", f"must be a whole number from 1 to {MAX_PAGE}", "not_integer"))
        return 1
    return int(text)


@get("/admin/accounts", sync_to_thread=False, include_in_schema=False)
def accounts_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    """Accounts across the tree: by name or username (accents optional), role and state."""
    query = request.query_params
    values = {k: str(query.get(k) or "").strip()[:100] for k in ("q", "role", "active", "page")}
    errors: list[FieldError] = []
    page_no = _page_number(values["page"], errors)
    if values["active"] not in ACTIVE:
        errors.append(FieldError("active", "must be 1 or 0", "unknown_code"))
    search = StaffFilter(
        q=values["q"] or None,
        role=values["role"] or None,
        active=ACTIVE.get(values["active"]),
        page=page_no,
        page_size=PAGE_SIZE,
    )
    try:
        result = staff.list_accounts(db, caller, search)
    except ValidationFailed as refused:  # the role: the service's own check
        errors += refused.errors
        result = staff.list_accounts(db, caller, StaffFilter(page=1, page_size=PAGE_SIZE))
    kept = {k: v for k, v in values.items() if v and k != "page" and not any(e.field == k for e in errors)}
    return page(
        request,
        "admin_accounts.html",
        status_code=422 if errors else 200,
        result=result,
        page_no=page_no,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        values=values,
        kept=kept,
        roles=ROLES,
        errors=field_errors(errors, lang_of(request)),
        form_message="search_errors" if errors else None,
    )


def _kinds(db: Any, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Stored codes by kind; a sub-group right after its group."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for ref in stored_codes(db):
        by_kind.setdefault(ref.kind, []).append(
            {
                "code": ref.code,
                "parent": ref.parent_code,
                "name": ref.name_en if lang == "en" else ref.name_vi,
                "legal_basis": ref.legal_basis,
            }
        )
    subgroups = by_kind.pop("subgroup", [])
    groups = []
    for group in by_kind.get("group", []):
        groups.append(group)
        groups += [s for s in subgroups if s["parent"] == group["code"]]
    by_kind["group"] = groups
    return by_kind


@get("/reference", sync_to_thread=False, include_in_schema=False)
def reference_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    """The codes used in children's records, with their legal basis (read-only; anyone signed in)."""
    lang = lang_of(request)
    return page(
        request,
        "reference.html",
        kinds=_kinds(db, lang),
        ethnicities=ETHNICITIES,
        school_statuses=SCHOOL_STATUSES,
        relationships=RELATIONSHIPS,
        provinces=sorted(ID_PROVINCES.values(), key=lambda p: p.code),
    )


ROUTES = [admin_home, accounts_page, reference_page]
