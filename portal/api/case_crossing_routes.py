"""Cases across communes and their decisions: the chairman's closure decision, reopening, referrals and
transfers, links between cases, identifying the child of a hotline intake, and the hotline's intake.

No ``from __future__ import annotations``: the action routes come from ``case_routes._action``.
"""

import uuid
from typing import Annotated

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter

from portal.api.case_routes import TAGS, CaseId, _action, _view
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.cases import crossing, decisions, hotline, links
from portal.cases.responses import CaseOut, ReferralOut, RoutedOut
from portal.cases.schemas import (
    DecisionIn,
    HotlineIntakeIn,
    IdentifyIn,
    LinkIn,
    ReferIn,
    ReferralDecisionIn,
    ReopenIn,
)
from portal.cases.view import referrals_json

post_closure_approve = _action(
    "closure/approve",
    decisions.approve_closure,
    DecisionIn,
    "Approve the proposed closure (the commune chairman, never its proposer)",
    "approve-closure",
)
post_closure_return = _action(
    "closure/return",
    decisions.return_closure,
    DecisionIn,
    "Return the proposed closure with a comment (the commune chairman)",
    "return-closure",
)
post_reopen = _action(
    "reopen", decisions.reopen, ReopenIn, "Reopen a closed case with a reason (ward officer)", "reopen"
)
post_identify = _action(
    "child", links.identify_child, IdentifyIn, "Identify the registry child of a hotline intake", "identify"
)


@post(
    "/api/v1/cases/{case_id:uuid}/referrals",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Refer the case to a commune or a service, or transfer it to a commune (ward officer)",
)
def post_referral(case_id: CaseId, data: JSONBody[ReferIn], caller: CallerDep, db: DbDep) -> ReferralOut:
    referral = crossing.refer(db, caller, case_id, data)
    return ReferralOut.of(referrals_json(db, caller, [referral], lambda _r: True)[0])


@get(
    "/api/v1/case-referrals",
    sync_to_thread=False,
    tags=TAGS,
    summary="Referrals and transfers the caller's commune sent (side=out) or received (side=in)",
)
def list_referrals(
    caller: CallerDep,
    db: DbDep,
    side: Annotated[str | None, Parameter(pattern="^(in|out)$")] = None,
    referral_state: Annotated[
        str | None, QueryParameter(name="state", pattern="^(open|accepted|refused|cancelled)$")
    ] = None,
) -> Page[ReferralOut]:
    rows = crossing.list_referrals(db, caller, side, referral_state)
    return Page.whole([ReferralOut.of(r) for r in referrals_json(db, caller, rows, lambda _r: False)])


def _decision(decision: str, summary: str) -> object:
    @post(
        f"/api/v1/case-referrals/{{referral_id:uuid}}/{decision}",
        sync_to_thread=False,
        status_code=200,
        tags=TAGS,
        summary=summary,
        name=f"case-referral-{decision}",
    )
    def route(
        referral_id: FromPath[uuid.UUID], data: JSONBody[ReferralDecisionIn], caller: CallerDep, db: DbDep
    ) -> ReferralOut:
        referral = crossing.decide(db, caller, referral_id, decision, data)
        return ReferralOut.of(referrals_json(db, caller, [referral], lambda _r: False)[0])

    return route


post_referral_accept = _decision(
    "accept", "Accept a referral, or a transfer into one of your hamlets (receiving ward officer)"
)
post_referral_refuse = _decision("refuse", "Refuse a referral or transfer, with the reason")
post_referral_cancel = _decision("cancel", "Cancel an open referral or transfer (the sending ward officer)")


@post(
    "/api/v1/cases/{case_id:uuid}/links",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Link a related case (ward officer; both cases must be readable)",
)
def post_link(case_id: CaseId, data: JSONBody[LinkIn], caller: CallerDep, db: DbDep) -> CaseOut:
    links.link(db, caller, case_id, data)
    return _view(db, caller, case_id)


@delete(
    "/api/v1/cases/{case_id:uuid}/links/{other_id:uuid}",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Remove the link between two cases (ward officer)",
)
def delete_link(case_id: CaseId, other_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> CaseOut:
    links.unlink(db, caller, case_id, other_id)
    return _view(db, caller, case_id)


@post(
    "/api/v1/intakes",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Record an intake for a hamlet of your area (111 hotline); it goes to the commune at once",
)
def post_hotline_intake(data: JSONBody[HotlineIntakeIn], caller: CallerDep, db: DbDep) -> RoutedOut:
    routed = hotline.record(db, caller, data)
    return RoutedOut.of(
        {
            "reference": routed.reference,
            "hamlet": routed.hamlet.name_ref(),
            "commune": routed.commune.name_ref(),
            "ward_officers": routed.ward_officers,
        }
    )


ROUTES = [
    post_closure_approve,
    post_closure_return,
    post_reopen,
    post_identify,
    post_referral,
    list_referrals,
    post_referral_accept,
    post_referral_refuse,
    post_referral_cancel,
    post_link,
    delete_link,
    post_hotline_intake,
]
