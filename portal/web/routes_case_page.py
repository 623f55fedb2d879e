"""One case's page: the record, its deadlines, the workflow actions the caller may take, attachments.

The page shows what ``portal.cases.view.case_json`` gives the caller (the same as the API: never the
informant, which is shown only in the answer to its own button, ``routes_case_access``);
``service.read_case`` refuses inspectors and district officers, and the error page says so. Each action
posts a small form to the same service function as the API's action route; the actions are sections
that open and close, the case's next step open. A change answers with the case and a sentence saying
what was done (``portal.web.case_confirm``); a refusal on a case the caller reads is said on its page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, DomainError, FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.errors import domain_error_handler
from portal.cases import attachments, crossing, decisions, detailed, forms, plans, reviews, service, workflow
from portal.cases.access import is_ward_officer_of
from portal.cases.crossing import SERVICES
from portal.cases.links import LINK_KINDS
from portal.cases.schemas import (
    ActionUpdateIn,
    AssessIn,
    AssignIn,
    CloseIn,
    DecisionIn,
    DetailedAssessmentIn,
    NoteIn,
    PlanActionIn,
    PlanIn,
    ProtectIn,
    ReferralDecisionIn,
    ReopenIn,
    ReviewActionIn,
    ReviewIn,
)
from portal.cases.view import case_json
from portal.staff.schemas import StaffFilter
from portal.staff.service import list_accounts
from portal.web import case_crossing_forms as crossing_forms
from portal.web import case_grant_forms as grant_forms
from portal.web.case_confirm import confirmation
from portal.web.case_words import case_names, form_errors, options
from portal.web.deps import lang_of
from portal.web.form_input import read_form
from portal.web.i18n import label
from portal.web.render import page, see_other
from tenancy.service import units_below

PLAN_ROWS = 3
WORKFLOW = ["received", "assessed", "plan_submitted", "in_progress", "closed"]
PRIMARY = ("approve_plan", "approve_closure", "submit_plan", "draft_plan", "assess", "review", "reopen")
"""The case's next step, in this order of precedence: its section is open when the page opens."""
REFUSED = {"grant": "share_refused", "revoke": "share_refused", "informant": "informant_refused"}
CONFLICT = {"grant": "grant_exists"}
Parse = Callable[[dict[str, Any], list[FieldError]], msgspec.Struct | None]
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


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


def _plan(form: dict[str, Any], errors: list[FieldError]) -> PlanIn | None:
    """The plan with its filled rows of actions (a blank row is no action)."""
    rows = []
    for i in range(PLAN_ROWS):
        prefix = f"actions_{i}_"
        if any(str(form.get(prefix + k) or "").strip() for k in ("description", "owner", "due_on")):
            row = read_form(form, PlanActionIn, errors, prefix, field_prefix=f"actions[{i}].")
            if row is not None:
                rows.append(row)
    plan = read_form(form, PlanIn, errors, given={"actions": rows})
    return None if errors else plan


def _review(form: dict[str, Any], errors: list[FieldError]) -> ReviewIn | None:
    """The review with each evaluated action of the plan (rows ``actions_<i>_``; a row left without a
    status is taken as the plan records it)."""
    rows = []
    for i in range(reviews.MAX_ROWS):
        prefix = f"actions_{i}_"
        if prefix + "action_id" not in form:
            break
        if str(form.get(prefix + "status") or "").strip():
            row = read_form(form, ReviewActionIn, errors, prefix, field_prefix=f"actions[{i}].")
            if row is not None:
                rows.append(row)
    review = read_form(form, ReviewIn, errors, given={"actions": rows})
    return None if errors else review


def _reader(kind: type[msgspec.Struct]) -> Parse:
    return lambda form, errors: read_form(form, kind, errors)


ACTIONS: dict[str, tuple[Callable[..., Any], Parse]] = {
    "assign": (workflow.assign, _reader(AssignIn)),
    "assess": (workflow.assess, _reader(AssessIn)),
    "protect": (workflow.protect, _reader(ProtectIn)),
    "draft_plan": (plans.draft_plan, _plan),
    "submit_plan": (plans.submit_plan, _reader(DecisionIn)),
    "approve_plan": (plans.approve_plan, _reader(DecisionIn)),
    "return_plan": (plans.return_plan, _reader(DecisionIn)),
    "detailed_assessment": (detailed.record, _reader(DetailedAssessmentIn)),
    "review": (reviews.review, _review),
    "close": (workflow.close, _reader(CloseIn)),
    "approve_closure": (decisions.approve_closure, _reader(DecisionIn)),
    "return_closure": (decisions.return_closure, _reader(DecisionIn)),
    "reopen": (decisions.reopen, _reader(ReopenIn)),
    "refer": (crossing_forms.refer, _reader(crossing_forms.ReferForm)),
    "link": (crossing_forms.link, _reader(crossing_forms.LinkForm)),
    "note": (workflow.add_note, _reader(NoteIn)),
    "grant": (grant_forms.grant, _reader(grant_forms.GrantForm)),
}
"""Each action's service function and how its form becomes the service's request struct (the same
struct the API decodes), the version of the case read from the form's hidden field."""


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
    return _submit(request, db, caller, case_id, form, data, _reader(ActionUpdateIn), call)


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

    return _submit(request, db, caller, case_id, form, data, _reader(ReferralDecisionIn), call)


@post(
    "/cases/{case_id:uuid}/attachments",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=attachments.MAX_BYTES + 512 * 1024,
)
def case_attach(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    data: MultipartData,
) -> Template | Redirect:
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(attachments.MAX_BYTES + 1)
        try:
            attachments.upload(db, caller, case_id, upload.filename, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/cases/{case_id}?msg=attached")
    db.rollback()
    return _case_page(request, db, caller, case_id, "attach", errors, status_code=422)


@get("/cases/{case_id:uuid}/attachments/{attachment_id:uuid}", sync_to_thread=True, include_in_schema=False)
def case_attachment(
    caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID], attachment_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    content, row = attachments.download(db, caller, case_id, attachment_id)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(content, media_type=row.content_type, headers={"Content-Disposition": disposition})


@get("/cases/{case_id:uuid}/forms/{name:str}", sync_to_thread=True, include_in_schema=False)
def case_form(
    caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID], name: FromPath[str]
) -> Response[bytes]:
    """A form of Decree 56/2017 as PDF: the same service, access and audit as the API's."""
    content, filename = forms.form_pdf(db, caller, case_id, name)
    disposition = f'inline; filename="{filename}"'
    return Response(
        content,
        media_type=forms.PDF,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


ROUTES = [
    case_page,
    case_action,
    case_plan_action,
    referral_decision,
    case_attach,
    case_attachment,
    case_form,
]
