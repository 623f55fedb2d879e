"""Children pages (collaborators and ward officers): the list, quick add, the record with edit, history.

Searching posts the query (a name is personal data: it never goes into a URL); a child is
addressed by its opaque UUID. Every call goes through portal.registry.service with the caller's
scoped session, so Casbin, the SQL scope, RLS and the audit log apply as they do for the API.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import Conflict, FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, translate
from portal.registry.models import Child
from portal.registry.move_views import place_names
from portal.registry.moves import move_json
from portal.registry.reference import (
    ETHNICITIES,
    RELATIONSHIPS,
    RISKS,
    SCHOOL_STATUSES,
    SPECIAL_GROUPS,
    SUPPORTS,
)
from portal.registry.service import (
    Page,
    child_history,
    get_child,
    list_children,
    register_child,
    update_child,
)
from portal.web import forms, move_forms
from portal.web.deps import FormData, lang_of
from portal.web.history_words import change_lines
from portal.web.i18n import age_on, field_errors, label
from portal.web.render import is_fragment, page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, get_unit, unit_names

PAGE_SIZE = 20
FLASH = {"added": "added", "saved": "saved", "move_opened": "move_opened", "move_cancel": "move_cancel"}


def _area(db: Session, caller: Caller, unit_id: int | None) -> Unit:
    """The unit whose children are listed: the caller's own unit, or a unit below it they chose."""
    if caller.unit is None:  # the administrator: no area, no records (the refusal page, audited)
        raise Forbidden(
            "your account has no unit: no access to child records", resource="child", action="list"
        )
    if unit_id is None or unit_id == caller.unit.id:
        return caller.unit
    unit = get_unit(db, unit_id)
    return unit if unit is not None else caller.unit  # the service refuses units outside the area


def _hamlets(db: Session, caller: Caller) -> list[Unit]:
    assert caller.unit is not None
    if caller.unit.level == "hamlet":
        return [caller.unit]
    return [u for u in child_units(db, caller.unit.id) if u.level == "hamlet"]


def _hamlet_names(db: Session, items: list[Child]) -> dict[int, str]:
    return unit_names(db, {c.hamlet_id for c in items})


def _names(rows: Sequence[tuple[str | None, ...]], lang: str) -> list[tuple[str, str]]:
    """Reference rows ``(code, name_vi, name_en, ...)`` as (code, name in ``lang``) choices."""
    return [(str(row[0]), str(row[2] if lang == "en" else row[1])) for row in rows]


def _group_names(lang: str) -> list[tuple[str, str]]:
    return _names(SPECIAL_GROUPS, lang)


FILTERS = ("group", "risk", "status")
STATUSES = ("active", "moved_away", "deceased", "merged", "all")


