"""The case page's action forms: each action's service function (the API's) and how its posted form
becomes the service's request struct (the same struct the API decodes; the case's version from the
form's hidden field). The plan and the review have rows (``actions_<i>_``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from infra.errors import FieldError
from portal.cases import decisions, detailed, plans, reviews, workflow
from portal.cases.schemas import (
    AssessIn,
    AssignIn,
    CloseIn,
    DecisionIn,
    DetailedAssessmentIn,
    NoteIn,
    PlanActionIn,
    PlanIn,
    ProtectIn,
    ReopenIn,
    ReviewActionIn,
    ReviewIn,
)
from portal.web import case_crossing_forms as crossing_forms
from portal.web import case_grant_forms as grant_forms
from portal.web.form_input import read_form

PLAN_ROWS = 3
Parse = Callable[[dict[str, Any], list[FieldError]], msgspec.Struct | None]


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


def reader(kind: type[msgspec.Struct]) -> Parse:
    return lambda form, errors: read_form(form, kind, errors)


ACTIONS: dict[str, tuple[Callable[..., Any], Parse]] = {
    "assign": (workflow.assign, reader(AssignIn)),
    "assess": (workflow.assess, reader(AssessIn)),
    "protect": (workflow.protect, reader(ProtectIn)),
    "draft_plan": (plans.draft_plan, _plan),
    "submit_plan": (plans.submit_plan, reader(DecisionIn)),
    "approve_plan": (plans.approve_plan, reader(DecisionIn)),
    "return_plan": (plans.return_plan, reader(DecisionIn)),
    "detailed_assessment": (detailed.record, reader(DetailedAssessmentIn)),
    "review": (reviews.review, _review),
    "close": (workflow.close, reader(CloseIn)),
    "approve_closure": (decisions.approve_closure, reader(DecisionIn)),
    "return_closure": (decisions.return_closure, reader(DecisionIn)),
    "reopen": (decisions.reopen, reader(ReopenIn)),
    "refer": (crossing_forms.refer, reader(crossing_forms.ReferForm)),
    "link": (crossing_forms.link, reader(crossing_forms.LinkForm)),
    "note": (workflow.add_note, reader(NoteIn)),
    "grant": (grant_forms.grant, reader(grant_forms.GrantForm)),
}
"""Each action's service function and how its form becomes the service's request struct."""
