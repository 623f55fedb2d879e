"""Who sees a case and who acts on it.

A case is visible to its assigned worker, to the ward officers of the commune covering its hamlet and
to holders of an active grant — nobody else (row-level security in migration 0007 says the same; the
base statement here repeats it in SQL). On a visible case, the assigned worker and the ward officers
work it; grantees only read; assigning, approving plans, closing, granting and reading the informant
are for the commune's ward officers. Casbin decides beforehand which roles take part at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import utcnow
from infra.errors import Conflict, Forbidden, NotVisible
from portal.audit.service import record as audit
from portal.cases.models import Case, CaseEvent, CaseGrant
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def ward_root(caller: Caller) -> str | None:
    """The commune whose cases the caller sees as its ward officer (mirrors ``app_case_root()``)."""
    unit = caller.unit
    if caller.role != "ward_officer" or unit is None or unit.level != "commune":
        return None
    return unit.path if in_subtree(unit.path, caller.scope.records) else None


def in_ward(caller: Caller, path: str) -> bool:
    """Is ``path`` (a hamlet's, a case's) in the commune the caller works as its ward officer?"""
    return in_subtree(path, ward_root(caller))


def works_in(unit: Unit, case_path: str) -> bool:
    """Does an account at ``unit`` work where the case is (its hamlet, or the commune above it)?"""
    return in_subtree(case_path, unit.path)


def cases_in(unit: Unit) -> ColumnElement[bool]:
    """SQL: the case lies in ``unit`` or below it (narrows :func:`visible_clause` to one area)."""
    return subtree_clause(Case.unit_path, unit.path)


def visible_clause(caller: Caller) -> ColumnElement[bool]:
    """SQL: the cases ``caller`` may see."""
    granted = select(CaseGrant.case_id).where(
        CaseGrant.user_id == caller.user_id, CaseGrant.revoked_at.is_(None)
    )
    return or_(
        Case.assigned_to == caller.user_id,
        subtree_clause(Case.unit_path, ward_root(caller)),
        Case.id.in_(granted),
    )


def get_case(
    session: Session, caller: Caller, case_id: uuid.UUID, action: str = "read", lock: bool = False
) -> Case:
    """A case the caller may see, or 404 (a case's existence does not leak). Casbin first (403)."""
    authorize_action(caller, "case", action)
    stmt = select(Case).where(Case.id == case_id, visible_clause(caller))
    case = session.scalars(stmt.with_for_update(of=Case) if lock else stmt).one_or_none()
    if case is None:
        raise NotVisible("case not found", resource="case", action=action, resource_ids=[str(case_id)])
    return case


def is_ward_officer_of(caller: Caller, case: Case) -> bool:
    return in_ward(caller, case.unit_path)


def is_manager(caller: Caller, case: Case) -> bool:
    return case.assigned_to == caller.user_id or is_ward_officer_of(caller, case)


def _refuse(case: Case, action: str, message: str) -> Forbidden:
    return Forbidden(
        message, resource="case", action=action, resource_ids=[str(case.id)], unit_id=case.hamlet_id
    )


def require_manager(caller: Caller, case: Case, action: str) -> None:
    if not is_manager(caller, case):
        raise _refuse(
            case, action, f"only the assigned worker or the commune's ward officer may {action} this case"
        )


def require_ward_officer(caller: Caller, case: Case, action: str) -> None:
    if not is_ward_officer_of(caller, case):
        raise _refuse(case, action, f"only the ward officer of the case's commune may {action} this case")


def check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise Conflict(f"the case changed since you read it (version {version}, now {case.version})")


def log_event(
    session: Session,
    caller: Caller,
    case: Case,
    action: str,
    before: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """History row and audit entry for a change to the case."""
    session.add(
        CaseEvent(
            id=uuid.uuid4(),
            case_id=case.id,
            at=utcnow(),
            actor_id=caller.user_id,
            actor_username=caller.username,
            action=action,
            from_status=before,
            to_status=case.status,
            detail=detail,
        )
    )
    session.flush()
    audit(
        caller.actor, action, "case", "allowed", resource_ids=[case.id], unit_id=case.hamlet_id, detail=detail
    )