def list_filters(source: Mapping[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
    """The list's filters (``group``, ``risk``, ``status``, ``unit``, ``page``) as given, and the problems
    of their format; the service checks the codes (an unknown group or risk is named by it)."""
    shown = {k: str(source.get(k) or "").strip()[:40] for k in (*FILTERS, "unit", "page")}
    errors = []
    for name in ("unit", "page"):
        if shown[name] and not (shown[name].isdigit() and int(shown[name]) >= 1):
            errors.append(FieldError(name, "must be a whole number", "not_integer"))
    if shown["status"] and shown["status"] not in STATUSES:
        errors.append(FieldError("status", "unknown status", "unknown_code"))
    return shown, errors


def _list(
    request: Request[Any, Any, Any], db: Session, caller: Caller, source: Mapping[str, Any], q: str
) -> Template:
    """The children of the chosen area, filtered (GET: the filters stay in the address; a search posts
    its query, never a URL), or the same page with the filters' problems (422) and no list."""
    lang = lang_of(request)
    shown, errors = list_filters(source)
    unit = _area(db, caller, int(shown["unit"]) if shown["unit"] and not errors else None)
    page_no = int(shown["page"]) if shown["page"] and not errors else 1
    result = Page([], 0, 1, PAGE_SIZE)
    if not errors:
        try:
            result = list_children(
                db,
                caller,
                unit,
                page_no,
                PAGE_SIZE,
                q or None,
                shown["group"] or None,
                shown["status"] or "active",
                risk=shown["risk"] or None,
            )
        except ValidationFailed as exc:
            errors = exc.errors
    filtered = {k: shown[k] for k in FILTERS if shown[k]}
    hamlets = _hamlets(db, caller)
    whole = [(str(caller.unit.id), translate(lang, N_("The whole commune")))] if caller.unit else []
    on = today()
    return page(
        request,
        "children_results.html" if is_fragment(request) else "children.html",
        status_code=422 if errors else 200,
        unit=unit,
        hamlets=hamlets,
        unit_options=whole + [(str(h.id), h.name) for h in hamlets] if len(hamlets) > 1 else [],
        result=result,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        q=q,
        values=shown,
        filtered=filtered,
        query=urlencode({"unit": unit.id, **filtered}),
        group_options=_group_names(lang),
        risk_options=_names(RISKS, lang),
        status_options=[(s, label("status", s, lang)) for s in STATUSES[1:-1]]
        + [("all", translate(lang, N_("Any status")))],
        errors=field_errors(errors, lang),
        form_message="filter_errors" if errors else None,
        ages={c.id: age_on(c.date_of_birth, on) for c in result.items},
        hamlet_names=_hamlet_names(db, result.items),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


@get("/children", sync_to_thread=False, include_in_schema=False)
def children_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list(request, db, caller, request.query_params, "")


@post("/children", sync_to_thread=False, include_in_schema=False)
def children_search(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template:
    q = str(data.get("q") or "").strip()[:100]
    return _list(request, db, caller, {**data, "page": data.get("page_no")}, q)


def _form_page(
    request: Request[Any, Any, Any],
    db: DbDep,
    caller: CallerDep,
    values: dict[str, str],
    errors: list[FieldError],
    child: Child | None = None,
    status_code: int = 200,
    message: str | None = None,
    move_form: move_forms.MoveForm | None = None,
    suspects: object = None,
    inputs: forms.Inputs | None = None,
) -> Template:
    lang = lang_of(request)
    hamlets = _hamlets(db, caller)
    moving = move_forms.child_context(db, caller, child, move_form) if child is not None else {}
    return page(
        request,
        "child.html" if child is not None else "child_new.html",
        status_code=status_code,
        child=child,
        values=values,
        errors=field_errors(errors, lang, inputs),
        form_message=message or ("form_errors" if errors else None),
        hamlets=hamlets,
        hamlet_options=[(str(h.id), h.name) for h in hamlets],
        ethnicity_options=[(e, e) for e in ETHNICITIES],
        birth_province_options=forms.birth_province_options(lang),
        school_options=[(s, label("school", s, lang)) for s in SCHOOL_STATUSES],
        relationship_options=[(r, label("relationship", r, lang)) for r in RELATIONSHIPS],
        guardian_rows=forms.guardian_rows(values),
        group_names=_group_names(lang),
        group_labels=dict(_group_names(lang)),
        group_rows=range(forms.GROUP_ROWS),
        period_lists=[
            ("gp", translate(lang, N_("Special-circumstance groups")), _group_names(lang)),
            ("rk", translate(lang, N_("Risks")), _names(RISKS, lang)),
            ("sp", translate(lang, N_("Supports received")), _names(SUPPORTS, lang)),
        ],
        hamlet_names=_hamlet_names(db, [child]) if child is not None else {},
        flash=FLASH.get(request.query_params.get("msg", "")),
        move_errors=field_errors(moving["move_form"].errors, lang) if moving else {},
        suspects=suspects or [],
        **moving,
    )


def _likely_duplicate(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str],
    child: Child | None,
    exc: Conflict,
) -> Template | None:
    """The form again with the suspects of a likely duplicate and the "different child" box (None: the
    conflict is another one)."""
    if "suspects" not in exc.extra:
        return None
    return _form_page(
        request, db, caller, values, [], child, 409, "likely_duplicate", suspects=exc.extra["suspects"]
    )


child_page_with = _form_page
"""The child page (``portal.web.routes_moves`` shows it again with the move-out form's problems)."""


@get("/children/new", sync_to_thread=False, include_in_schema=False)
def new_child_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    hamlets = _hamlets(db, caller)
    return _form_page(
        request, db, caller, forms.blank_values(hamlets[0].id if len(hamlets) == 1 else None), []
    )


@post("/children/new", sync_to_thread=False, include_in_schema=False)
def new_child_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = forms.values_of(data)
    body, errors, inputs = forms.create_from(values, today())
    if body is not None:
        try:
            made = register_child(db, caller, body)
        except ValidationFailed as exc:
            if exc.audit_outcome:
                raise  # writing outside the area: refused and audited like the API
            errors = exc.errors
        except Conflict as exc:
            if (shown := _likely_duplicate(request, db, caller, values, None, exc)) is not None:
                return shown
            # the record is already on its way here or to another commune: said plainly, nothing saved
            return _form_page(request, db, caller, values, [], status_code=409, message="move_elsewhere")
        else:
            if isinstance(made, Child):
                return see_other(f"/children/{made.id}?msg=added")
            # the number is held by an active record elsewhere: a move asks for it instead of a duplicate
            return page(request, "child_transfer.html", move=move_json(db, caller, made))
    return _form_page(request, db, caller, values, errors, status_code=422, inputs=inputs)


@get("/children/{child_id:uuid}", sync_to_thread=False, include_in_schema=False)
def child_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, child_id: FromPath[uuid.UUID]
) -> Template:
    child = get_child(db, caller, child_id)
    return _form_page(request, db, caller, forms.record_values(child), [], child=child)


@post("/children/{child_id:uuid}", sync_to_thread=False, include_in_schema=False)
def child_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    child_id: FromPath[uuid.UUID],
    data: FormData,
) -> Template | Redirect:
    child = get_child(db, caller, child_id, "update")
    values = forms.values_of(data)
    version = int(data["version"]) if str(data.get("version") or "").isdigit() else child.version
    body, errors, inputs = forms.patch_from(values, child, version)
    if body is not None:
        try:
            update_child(db, caller, child_id, body)
        except Conflict as exc:
            if (shown := _likely_duplicate(request, db, caller, values, child, exc)) is not None:
                return shown
            db.expire_all()
            fresh = get_child(db, caller, child_id)
            return _form_page(
                request,
                db,
                caller,
                forms.record_values(fresh),
                [],
                child=fresh,
                status_code=409,
                message="conflict",
            )
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/children/{child_id}?msg=saved")
    return _form_page(request, db, caller, values, errors, child=child, status_code=422, inputs=inputs)


@get("/children/{child_id:uuid}/history", sync_to_thread=False, include_in_schema=False)
def child_history_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, child_id: FromPath[uuid.UUID]
) -> Template:
    entries = child_history(db, caller, child_id)
    child = get_child(db, caller, child_id)
    left = {int(e.before["hamlet_id"]) for e in entries if e.action == "move" and e.before}
    lang = lang_of(request)
    lines = {e.id: change_lines(e, lang) for e in entries}  # shown for updates (and any other change)
    return page(
        request, "history.html", child=child, entries=entries, places=place_names(db, left), lines=lines
    )


ROUTES = [
    children_page,
    children_search,
    new_child_page,
    new_child_submit,
    child_page,
    child_submit,
    child_history_page,
]
