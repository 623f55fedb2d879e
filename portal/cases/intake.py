"""Receiving a report (form 01): from any channel, about a child of the registry or one recorded now.

Everything is checked before anything is written; a child recorded with the case goes through the
registry service (same checks, history and audit). The recorder of an intake who is not the commune's
ward officer (a collaborator) keeps read access through an explicit grant, which the ward officer may
revoke. Deadlines open at once: the assessment (12 hours) and the plan (5 working days).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import VIETNAM, utcnow
from infra.errors import ValidationFailed
from portal.cases import notices
from portal.cases.access import in_ward, log_event
from portal.cases.checks import Check
from portal.cases.deadlines import ASSESSMENT_WINDOW, open_deadline, open_plan_deadline
from portal.cases.models import Case, CaseGrant, CaseInformant
from portal.cases.people import worker_problem
from portal.cases.schemas import HotlineIntakeIn, InformantIn, IntakeIn
from portal.registry.access import children_for
from portal.registry.models import Child
from portal.registry.service import create_child
from portal.stats.access import keeps_records
from tenancy.models import Unit

PHONE_CHARS = set("0123456789+ .-()")


def informant_values(check: Check, data: InformantIn | None) -> dict[str, Any] | None:
    if data is None:
        return None
    values = {
        "full_name": check.text("informant.full_name", data.full_name, required=False, limit=200),
        "phone": check.text("informant.phone", data.phone, required=False, limit=20),
        "relationship": check.text("informant.relationship", data.relationship, required=False, limit=100),
        "address": check.text("informant.address", data.address, required=False, limit=500),
    }
    if values["phone"] and not set(values["phone"]) <= PHONE_CHARS:
        check.fail("informant.phone", "must be a phone number")
    if data.anonymous and (values["full_name"] or values["phone"] or values["address"]):
        check.fail("informant.anonymous", "an anonymous informant has no name, phone or address", "conflict")
    return {"anonymous": data.anonymous, **values}


def _child(
    session: Session, caller: Caller, data: IntakeIn, check: Check
) -> tuple[Child | None, Unit | None]:
    """The registry child (visible to the caller) or the hamlet the new child will be recorded in."""
    if (data.child_id is None) == (data.new_child is None):
        check.fail("child_id", "give either child_id (a child of the registry) or new_child", "required")
        return None, None
    if data.child_id is not None:
        child = session.scalars(children_for(caller).where(Child.id == data.child_id)).one_or_none()
        if child is None:
            check.fail("child_id", "no child with this id in your area", "out_of_scope")
        elif child.status != "active":
            check.fail("child_id", f"the child's record is {child.status}", "inactive")
        return child, session.get(Unit, child.hamlet_id) if child else None
    assert data.new_child is not None
    hamlet = session.get(Unit, data.new_child.hamlet_id)
    if hamlet is None or hamlet.level != "hamlet" or not keeps_records(caller, hamlet):
        check.fail("new_child.hamlet_id", "is not a hamlet in your area", "out_of_scope")
        return None, None
    return None, hamlet


def _record_child(session: Session, caller: Caller, data: IntakeIn) -> Child:
    assert data.new_child is not None
    try:
        return create_child(session, caller, data.new_child)
    except ValidationFailed as exc:
        for error in exc.errors:
            error.field = f"new_child.{error.field}"
        raise


@dataclass(frozen=True)
class Report:
    """What form 01 says about the report itself, checked (any channel, any recorder)."""

    channel: str | None
    case_type: str | None
    description: str | None
    received_at: datetime
    details: dict[str, str | None]
    informant: dict[str, Any] | None


def read_report(check: Check, data: IntakeIn | HotlineIntakeIn) -> Report:
    return Report(
        channel=check.code("channel", "channel", data.channel),
        case_type=check.code("case_type", "case_type", data.case_type),
        description=check.text("description", data.description),
        received_at=check.moment("received_at", data.received_at),
        details={
            f: check.text(f, getattr(data, f), required=False)
            for f in ("place", "family_situation", "caregiver", "actions_taken")
        },
        informant=informant_values(check, data.informant),
    )


@dataclass(frozen=True)
class NamedChild:
    """The child a case is about: a registry record (``id``), or as described (no ``id`` yet)."""

    id: uuid.UUID | None
    full_name: str
    date_of_birth: date
    sex: str
    age_estimated: bool = False


def write_case(
    session: Session,
    caller: Caller,
    report: Report,
    hamlet: Unit,
    child: NamedChild,
    assigned_to: int | None = None,
    grant_reason: str | None = None,
) -> tuple[Case, CaseGrant | None]:
    """The case, its recorder's grant (``grant_reason``: a recorder who is not the commune's ward
    officer), its informant and its first two deadlines (the assessment, 12 hours; the plan, 5 working
    days). Nothing is checked here: the callers have."""
    assert report.channel and report.case_type and report.description
    now, received_at = utcnow(), report.received_at
    number = session.execute(text("SELECT nextval('case_number_seq')")).scalar_one()
    case = Case(
        id=uuid.uuid4(),
        reference=f"HS{received_at.astimezone(VIETNAM):%Y}-{number:06d}",
        hamlet_id=hamlet.id,
        unit_path=hamlet.path,
        child_id=child.id,
        child_name=child.full_name,
        child_date_of_birth=child.date_of_birth,
        child_sex=child.sex,
        child_age_estimated=child.age_estimated,
        case_type=report.case_type,
        channel=report.channel,
        received_at=received_at,
        description=report.description,
        status="received",
        assigned_to=assigned_to,
        assigned_at=now if assigned_to else None,
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
        **report.details,
    )
    session.add(case)
    session.flush()
    grant = None
    if grant_reason is not None:
        grant = CaseGrant(
            id=uuid.uuid4(),
            case_id=case.id,
            user_id=caller.user_id,
            reason=grant_reason,
            granted_by=caller.user_id,
            granted_at=now,
        )
        session.add(grant)
        session.flush()  # from here on the recorder sees the case, so its other rows pass RLS
    if report.informant is not None:
        session.add(CaseInformant(case_id=case.id, **report.informant))
    open_deadline(session, case.id, "assessment", received_at + ASSESSMENT_WINDOW)
    open_plan_deadline(session, case.id, received_at)
    notices.case_received(
        session, caller, case, session.get(Unit, hamlet.parent_id) if hamlet.parent_id else None
    )
    return case, grant


def record_intake(session: Session, caller: Caller, data: IntakeIn) -> Case:
    authorize_action(caller, "case", "create")
    check = Check()
    report = read_report(check, data)
    child, hamlet = _child(session, caller, data, check)
    if data.assigned_to is not None and hamlet is not None:
        if not in_ward(caller, hamlet.path):
            check.fail("assigned_to", "only the commune's ward officer assigns a case worker", "forbidden")
        else:
            problem = worker_problem(session, data.assigned_to, hamlet.path)
            if problem:
                check.fail("assigned_to", problem, "not_eligible")
    if check.errors:
        error = ValidationFailed(check.errors)
        if any(e.code == "out_of_scope" for e in check.errors):
            error.audit_outcome, error.context = "denied", {"resource": "case", "action": "create"}
        raise error
    assert hamlet is not None
    if child is None:
        child = _record_child(session, caller, data)
    named = NamedChild(child.id, child.full_name, child.date_of_birth, child.sex)
    recorder_grant = None if in_ward(caller, hamlet.path) else "recorded the intake"
    case, _grant = write_case(session, caller, report, hamlet, named, data.assigned_to, recorder_grant)
    log_event(
        session,
        caller,
        case,
        "intake",
        None,
        {"channel": report.channel, "child_recorded": data.new_child is not None},
    )
    if data.assigned_to is not None:
        log_event(session, caller, case, "assign", "received", {"user_id": data.assigned_to})
    return case
