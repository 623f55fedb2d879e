"""Re-checks on the pages (Decision 3978/QĐ-BYT): the sampler's list, draw form and results; the
re-checker's work list, each sampled record with its match/mismatch form; the ward officer's results
with their own records' mismatches. Every call goes through ``portal.rechecks`` with the caller's
scoped session, as the API's (Casbin, SQL, row-level security, the audit)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, translate
from portal.rechecks import results, service, work
from portal.rechecks.models import FIELDS
from portal.rechecks.schemas import FieldResultIn, RecheckIn, RecordResultIn
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from tenancy.service import units_below

FIELD_LABELS = {
    "full_name": N_("Full name"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "ethnicity": N_("Ethnicity"),
    "national_id": N_("Personal id number"),
    "guardian": N_("Parent or guardian"),
    "hamlet": N_("Hamlet"),
    "special_group": N_("Special-circumstance group"),
}
SAMPLERS = ("district_officer", "provincial_inspector")
FLASH = {"drawn": "recheck_drawn", "saved": "recheck_saved", "completed": "recheck_completed"}
INPUTS = ("unit_id", "rechecker", "sample_size", "sample_percent", "stratified", "seed", "threshold", "days")


def _labels(request: Request[Any, Any, Any]) -> dict[str, str]:
    lang = lang_of(request)
    return {f: translate(lang, FIELD_LABELS[f]) for f in FIELDS}


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    items = service.list_rechecks(db, caller, service.db_now(db))
    communes = (
        units_below(db, caller.unit, "commune", current=True)
        if caller.role in SAMPLERS and caller.unit is not None
        else []
    )
    return page(
        request,
        "rechecks.html",
        status_code=status_code,
        items=items,
        may_draw=caller.role in SAMPLERS,
        unit_options=[(str(u.id), u.name) for u in communes],
        errors=field_errors(errors or [], lang_of(request)),
        values=values or {"stratified": "on", "threshold": "5", "days": "14"},
        form_message="form_errors" if errors else None,
    )


@get("/rechecks", sync_to_thread=False, include_in_schema=False)
def rechecks_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list_page(request, db, caller)


@post("/rechecks", sync_to_thread=False, include_in_schema=False)
def draw_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    errors: list[FieldError] = []
    body = read_form(data, RecheckIn, errors, inputs=INPUTS)
    if body is not None:
        try:
            recheck = service.open_recheck(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/rechecks/{recheck.id}?msg=drawn")
    return _list_page(request, db, caller, errors, dict(data), 422)


@get("/rechecks/{recheck_id:int}", sync_to_thread=False, include_in_schema=False)
def recheck_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, recheck_id: FromPath[int]
) -> Template:
    shown = results.detail(db, caller, recheck_id)
    summary = shown["recheck"]
    working = shown["working"]
    return page(
        request,
        "recheck.html",
        recheck=summary,
        sample=shown["sample"],
        working=working,
        result=None if working else results.results(db, caller, recheck_id),
        labels=_labels(request),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


def _record_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    recheck_id: int,
    pseudo: str,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    shown = work.read_record(db, caller, recheck_id, pseudo)
    return page(
        request,
        "recheck_record.html",
        status_code=status_code,
        shown=shown,
        done={r["field"]: r for r in shown["results"]},
        fields=FIELDS,
        labels=_labels(request),
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
    )


@get("/rechecks/{recheck_id:int}/records/{pseudo:str}", sync_to_thread=False, include_in_schema=False)
def record_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    recheck_id: FromPath[int],
    pseudo: FromPath[str],
) -> Template:
    return _record_page(request, db, caller, recheck_id, pseudo)


def _result_form(data: dict[str, Any]) -> RecordResultIn:
    """The form's radios ``match_<field>`` ("yes"/"no"; left unset: not checked) and ``observed_<field>``."""
    items = []
    for field in FIELDS:
        answer = str(data.get(f"match_{field}") or "")
        if answer in ("yes", "no"):
            observed = str(data.get(f"observed_{field}") or "").strip() or None
            items.append(FieldResultIn(field, answer == "yes", observed))
    return RecordResultIn(items)


@post("/rechecks/{recheck_id:int}/records/{pseudo:str}", sync_to_thread=False, include_in_schema=False)
def record_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    recheck_id: FromPath[int],
    pseudo: FromPath[str],
    data: FormData,
) -> Template | Redirect:
    body = _result_form(data)
    try:
        work.record_result(db, caller, recheck_id, pseudo, body)
    except ValidationFailed as exc:
        # fields[i] is the i-th field answered: name the form's input of that field instead
        answered = [i.field for i in body.fields]
        errors = [_on_input(e, answered) for e in exc.errors]
        return _record_page(request, db, caller, recheck_id, pseudo, errors, 422)
    return see_other(f"/rechecks/{recheck_id}?msg=saved")


def _on_input(error: FieldError, answered: list[str]) -> FieldError:
    if error.field.startswith("fields[") and error.field.endswith("].observed"):
        index = int(error.field[len("fields[") : -len("].observed")])
        return FieldError(f"observed_{answered[index]}", error.message, error.code)
    return FieldError("fields", error.message, error.code)


@post("/rechecks/{recheck_id:int}/complete", sync_to_thread=False, include_in_schema=False)
def complete_submit(caller: CallerDep, db: DbDep, recheck_id: FromPath[int]) -> Redirect:
    results.complete(db, caller, recheck_id)
    return see_other(f"/rechecks/{recheck_id}?msg=completed")


ROUTES = [rechecks_page, draw_submit, recheck_page, record_page, record_submit, complete_submit]
