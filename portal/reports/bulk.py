"""Preparing the lowest-level drafts of a whole area at once (one click for a ward officer:
every hamlet's draft counted from the registry, so collaborators only type what is not in it).

All registry counts come from one query over the area, however many hamlets it has.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import utcnow
from portal.audit.service import record as audit
from portal.reports import figures as fig
from portal.reports.access import require_owner
from portal.reports.models import Figures, Report, ReportEvent
from portal.reports.responses import PreparedOut
from portal.reports.schemas import PrepareIn
from portal.reports.service import check_period, definition_by_code
from tenancy.models import Unit
from tenancy.structure import hamlets_on, units_at_level_on


def prepare_drafts(session: Session, caller: Caller, root: Unit, body: PrepareIn) -> PreparedOut:
    """Create the missing lowest-level drafts under ``root`` for a period; existing reports are untouched."""
    definition = definition_by_code(session, body.definition)
    period = check_period(definition, body.period)
    authorize(caller, "report", "create", root)
    require_owner(caller, root, "prepare reports under")
    lowest = units_at_level_on(session, root, period.end, definition.lowest_level)
    existing = set(
        session.scalars(
            select(Report.unit_id).where(
                Report.definition_id == definition.id,
                Report.period == period.key,
                Report.unit_id.in_([u.id for u in lowest]),
            )
        )
    )
    missing = {u.id: u for u in lowest if u.id not in existing}
    catalog = fig.load_catalog(session, definition, period.start, period.end)
    owner_of: dict[int, int] = {}  # hamlet -> the lowest-level unit it belonged to on the period's last day
    for hamlet_id, path in hamlets_on(session, root, period.end):
        segments = [int(x) for x in path.strip("/").split("/")]
        unit_id = hamlet_id if definition.lowest_level == "hamlet" else segments[-2]
        if unit_id in missing:
            owner_of[hamlet_id] = unit_id
    current = dict(
        session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(list(owner_of)))).tuples().all()
    )
    base: dict[int, Figures] = {uid: {} for uid in missing}
    counted = fig.registry_figures(session, current, period.start, period.end, catalog)
    for hamlet_id, figures in counted.items():
        fig.add(base[owner_of[hamlet_id]], figures)
    now = utcnow()
    rows = [
        {
            "definition_id": definition.id,
            "unit_id": uid,
            "period": period.key,
            "period_start": period.start,
            "period_end": period.end,
            "status": "draft",
            "figures": fig.compose(catalog, missing[uid].level, base[uid], {}),
            "entered": {},
            "missing_units": [],
            "computed_at": now,
            "created_by": caller.user_id,
        }
        for uid in missing
    ]
    created = list(session.scalars(insert(Report).returning(Report.id), rows)) if rows else []
    if created:
        session.execute(
            insert(ReportEvent),
            [
                {
                    "report_id": rid,
                    "action": "create",
                    "to_status": "draft",
                    "actor_id": caller.user_id,
                    "actor_username": caller.username,
                }
                for rid in created
            ],
        )
    audit(
        caller.actor,
        "prepare",
        "report",
        "allowed",
        unit_id=root.id,
        detail={"definition": definition.code, "period": period.key, "created": len(created)},
    )
    return PreparedOut(
        definition=definition.code,
        period=period.key,
        created=len(created),
        already_there=len(existing),
        report_ids=created,
    )
