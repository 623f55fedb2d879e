"""A ward officer's home: the commune's figures and data quality, its hamlets with their counts, its staff,
its reports."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from infra.errors import Forbidden
from portal.boundary.deps import CallerDep, DbDep
from portal.registry.move_views import count_moves
from portal.reports.service import definitions as report_definitions
from portal.reports.service import list_reports
from portal.staff.schemas import StaffFilter
from portal.staff.service import list_accounts
from portal.stats.quality import unit_quality
from portal.stats.service import unit_stats
from portal.web.render import page
from tenancy.service import child_units


@get("/ward", sync_to_thread=False, include_in_schema=False)
def ward_home(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    unit = caller.unit
    if unit is None or caller.role != "ward_officer":
        raise Forbidden("the commune overview is for ward officers", resource="page", action="read")
    stats = unit_stats(db, caller, unit)
    hamlets = [
        (h, unit_stats(db, caller, h))
        for h in child_units(db, unit.id)
        if h.level == "hamlet" and h.valid_to is None
    ]
    staff = list_accounts(db, caller, StaffFilter(page=1, page_size=100))
    reports, _total = list_reports(db, caller, {"unit_id": unit.id, "page": 1, "page_size": 6})
    definitions = {d.id: d for d in report_definitions(db)} if reports else {}
    incoming = count_moves(db, caller, "in", "open")
    return page(
        request,
        "ward.html",
        unit=unit,
        stats=stats,
        hamlets=hamlets,
        staff=staff.items,
        staff_total=staff.total,
        reports=reports,
        definitions=definitions,
        incoming_moves=incoming,
        quality=unit_quality(db, caller, unit),
        quality_link=True,
    )


ROUTES = [ward_home]
