"""Reading the audit: a child's access log (ward officer of the commune) and daily counts of reads
and refusals per unit (district officers and provincial inspectors). See portal.audit.reader."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import get
from litestar.params import FromPath, Parameter, QueryParameter

from portal.api.unit_routes import _unit
from portal.audit.reader import audit_summary, child_access_log
from portal.audit.responses import AccessEntryOut, AuditSummaryOut
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page

TAGS = ["audit"]


@get(
    "/api/v1/children/{child_id:uuid}/access-log",
    sync_to_thread=False,
    tags=TAGS,
    summary="Who read or changed the child's record, newest first (the commune's ward officer)",
)
def read_child_access_log(
    child_id: FromPath[uuid.UUID],
    caller: CallerDep,
    db: DbDep,
    page: int = Parameter(default=1),
    page_size: int = Parameter(default=20),
) -> Page[AccessEntryOut]:
    log = child_access_log(db, caller, child_id, page, page_size)
    return Page.of(log, lambda e: AccessEntryOut.of(e.as_json()))


@get(
    "/api/v1/units/{unit_id:int}/audit-summary",
    sync_to_thread=False,
    tags=TAGS,
    summary="Reads, changes, refusals and aggregate reads per unit and day in the unit's area (counts only)",
)
def read_audit_summary(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    date_from: Annotated[date | None, QueryParameter(name="from")] = None,
    date_to: Annotated[date | None, QueryParameter(name="to")] = None,
) -> AuditSummaryOut:
    return AuditSummaryOut.of(audit_summary(db, caller, _unit(db, unit_id), date_from, date_to))


ROUTES = [read_child_access_log, read_audit_summary]
