"""Explicit access to a case: granted and revoked by the commune's ward officer, with a reason, audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict, NotVisible
from portal.cases.access import get_case, log_event, require_ward_officer
from portal.cases.checks import Check
from portal.cases.models import CaseGrant
from portal.cases.people import grantee_problem
from portal.cases.schemas import GrantIn
from portal.cases.workflow import require_status


def grants_of(session: Session, case_id: uuid.UUID) -> list[CaseGrant]:
    return list(
        session.scalars(select(CaseGrant).where(CaseGrant.case_id == case_id).order_by(CaseGrant.granted_at))
    )


def grant(session: Session, caller: Caller, case_id: uuid.UUID, body: GrantIn) -> CaseGrant:
    case = get_case(session, caller, case_id, "grant")
    require_ward_officer(caller, case, "share")
    require_status(case, "grant")
    check = Check()
    reason = check.text("reason", body.reason, limit=1000)
    problem = grantee_problem(session, body.user_id, case.unit_path)
    if problem:
        code, message = problem
        check.fail("user_id", message, code)
    check.raise_if_failed()
    active = [g for g in grants_of(session, case.id) if g.user_id == body.user_id and g.revoked_at is None]
    if active:
        raise Conflict("this user already holds access to the case")
    row = CaseGrant(
        id=uuid.uuid4(),
        case_id=case.id,
        user_id=body.user_id,
        reason=reason,
        granted_by=caller.user_id,
        granted_at=utcnow(),
    )
    session.add(row)
    session.flush()
    log_event(session, caller, case, "grant", case.status, {"user_id": row.user_id})
    return row


def revoke(session: Session, caller: Caller, case_id: uuid.UUID, grant_id: uuid.UUID) -> CaseGrant:
    case = get_case(session, caller, case_id, "grant")
    require_ward_officer(caller, case, "revoke access to")
    row = session.get(CaseGrant, grant_id)
    if row is None or row.case_id != case.id:
        raise NotVisible("no such grant on this case", resource="case", action="grant")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), caller.user_id
        log_event(session, caller, case, "revoke", case.status, {"user_id": row.user_id})
    return row
