"""Forms 01-07 of Decree 56/2017/NĐ-CP as PDF, for exactly the people who may read the case.

``GET /api/v1/cases/{id}/forms/{number}.pdf``: the case is found as for reading it (``get_case``: 404
for a case out of reach, 403 for roles without case access), the form is filled from what the case
records, and the print is audited as an export of the case (``detail.form``). A form whose step has
not happened yet answers 409 naming the step (``missing``); a number outside 01-07 answers 404. The
informant appears on form 01 only for the commune's ward officer (the reader of ``/informant``; that
read is audited too) and never when the informant asked to stay anonymous.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import Conflict, DomainError
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.cases.access import get_case, is_ward_officer_of
from portal.cases.detailed import detailed_assessments
from portal.cases.forms_content import Facts, form_01, form_02, form_03
from portal.cases.forms_decisions import form_05, form_07
from portal.cases.forms_layout import FormDoc, render_form
from portal.cases.forms_plan import form_04, form_06
from portal.cases.models import Case, CaseInformant, CasePlan, CaseReview
from portal.cases.plans import plan_actions
from portal.cases.reviews import review_actions
from tenancy.models import Unit

PDF = "application/pdf"
NAME = re.compile(r"(0[1-7])(\.pdf)?")
KINDS = re.compile(r"^(xã|phường|thị trấn|đặc khu)\s+", re.IGNORECASE)
# number -> (the step it records, what is missing while it has not happened)
STEPS: dict[str, tuple[str, str]] = {
    "01": ("intake", "the report"),
    "02": ("assessment", "the initial assessment (form 02) has not been recorded"),
    "03": ("detailed_assessment", "the detailed assessment (form 03) has not been recorded"),
    "04": ("plan", "no support plan (form 04) has been submitted"),
    "05": ("plan_approval", "no support plan has been approved (form 05)"),
    "06": ("review", "the plan has not been reviewed (form 06)"),
    "07": ("emergency_protection", "no emergency protection measure (form 07) has been recorded"),
}
BUILDERS: dict[str, Callable[[Facts], FormDoc]] = {
    "01": form_01,
    "02": form_02,
    "03": form_03,
    "04": form_04,
    "05": form_05,
    "06": form_06,
    "07": form_07,
}


class NoSuchForm(DomainError):
    status_code = 404


class FormNotReady(Conflict):
    """The form's step has not happened yet (``missing`` names it)."""


def _plans(session: Session, case_id: uuid.UUID) -> list[CasePlan]:
    return list(
        session.scalars(select(CasePlan).where(CasePlan.case_id == case_id).order_by(CasePlan.number.desc()))
    )


def _latest_review(session: Session, case_id: uuid.UUID) -> CaseReview | None:
    return session.scalars(
        select(CaseReview)
        .where(CaseReview.case_id == case_id)
        .order_by(CaseReview.reviewed_at.desc())
        .limit(1)
    ).one_or_none()


def missing_steps(session: Session, case: Case) -> dict[str, str | None]:
    """Each form number -> None when it can be printed, else the step it still waits for."""
    plans = _plans(session, case.id)
    done = {
        "01": True,
        "02": case.assessed_at is not None,
        "03": bool(detailed_assessments(session, case.id)),
        "04": any(p.submitted_at for p in plans),
        "05": any(p.approved_at for p in plans),
        "06": _latest_review(session, case.id) is not None,
        "07": case.protected_at is not None,
    }
    return {number: None if ready else STEPS[number][0] for number, ready in done.items()}


def _framed(session: Session, case: Case) -> Facts:
    """The case with the names of its commune and hamlet (issuer, place) and nothing else yet."""
    hamlet = session.get(Unit, case.hamlet_id)
    commune = session.get(Unit, hamlet.parent_id) if hamlet and hamlet.parent_id else None
    name = commune.name if commune else ""
    if commune and commune.kind and not KINDS.match(name):
        name = f"{commune.kind} {name}"
    return Facts(
        case=case,
        issuer=f"UBND {name.upper()}".strip(),
        commune=name,
        place=KINDS.sub("", name),
        hamlet=hamlet.name if hamlet else "",
    )


def _facts(session: Session, caller: Caller, case: Case, number: str) -> Facts:
    facts = _framed(session, case)
    people = {case.created_by, case.assessed_by}
    if number == "01":
        # the reader of /informant; anyone else learns neither who reported nor whether anyone did
        may_read = allowed(caller.role, "case", "informant") and is_ward_officer_of(caller, case)
        facts.informant = session.get(CaseInformant, case.id) if may_read else None
        facts.informant_recorded = facts.informant is not None or not may_read
    elif number == "03":
        facts.detailed = detailed_assessments(session, case.id)[-1]
        people.add(facts.detailed.recorded_by)
    elif number in ("04", "05"):
        plans = _plans(session, case.id)  # the newest submitted (04) or approved (05) one
        facts.plan = next(p for p in plans if (p.submitted_at if number == "04" else p.approved_at))
    elif number == "06":
        facts.review = _latest_review(session, case.id)
        assert facts.review is not None
        facts.plan = session.get(CasePlan, facts.review.plan_id)
        people.add(facts.review.reviewer_id)
        actions = {a.id: a for a in plan_actions(session, facts.review.plan_id)}
        rows = review_actions(session, case.id).get(facts.review.id, [])
        facts.verdicts = [(actions[r.action_id], r) for r in rows]
    if facts.plan is not None:
        facts.actions = plan_actions(session, facts.plan.id)
        people |= {facts.plan.created_by, facts.plan.submitted_by, facts.plan.approved_by}
    wanted = {p for p in people if p is not None}
    facts.people = dict(
        session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).tuples().all()
    )
    return facts


def form_pdf(session: Session, caller: Caller, case_id: uuid.UUID, name: str) -> tuple[bytes, str]:
    """The filled form ``name`` ("03.pdf") of the case as PDF bytes and a file name; audited."""
    case = get_case(session, caller, case_id, "read")
    found = NAME.fullmatch(name)
    if found is None:
        raise NoSuchForm(f"no form {name!r}: the forms of Decree 56/2017 are 01.pdf to 07.pdf")
    number = found.group(1)
    step = missing_steps(session, case)[number]
    if step is not None:
        error = FormNotReady(f"form {number} cannot be printed yet: {STEPS[number][1]}")
        error.extra.update({"form": number, "missing": step})
        raise error
    facts = _facts(session, caller, case, number)
    content = render_form(BUILDERS[number](facts))
    detail = {"form": number, "format": "pdf"}
    audit(
        caller.actor,
        "export",
        "case",
        "allowed",
        resource_ids=[case.id],
        unit_id=case.hamlet_id,
        detail=detail,
    )
    if facts.informant is not None:
        audit(
            caller.actor, "read_informant", "case", "allowed", resource_ids=[case.id], unit_id=case.hamlet_id
        )
    return content, f"mau-{number}-{case.reference}.pdf"
