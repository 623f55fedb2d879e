"""Consolidating a report from its sub-units' reports, as a resumable, idempotent worker run.

A run walks the sub-units the unit had on the period's last day (so a merged or moved unit is
counted where its hamlets were then) in committed steps. Each step replaces one contribution row
per sub-unit: the approved figures, or a "missing" marker. The report's figures are then the sum
of the contribution rows, recomputed from scratch. Running twice, or resuming a run whose worker
died, therefore cannot count a sub-unit twice; rows already counted at the same version are skipped.
Only one worker works on a report at a time (a PostgreSQL advisory lock held by the worker's
connection, released by the server when that worker dies).

The work is done in SQL on that one connection: a step is one INSERT ... SELECT ... ON CONFLICT DO
UPDATE (only where the source's version differs) that also records the progress, the sum is added up
cell by cell in the database, and the report, its event and the run's end are written in one
statement. The last step commits together with the sum, so a commune (one step of at most
``consolidation_chunk`` hamlets) is one transaction of eight statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.after_commit import send_after_commit
from infra.clock import utcnow
from infra.db import app_engine, new_session
from infra.errors import Conflict, NotVisible
from infra.settings import get_settings
from portal.audit.service import record as audit
from portal.reports import consolidation_sql as sql
from portal.reports import figures as fig
from portal.reports.access import get_report, require_owner
from portal.reports.consolidation_sql import ACTIVE, LOCK_CLASS
from portal.reports.models import ConsolidationRun, Report, ReportDefinition
from portal.reports.schemas import ConsolidateIn
from portal.reports.service import EDITABLE
from tenancy.models import Unit
from tenancy.scope import Scope
from tenancy.structure import children_on

TASK = "tasks.reports.consolidate"


class NotApprovedYet(Conflict):
    pass


def sub_unit_statuses(session: Session, report: Report, unit: Unit) -> list[dict[str, Any]]:
    """Each sub-unit on the period's last day with the status of its report for the period."""
    subs = children_on(session, unit, report.period_end)
    reports = {
        r.unit_id: r
        for r in session.scalars(
            select(Report).where(
                Report.definition_id == report.definition_id,
                Report.period == report.period,
                Report.unit_id.in_([u.id for u in subs]),
            )
        )
    }
    return [
        {
            "unit": u.ref(),
            "report_id": reports[u.id].id if u.id in reports else None,
            "status": reports[u.id].status if u.id in reports else "missing",
            "version": reports[u.id].version if u.id in reports else None,
        }
        for u in subs
    ]


def request_consolidation(
    session: Session, caller: Caller, report_id: int, body: ConsolidateIn
) -> ConsolidationRun:
    """Queue a run (or hand back the one in progress, sending it again in case its worker died)."""
    report, definition, unit = get_report(session, caller, report_id, "consolidate", lock=True)
    require_owner(caller, unit, "consolidate")
    with_missing = body.with_missing
    if unit.level == definition.lowest_level:
        raise Conflict("a lowest-level report is counted from the registry, not consolidated")
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}: figures are locked")
    subs = sub_unit_statuses(session, report, unit)
    if not subs:
        raise Conflict(f"{unit.name} had no sub-units on {report.period_end:%d/%m/%Y}")
    pending = [s for s in subs if s["status"] != "approved"]
    if pending and not with_missing:
        error = NotApprovedYet(
            f"{len(pending)} of {len(subs)} sub-units are not approved yet: wait, or consolidate with "
            "with_missing=true (they will be listed as missing)"
        )
        error.extra["units"] = [
            {"id": s["unit"]["id"], "name": s["unit"]["name"], "status": s["status"]} for s in pending
        ]
        raise error
    run = session.scalar(
        select(ConsolidationRun).where(
            ConsolidationRun.report_id == report.id, ConsolidationRun.status.in_(ACTIVE)
        )
    )
    if run is None:
        run = ConsolidationRun(
            report_id=report.id, with_missing=with_missing, total_units=len(subs), requested_by=caller.user_id
        )
        session.add(run)
        session.flush()
        session.refresh(run, ["requested_at", "done_units", "attempts", "status"])
    send_after_commit(session, TASK, run.id, caller.user_id)
    audit(
        caller.actor,
        "consolidate",
        "report",
        "allowed",
        resource_ids=[report.id],
        unit_id=unit.id,
        detail={"run": run.id, "with_missing": with_missing},
    )
    return run


