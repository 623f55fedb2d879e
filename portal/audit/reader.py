"""Reading the audit log: a child's access log for the commune's ward officer, and daily counts of
reads and refusals per unit for the district and the province.

The application role may not SELECT ``audit_log``; both readers go through SECURITY DEFINER functions
(migration 0014) that check the caller's scope from the transaction settings themselves and return
fixed columns only. Casbin decides whether the role may read at all (``child, access_log`` and
``audit, summary``); the registry decides whether the child is the caller's (404 otherwise).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from authz.caller import Caller, reading_history
from authz.guards import authorize
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.audit.service import record as audit
from portal.registry.models import Child
from portal.registry.service import get_child
from tenancy.models import Unit

MAX_PAGE_SIZE = 100
DEFAULT_DAYS = 30
MAX_DAYS = 367
EARLIEST = date(2000, 1, 1)

_PAGE = text(
    "SELECT at, username, full_name, role, action, outcome FROM audit_child_access(:child) "
    "ORDER BY at DESC, entry_id DESC LIMIT :limit OFFSET :offset"
)
_COUNT = text("SELECT count(*) FROM audit_child_access(:child)")


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    username: str | None
    full_name: str | None
    role: str | None
    action: str
    outcome: str

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "action": self.action,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class AccessLog:
    child: Child
    items: list[AccessEntry]
    total: int
    page: int
    page_size: int


def _check_page(page: int, page_size: int) -> None:
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    if errors:
        raise ValidationFailed(errors)


def child_access_log(
    session: Session, caller: Caller, child_id: uuid.UUID, page: int = 1, page_size: int = 20
) -> AccessLog:
    """Who read or changed the child's record, newest first (ward officer of the child's commune).

    Other roles: 403; a child outside the caller's commune: 404 — both audited by the error handler.
    """
    _check_page(page, page_size)
    child = get_child(session, caller, child_id, "access_log")
    params = {"child": str(child.id), "limit": page_size, "offset": (page - 1) * page_size}
    items = [AccessEntry(*row) for row in session.execute(_PAGE, params).tuples()]
    total = int(session.scalar(_COUNT, {"child": str(child.id)}) or 0)
    audit(
        caller.actor,
        "access_log",
        "child",
        "allowed",
        resource_ids=[child.id],
        unit_id=child.hamlet_id,
        detail={"page": page, "page_size": page_size},
    )
    return AccessLog(child, items, total, page, page_size)


def summary_range(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days to count: by default the last 30; at most 367 days, none in the future or before 2000."""
    end = date_to or today()
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    errors = []
    if end > today():
        errors.append(FieldError("to", "is in the future", "future_date"))
    if start < EARLIEST:
        errors.append(FieldError("from", f"is before {EARLIEST.isoformat()}", "range_start"))
    if start > end:
        errors.append(FieldError("to", "is before from", "range"))
    elif (end - start).days >= MAX_DAYS:
        errors.append(FieldError("from", f"the range is longer than {MAX_DAYS} days", "range_too_long"))
    if errors:
        raise ValidationFailed(errors)
    return start, end


def audit_summary(
    session: Session, caller: Caller, unit: Unit, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Counts per acting unit and day in ``unit``'s subtree: reads of records, changes, refusals and
    aggregate reads. No names, no record ids, no details of any entry.

    A range ending before a unit that became the caller's was closed reads that unit's counts (its
    staff's entries stay under it) under the caller's predecessor scope (``authz.caller.reading_history``).
    """
    with reading_history(session, caller, unit, date_to) as reader:
        return _summary(session, reader, unit, date_from, date_to)


def _summary(
    session: Session, caller: Caller, unit: Unit, date_from: date | None, date_to: date | None
) -> dict[str, Any]:
    authorize(caller, "audit", "summary", unit)
    start, end = summary_range(date_from, date_to)
    fn = func.audit_daily_counts(unit.path, start, end).table_valued(
        "day", "unit_id", "reads", "changes", "refusals", "aggregate_reads"
    )
    rows = session.execute(select(fn)).tuples().all()
    ids = {r[1] for r in rows}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    items = [
        {
            "day": day.isoformat(),
            "unit": units[uid].name_ref(),
            "reads": int(reads),
            "changes": int(changes),
            "refusals": int(refusals),
            "aggregate_reads": int(aggregates),
        }
        for day, uid, reads, changes, refusals, aggregates in rows
    ]
    audit_aggregate(caller, "audit_summary", unit.id, {"from": start, "to": end})
    return {
        "unit": unit.name_ref(),
        "from": start.isoformat(),
        "to": end.isoformat(),
        "items": items,
        "total": len(items),
    }
