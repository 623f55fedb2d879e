"""Who sees a case and who acts on it.

A case is visible to its assigned worker, to the ward officers of the commune covering its hamlet, to
holders of an active grant, to the ward officers of a commune it is referred or being transferred to, and
to the commune's chairman while it waits for their decision (and afterwards, for the ones they decided) —
nobody else (row-level security in migrations 0007 and 0022 says the same; the base statement here
repeats it in SQL). On a visible case, the assigned worker and the ward officers work it; grantees and
receiving communes only read; assigning, proposing closures, referring, reopening, granting and reading
the informant are for the commune's ward officers; approving plans and closures is for its chairman.
Casbin decides beforehand which roles take part at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import utcnow
from infra.errors import Conflict, Forbidden, NotVisible
from portal.audit.service import record as audit
from portal.cases.crossing_models import CaseReferral
from portal.cases.models import Case, CaseDeadline, CaseEvent, CaseGrant
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def ward_root(caller: Caller) -> str | None:
    """The commune whose cases the caller sees as its ward officer (mirrors ``app_case_root()``)."""
    unit = caller.unit
    if caller.role != "ward_officer" or unit is None or unit.level != "commune":
        return None
    return unit.path if in_subtree(unit.path, caller.scope.records) else None


def chair_root(caller: Caller) -> str | None:
    """The commune whose decisions the caller takes as its chairman (mirrors ``app_chair_root()``)."""
    unit = caller.unit
    if caller.role != "commune_chairman" or unit is None or unit.level != "commune":
        return None
    return unit.path if in_subtree(unit.path, caller.scope.aggregates) else None


DECISIONS = ("approve_plan", "return_plan", "approve_closure", "return_closure")
"""The chairman's decisions: the cases they took one on stay readable to them."""


def awaits_decision(case: Case) -> bool:
    """Is the case waiting for the chairman (a submitted plan, a proposed closure)?"""
    return case.status == "plan_submitted" or case.closure_pending


def in_ward(caller: Caller, path: str) -> bool:
    """Is ``path`` (a hamlet's, a case's) in the commune the caller works as its ward officer?"""
    return in_subtree(path, ward_root(caller))


def works_in(unit: Unit, case_path: str) -> bool:
    """Does an account at ``unit`` work where the case is (its hamlet, or the commune above it)?"""
    return in_subtree(case_path, unit.path)


def cases_in(unit: Unit) -> ColumnElement[bool]:
    """SQL: the case lies in ``unit`` or below it (narrows :func:`visible_clause` to one area)."""
    return subtree_clause(Case.unit_path, unit.path)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: a step of the case is past its deadline at ``now`` and still open (neither met nor
    cancelled): what the lists mark "overdue" (narrows :func:`visible_clause`)."""
    return exists().where(
        CaseDeadline.case_id == Case.id,
        CaseDeadline.met_at.is_(None),
        CaseDeadline.cancelled_at.is_(None),
        CaseDeadline.due_at <= now,
    )


def visible_clause(caller: Caller) -> ColumnElement[bool]:
    """SQL: the cases ``caller`` may see."""
    granted = select(CaseGrant.case_id).where(
        CaseGrant.user_id == caller.user_id, CaseGrant.revoked_at.is_(None)
    )
    root = ward_root(caller)
    referred = select(CaseReferral.case_id).where(
        subtree_clause(CaseReferral.to_path, root),
        or_(
            CaseReferral.state == "open",
            and_(CaseReferral.state == "accepted", CaseReferral.kind == "referral"),
        ),
    )
    decided = select(CaseEvent.case_id).where(
        CaseEvent.actor_id == caller.user_id, CaseEvent.action.in_(DECISIONS)
    )
    chair = chair_root(caller)
    return or_(
        Case.assigned_to == caller.user_id,
        subtree_clause(Case.unit_path, root),
        Case.id.in_(granted),
        *([Case.id.in_(referred)] if root else []),
        *(
            [
                and_(
                    or_(
                        Case.status == "plan_submitted",
                        and_(Case.closure_proposed_at.is_not(None), Case.status != "closed"),
                        Case.id.in_(decided),
                    ),
                    subtree_clause(Case.unit_path, chair),
                )
            ]
            if chair
            else []
        ),
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


def is_chair_of(caller: Caller, case: Case) -> bool:
    return in_subtree(case.unit_path, chair_root(caller))


def require_chair(caller: Caller, case: Case, action: str) -> None:
    """Only the chairman of the case's commune decides, and only on what waits for a decision."""
    if not is_chair_of(caller, case):
        raise _refuse(case, action, f"only the chairman of the case's commune may {action} this case")


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
    to_status: str | None = None,
) -> None:
    """History row and audit entry for a change to the case (``to_status``: a change still to be made)."""
    session.add(
        CaseEvent(
            id=uuid.uuid4(),
            case_id=case.id,
            at=utcnow(),
            actor_id=caller.user_id,
            actor_username=caller.username,
            action=action,
            from_status=before,
            to_status=to_status or case.status,
            detail=detail,
        )
    )
    session.flush()
    audit(
        caller.actor, action, "case", "allowed", resource_ids=[case.id], unit_id=case.hamlet_id, detail=detail
    )


def referrals_for(caller: Caller, side: str | None = None) -> Select[tuple[CaseReferral]]:
    """The referrals and transfers a ward officer's commune sent (``side="out"``, the stub of a transfer
    included) or received (``side="in"``), or both."""
    root = ward_root(caller)
    sent, received = subtree_clause(CaseReferral.from_path, root), subtree_clause(CaseReferral.to_path, root)
    return select(CaseReferral).where(
        sent if side == "out" else received if side == "in" else or_(sent, received)
    )


def receives(caller: Caller, referral: CaseReferral) -> bool:
    """Is the caller a ward officer of the commune the referral or transfer goes to?"""
    return referral.to_path is not None and in_subtree(referral.to_path, ward_root(caller))


def sends(caller: Caller, referral: CaseReferral) -> bool:
    return in_subtree(referral.from_path, ward_root(caller))


def intake_root(caller: Caller) -> str | None:
    """Where a hotline account records intakes: its province or district (mirrors ``app_intake_root()``)."""
    unit = caller.unit
    if caller.role != "hotline_officer" or unit is None or unit.level not in ("province", "district"):
        return None
    return unit.path if in_subtree(unit.path, caller.scope.aggregates) else None


def takes_intake_for(caller: Caller, unit: Unit) -> bool:
    """Is ``unit`` (a hamlet to record for, a commune to choose from) in the hotline account's area?"""
    return in_subtree(unit.path, intake_root(caller))
