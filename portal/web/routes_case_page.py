"""One case's page: the record, its deadlines, the workflow actions the caller may take.

The page shows what ``portal.cases.view.case_json`` gives the caller (the same as the API: never the
informant, which is shown only in the answer to its own button, ``routes_case_access``);
``service.read_case`` refuses inspectors and district officers, and the error page says so. Each action
posts a small form to the same service function as the API's action route; the actions are sections
that open and close, the case's next step open. A change answers with the case and a sentence saying
what was done (``portal.web.case_confirm``); a refusal on a case the caller reads is said on its page.
The forms of the actions are ``case_action_forms``; attachments and printed forms ``routes_case_files``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, DomainError, FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.errors import domain_error_handler
from portal.cases import crossing, plans, service
from portal.cases.access import is_ward_officer_of
from portal.cases.crossing import SERVICES
from portal.cases.links import LINK_KINDS
from portal.cases.schemas import (
    ActionUpdateIn,
    ReferralDecisionIn,
)
from portal.cases.view import case_json
from portal.staff.schemas import StaffFilter
from portal.staff.service import list_accounts
from portal.web import case_grant_forms as grant_forms
from portal.web.case_action_forms import ACTIONS, PLAN_ROWS, Parse, reader
from portal.web.case_confirm import confirmation
from portal.web.case_words import case_names, form_errors, options
from portal.web.deps import lang_of
from portal.web.i18n import label
from portal.web.render import page, see_other
from tenancy.service import units_below

WORKFLOW = ["received", "assessed", "plan_submitted", "in_progress", "closed"]
PRIMARY = ("approve_plan", "approve_closure", "submit_plan", "draft_plan", "assess", "review", "reopen")
"""The case's next step, in this order of precedence: its section is open when the page opens."""
REFUSED = {"grant": "share_refused", "revoke": "share_refused", "informant": "informant_refused"}
CONFLICT = {"grant": "grant_exists"}


def _case_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    case_id: uuid.UUID,
    form: str = "",
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    message: str | None = None,
    informant: dict[str, Any] | None = None,
) -> Template:
    lang = lang_of(request)
    case = service.read_case(db, caller, case_id)
    view = case_json(db, caller, case)
    allowed = view["allowed_actions"]
    if form in ACTIONS and form not in allowed:
        form = ""  # its section is not on the page (any more): its problems are said at the top
    receiving = [r for r in view["referrals"] if r["your_side"] == "receiver" and r["state"] == "open"]
    hamlets = []
    if caller.unit is not None and any(r["kind"] == "transfer" for r in receiving):
        hamlets = [(str(u.id), u.name) for u in units_below(db, caller.unit, "hamlet", current=True)]
    workers = []
    if "assign" in allowed:
        staff = list_accounts(db, caller, StaffFilter(page=1, page_size=100))
        workers = [(str(u.id), u.full_name) for u, _unit in staff.items]
    names = case_names(lang)
    query = request.query_params
    return page(
        request,
        "case.html",
        status_code=status_code,
        c=view,
        names=names,
        workflow=WORKFLOW,
        primary=next((a for a in PRIMARY if a in allowed), ""),
        confirmation=confirmation(view, query.get("msg", ""), query.get("item", ""), names, lang),
        may_read_informant=is_ward_officer_of(caller, case),
        informant=informant,
        grantee_options=grant_forms.grantee_options(db, caller, case, view) if "grant" in allowed else [],
        action_statuses=[(s, label("plan_action", s, lang)) for s in ("planned", "done", "cancelled")],
        risk_options=options(lang, "risk"),
        measure_options=options(lang, "measure"),
        reason_options=options(lang, "reason"),
        workers=workers,
        receiving_hamlets=hamlets,
        service_options=[(s, label("service", s, lang)) for s in SERVICES],
        link_options=[(k, label("case_link", k, lang)) for k in LINK_KINDS],
        plan_rows=range(PLAN_ROWS),
        form=form,
        errors=form_errors(errors or [], lang),
        values=values or {},
        form_message=message or ("form_errors" if errors else None),
    )