def get_run(session: Session, caller: Caller, run_id: int) -> ConsolidationRun:
    run = session.get(ConsolidationRun, run_id)
    if run is None:
        raise NotVisible("consolidation not found", resource="report", action="read", resource_ids=[run_id])
    get_report(session, caller, run.report_id)
    return run


@contextmanager
def _held(scope: Scope) -> Iterator[tuple[Session, Connection]]:
    """A session scoped to ``scope`` whose transactions all run on one connection, the one that holds
    the report's advisory lock; and that connection. On an error the connection is dropped, so the
    server ends the transaction and releases the lock with it (as when the worker dies)."""
    with app_engine().connect() as conn:
        session = new_session(scope)
        session.bind = conn
        try:
            yield session, conn
        except BaseException:
            conn.invalidate()
            raise
        finally:
            session.close()


def run_consolidation(run_id: int, scope: Scope) -> str:
    """Carry a run to its end; safe to call again on the same run at any point.

    A commune's run is one transaction of eight statements: the run with its report, unit and
    definition (taking the lock), the sub-units (two), one per step, and three to finish."""
    with _held(scope) as (session, conn):
        found = session.execute(sql.claim(), {"p_run_id": run_id}).one_or_none()
        if found is None:
            return "not visible"
        status, report, unit, definition, locked = found
        if status not in ACTIVE:
            return str(status)
        if not locked:
            return "busy"  # another worker is on it
        outcome = _carry(session, run_id, report, unit, definition)
        conn.execute(select(func.pg_advisory_unlock(LOCK_CLASS, report.id)))
        conn.commit()
        return outcome


def _carry(session: Session, run_id: int, report: Report, unit: Unit, definition: ReportDefinition) -> str:
    """Count the sub-units in committed steps, the last one together with the finish."""
    subs = [u.id for u in children_on(session, unit, report.period_end)]
    size = get_settings().consolidation_chunk
    steps = [subs[i : i + size] for i in range(0, len(subs), size)] or [[]]
    for number, units in enumerate(steps):
        params = {
            "p_run_id": run_id,
            "p_report_id": report.id,
            "p_definition_id": report.definition_id,
            "p_period": report.period,
            "p_units": units,
            "p_done": min((number + 1) * size, len(subs)),
        }
        if number == 0:
            params |= {"p_subs": subs, "p_total": len(subs), "p_now": utcnow()}
        if session.execute(sql.step(first=number == 0), params).first() is None:
            status = session.scalar(select(ConsolidationRun.status).where(ConsolidationRun.id == run_id))
            session.rollback()  # finished meanwhile by the worker that held the lock before
            return str(status)
        if number < len(steps) - 1:
            session.commit()
    outcome = _finish(session, run_id, report.id, unit, definition)
    session.commit()
    return outcome


def _finish(session: Session, run_id: int, report_id: int, unit: Unit, definition: ReportDefinition) -> str:
    """The report's figures: the contributions' sum (in SQL, the report locked) composed with what was
    entered at the unit, written with its event and the run's end in one statement."""
    ids = {"p_run_id": run_id, "p_report_id": report_id}
    status, entered, base, missing, with_missing, requested_by, total = session.execute(
        sql.totals(), ids
    ).one()
    missing = missing or []
    problem = None
    if status not in EDITABLE:
        problem = f"the report was {status} meanwhile; nothing changed"
    elif missing and not with_missing:
        problem = "not approved any more: " + ", ".join(m["name"] for m in missing)
    now = utcnow()
    if problem:
        session.execute(
            update(ConsolidationRun)
            .where(ConsolidationRun.id == run_id)
            .values(status="failed", error=problem, finished_at=now)
        )
        return "failed"
    report = session.get(Report, report_id)
    assert report is not None
    catalog = fig.for_report(session, definition, report)
    figures = fig.compose(catalog, unit.level, base or {}, entered)
    note = f"run {run_id}: {len(missing)} sub-unit(s) missing" if missing else None
    session.execute(
        sql.written(),
        ids
        | {"p_figures": figures, "p_missing": missing, "p_now": now, "p_note": note, "p_actor": requested_by}
        | {"p_total": total},
    )
    return "done"
