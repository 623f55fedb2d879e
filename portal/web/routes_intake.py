"""The 111 hotline's intake page: choose the commune, then record form 01 for one of its hamlets.

The account reads no registry: it names the child as the caller described them (a date of birth, or an
age). The answer is the reference and the commune it went to; the case itself is the commune's at once
(portal.cases.hotline), so the page never shows it afterwards.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.cases import hotline
from portal.cases.access import takes_intake_for
from portal.cases.schemas import HotlineIntakeIn, InformantIn, ToldChildIn
from portal.web.case_words import form_errors, options
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.render import page
from tenancy.models import Unit
from tenancy.service import get_unit, units_below

FIELDS = (
    "commune_id", "hamlet_id", "channel", "case_type", "description", "received_at", "place",
    "child_full_name", "child_sex", "child_date_of_birth", "child_age_years",
    "informant_full_name", "informant_phone", "informant_relationship", "informant_anonymous",
)  # fmt: skip


def _communes(db: Session, caller: Caller) -> list[tuple[str, str]]:
    assert caller.unit is not None
    return [
        (str(u.id), f"{u.name} ({u.code})") for u in units_below(db, caller.unit, "commune", current=True)
    ]


def _hamlets(db: Session, caller: Caller, commune_id: str) -> tuple[Unit | None, list[tuple[str, str]]]:
    unit = get_unit(db, int(commune_id)) if commune_id.isdigit() and len(commune_id) < 12 else None
    assert caller.unit is not None
    if unit is None or unit.level != "commune" or not takes_intake_for(caller, unit):
        return None, []
    return unit, [(str(u.id), u.name) for u in units_below(db, unit, "hamlet", current=True)]


def _page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    routed: hotline.Routed | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    commune, hamlets = _hamlets(db, caller, values.get("commune_id", ""))
    return page(
        request,
        "intake.html",
        status_code=status_code,
        communes=_communes(db, caller),
        commune=commune,
        hamlets=hamlets,
        channels=options(lang, "channel"),
        case_types=options(lang, "case_type"),
        values=values,
        errors=form_errors(errors or [], lang),
        form_message="form_errors" if errors else None,
        routed=routed,
    )


def _may_take_intakes(caller: Caller) -> None:
    authorize_action(caller, "intake", "create")
    if caller.unit is None:  # the role needs an area (its province or district): the refusal page
        raise Forbidden(
            "your account has no unit: no area to record intakes for", resource="intake", action="create"
        )


@get("/intake", sync_to_thread=False, include_in_schema=False)
def intake_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    commune: Annotated[str | None, QueryParameter(name="commune")] = None,
) -> Template:
    _may_take_intakes(caller)
    return _page(request, db, caller, _blank(commune or ""))


def _blank(commune_id: str) -> dict[str, str]:
    return {**dict.fromkeys(FIELDS, ""), "commune_id": commune_id[:12], "channel": "hotline_111"}


def _body(values: dict[str, str], errors: list[FieldError]) -> HotlineIntakeIn | None:
    child = read_form(
        values, ToldChildIn, errors, "child_", inputs=("full_name", "sex", "date_of_birth", "age_years")
    )
    informant = None
    if any(values.get(f"informant_{k}") for k in ("full_name", "phone", "relationship", "anonymous")):
        named = ("anonymous", "full_name", "phone", "relationship")
        informant = read_form(values, InformantIn, errors, "informant_", inputs=named)
    inputs = ("channel", "case_type", "description", "received_at", "place", "hamlet_id")
    body = read_form(
        values, HotlineIntakeIn, errors, inputs=inputs, given={"child": child, "informant": informant}
    )
    return None if errors else body


@post("/intake", sync_to_thread=False, include_in_schema=False)
def intake_submit(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData) -> Template:
    _may_take_intakes(caller)
    values = {k: str(data.get(k) or "")[:4000] for k in FIELDS}
    errors: list[FieldError] = []
    body = _body(values, errors)
    if body is not None:
        try:
            routed = hotline.record(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return _page(request, db, caller, _blank(""), routed=routed, status_code=201)
    db.rollback()
    return _page(request, db, caller, values, errors, status_code=422)


ROUTES = [intake_page, intake_submit]