@get("/cases/{case_id:uuid}", sync_to_thread=False, include_in_schema=False)
def case_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID]
) -> Template:
    return _case_page(request, db, caller, case_id)


@post("/cases/{case_id:uuid}/act/{action:str}", sync_to_thread=False, include_in_schema=False)
def case_action(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    action: FromPath[str],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    if action not in ACTIONS:
        return _case_page(request, db, caller, case_id, status_code=404, message="not_found")
    handler, parse = ACTIONS[action]
    return _submit(
        request, db, caller, case_id, action, data, parse, lambda body: handler(db, caller, case_id, body)
    )


def _submit(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    case_id: uuid.UUID,
    form: str,
    data: dict[str, Any],
    parse: Parse,
    call: Callable[[Any], str | None],
) -> Template | Redirect:
    """Read the form, call the service; then where ``call`` says (default: the case page saying what
    was done), the page again with the form's errors (422), a conflict (409) or a refusal (403).
    Nothing of a refused action is kept."""
    errors: list[FieldError] = []
    body = parse(data, errors)
    if body is not None:
        try:
            target = call(body)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            db.rollback()
            shown = CONFLICT.get(form, "case_conflict")
            return _case_page(request, db, caller, case_id, form, status_code=409, message=shown)
        except Forbidden as exc:
            db.rollback()
            return refused(request, db, caller, case_id, form, exc)
        else:
            return see_other(target if isinstance(target, str) else f"/cases/{case_id}?msg={form}")
    db.rollback()
    return _case_page(request, db, caller, case_id, form, errors, dict(data), status_code=422)


def refused(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    case_id: uuid.UUID,
    form: str,
    exc: Forbidden,
) -> Template:
    """A refusal on a case the caller reads: its page again (403) saying in words what was refused,
    audited as the error page audits it. A case the caller does not read: the error page itself."""
    try:
        shown = _case_page(
            request, db, caller, case_id, status_code=403, message=REFUSED.get(form, "action_refused")
        )
    except DomainError:
        raise exc from None
    domain_error_handler(request, exc)
    return shown


case_page_with = _case_page
"""The case page (``routes_case_access`` shows it again with the informant, or a refusal)."""
submit_form = _submit


@post("/cases/{case_id:uuid}/actions/{action_id:uuid}", sync_to_thread=False, include_in_schema=False)
def case_plan_action(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    action_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    """The progress of an action of the approved plan (planned, done with its result, cancelled)."""

    def call(body: ActionUpdateIn) -> str:
        plans.update_action(db, caller, case_id, action_id, body)
        return f"/cases/{case_id}?msg=update_action&item={action_id}"

    form = f"plan-action-{action_id}"
    return _submit(request, db, caller, case_id, form, data, reader(ActionUpdateIn), call)


@post(
    "/cases/{case_id:uuid}/referrals/{referral_id:uuid}/{decision:str}",
    sync_to_thread=False,
    include_in_schema=False,
)
def referral_decision(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    referral_id: FromPath[uuid.UUID],
    decision: FromPath[str],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    """Accept (a transfer: into a hamlet), refuse or cancel a referral shown on the case's page."""
    form = f"referral-{referral_id}-{decision}"
    if decision not in ("accept", "refuse", "cancel"):
        return _case_page(request, db, caller, case_id, status_code=404, message="not_found")

    def call(body: ReferralDecisionIn) -> str | None:
        referral = crossing.decide(db, caller, referral_id, decision, body)
        refused_here = decision == "refuse" and referral.to_path is not None  # the case is not ours now
        return "/referrals?msg=done" if refused_here else f"/cases/{case_id}?msg=referral"

    return _submit(request, db, caller, case_id, form, data, reader(ReferralDecisionIn), call)


ROUTES = [case_page, case_action, case_plan_action, referral_decision]
