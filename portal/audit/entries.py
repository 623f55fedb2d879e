"""The administrator's audit reader: the audit log line by line, filtered and paged.

What an administrator may read, and why: who did what, when, from which unit to which unit, and whether
it was allowed (the time, username and role of the account, the action, the resource, the acting unit and
the unit acted on, the outcome, the HTTP status). Never the record ids (a child's id is an identifier),
the entry's details or the client's address. Casbin decides that the role may (``audit`` ``read``:
administrators only); the database function ``audit_entries`` (migration 0041) checks again that the
account's own role is ``admin`` (a delegation never gives it) and that the subtree asked for is within the
caller's aggregate scope. Every reading is itself audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.audit.reader import summary_range
from portal.audit.service import record as audit
from tenancy.models import Unit
from tenancy.service import unit_names

PAGE_SIZE = 50
MAX_PAGE = 10_000
OUTCOMES = ("allowed", "denied", "unauthenticated", "locked")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ACTOR = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_ROWS = text(
    "SELECT entry_id, at, username, role, action, resource, actor_unit_id, unit_id, outcome, status_code, "
    "total FROM audit_entries(:root, :start, :end, :action, :outcome, :actor, :limit, :offset)"
)


@dataclass(frozen=True)
class Filters:
    """What the reader asked for; empty strings mean "any"."""

    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    outcome: str = ""
    actor: str = ""
    page: int = 1


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    username: str | None
    role: str | None
    action: str
    resource: str
    actor_unit_id: int | None
    actor_unit: str | None
    unit_id: int | None
    unit: str | None
    outcome: str
    status_code: int | None


@dataclass(frozen=True)
class EntryPage:
    entries: list[Entry]
    total: int
    start: date
    end: date
    page: int


def check_filters(filters: Filters) -> tuple[date, date]:
    """The day range (``portal.audit.reader.summary_range``'s rules) once every filter is well formed."""
    errors: list[FieldError] = []
    if filters.action and not _NAME.fullmatch(filters.action):
        errors.append(FieldError("action", "must be an action's code (a-z, 0-9, _; up to 64)", "malformed"))
    if filters.outcome and filters.outcome not in OUTCOMES:
        errors.append(
            FieldError("outcome", "must be allowed, denied, unauthenticated or locked", "unknown_code")
        )
    if filters.actor and not _ACTOR.fullmatch(filters.actor):
        errors.append(
            FieldError("actor", "must be a username (up to 64 letters, digits, . _ @ -)", "malformed")
        )
    if not 1 <= filters.page <= MAX_PAGE:
        errors.append(FieldError("page", f"must be between 1 and {MAX_PAGE}", "not_integer"))
    try:
        span = summary_range(filters.date_from, filters.date_to)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
        span = (date.min, date.min)
    if errors:
        raise ValidationFailed(errors)
    return span


def reader_root(caller: Caller, unit: Unit | None) -> str:
    """The subtree the caller may read the audit of (``unit``'s, or the whole tree's when None), or 403."""
    if unit is None:
        authorize_action(caller, "audit", "read")
        if caller.scope.aggregates != "/":
            raise Forbidden("the whole tree is outside your area", resource="audit", action="read")
        return "/"
    authorize(caller, "audit", "read", unit)
    return unit.path


def audit_entries(session: Session, caller: Caller, unit: Unit | None, filters: Filters) -> EntryPage:
    """One page of the audit log in ``unit``'s subtree (the whole tree when None), newest first.

    403 for any role but ``admin`` (audited by the error handler); 422 naming the filter that is wrong.
    """
    root = reader_root(caller, unit)
    start, end = check_filters(filters)
    params = {
        "root": root,
        "start": start,
        "end": end,
        "action": filters.action or None,
        "outcome": filters.outcome or None,
        "actor": filters.actor or None,
        "limit": PAGE_SIZE,
        "offset": (filters.page - 1) * PAGE_SIZE,
    }
    rows = session.execute(_ROWS, params).tuples().all()
    ids = {uid for r in rows for uid in (r[6], r[7]) if uid is not None}
    names = unit_names(session, ids)
    entries = [
        Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], names.get(r[6]), r[7], names.get(r[7]), r[8], r[9])
        for r in rows
    ]
    audit(
        caller.actor,
        "read",
        "audit",
        "allowed",
        unit_id=unit.id if unit else None,
        detail={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "action": filters.action or None,
            "outcome": filters.outcome or None,
            "actor": bool(filters.actor),
            "page": filters.page,
        },
    )
    return EntryPage(entries, int(rows[0][10]) if rows else 0, start, end, filters.page)
