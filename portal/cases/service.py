"""Reading cases: one case, the caller's list, the informant. Every read is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import utcnow
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.cases.access import cases_in, get_case, overdue_clause, require_ward_officer, visible_clause
from portal.cases.models import Case, CaseDeadline, CaseInformant
from portal.cases.reference import CODES, STATUSES
from tenancy.models import Unit

MAX_PAGE_SIZE = 100


def read_case(session: Session, caller: Caller, case_id: uuid.UUID) -> Case:
    case = get_case(session, caller, case_id, "read")
    audit(caller.actor, "read", "case", "allowed", resource_ids=[case.id], unit_id=case.hamlet_id)
    return case


def informant(session: Session, caller: Caller, case_id: uuid.UUID) -> dict[str, Any]:
    """The informant's identity: the commune's ward officers only, audited."""
    case = get_case(session, caller, case_id, "informant")
    require_ward_officer(caller, case, "see the informant of")
    row = session.get(CaseInformant, case.id)
    audit(caller.actor, "read_informant", "case", "allowed", resource_ids=[case.id], unit_id=case.hamlet_id)
    if row is None:
        return {"recorded": False}
    return {
        "recorded": True,
        "anonymous": row.anonymous,
        "full_name": row.full_name,
        "phone": row.phone,
        "relationship": row.relationship,
        "address": row.address,
    }


@dataclass(frozen=True)
class CasePage:
    items: list[tuple[Case, datetime | None]]
    total: int
    page: int
    page_size: int


def list_cases(session: Session, caller: Caller, params: dict[str, Any]) -> CasePage:
    """The cases the caller sees (filtered in SQL), newest first, with each one's next open deadline.
    ``params``: ``status`` (a status or "open"), ``case_type``, ``unit_id``, ``overdue`` (True: only
    cases with a step past its deadline; False: only those without), ``page``, ``page_size``."""
    authorize_action(caller, "case", "list")
    page, size = params.get("page") or 1, params.get("page_size") or 20
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    status, case_type = params.get("status"), params.get("case_type")
    if status is not None and status not in {s for s, *_ in STATUSES} | {"open"}:
        errors.append(FieldError("status", "unknown status", "unknown_code"))
    if case_type is not None and case_type not in CODES["case_type"]:
        errors.append(FieldError("case_type", "unknown case type", "unknown_code"))
    overdue = params.get("overdue")
    if overdue is not None and not isinstance(overdue, bool):
        errors.append(FieldError("overdue", "must be true or false", "invalid"))
    unit = session.get(Unit, params["unit_id"]) if params.get("unit_id") is not None else None
    if params.get("unit_id") is not None and unit is None:
        errors.append(FieldError("unit_id", "no such unit", "unknown"))
    if errors:
        raise ValidationFailed(errors)
    next_due = (
        select(func.min(CaseDeadline.due_at))
        .where(
            CaseDeadline.case_id == Case.id,
            CaseDeadline.met_at.is_(None),
            CaseDeadline.cancelled_at.is_(None),
        )
        .scalar_subquery()
    )
    stmt = select(Case, next_due).where(visible_clause(caller))
    if unit is not None:
        stmt = stmt.where(cases_in(unit))
    if status == "open":
        stmt = stmt.where(Case.status != "closed")
    elif status is not None:
        stmt = stmt.where(Case.status == status)
    if case_type is not None:
        stmt = stmt.where(Case.case_type == case_type)
    if overdue is not None:
        late = overdue_clause(utcnow())
        stmt = stmt.where(late if overdue else ~late)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Case.received_at.desc(), Case.id).limit(size).offset((page - 1) * size)
    )
    items: list[tuple[Case, datetime | None]] = [(case, due) for case, due in rows.tuples()]
    audit(
        caller.actor,
        "list",
        "case",
        "allowed",
        resource_ids=[c.id for c, _ in items],
        unit_id=unit.id if unit else None,
        detail={
            "page": page,
            "page_size": size,
            "status": status,
            "case_type": case_type,
            "overdue": overdue,
            "total": total,
        },
    )
    return CasePage(items, total, page, size)


def case_by_reference(session: Session, caller: Caller, reference: str) -> uuid.UUID | None:
    """The id of a case the caller may read, from its reference ("HS2026-000123"); None otherwise."""
    authorize_action(caller, "case", "read")
    return session.scalars(
        select(Case.id).where(Case.reference == reference.strip().upper()[:24], visible_clause(caller))
    ).one_or_none()
