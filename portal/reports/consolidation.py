"""Consolidating a report from its sub-units' reports, as a resumable, idempotent worker run.

A run walks the sub-units the unit had on the period's last day (so a merged or moved unit is
counted where its hamlets were then) in committed steps. Each step replaces one contribution row
per sub-unit: the approved figures, or a "missing" marker. The report's figures are then the sum
of the contribution rows, recomputed from scratch. Running twice, or resuming a run whose worker
died, therefore cannot count a sub-unit twice; rows already counted at the same version are skipped.
Only one worker works on a report at a time (a PostgreSQL advisory lock held by the worker's
connection, released by the server when that worker dies).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.after_commit import send_after_commit
from infra.clock import utcnow
from infra.db import app_engine, scoped_session
from infra.errors import Conflict, NotVisible
from infra.settings import get_settings
from portal.audit.service import record as audit
from portal.reports import figures as fig
from portal.reports.access import get_report, require_owner
from portal.reports.models import (
    ConsolidationRun,
    Contribution,
    Figures,
    Report,
    ReportDefinition,
    ReportEvent,
)
from portal.reports.schemas import ConsolidateIn
from portal.reports.service import EDITABLE, touch
from tenancy.models import Unit
from tenancy.scope import Scope
from tenancy.structure import children_on

TASK = "tasks.reports.consolidate"
LOCK_CLASS = 7301  # advisory lock namespace: one consolidating worker per report
ACTIVE = ("queued", "running")


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
def exclusive(report_id: int) -> Iterator[bool]:
    """Whether this worker holds the report's consolidation lock (held until the block ends)."""
    with app_engine().connect() as conn:
        got = conn.execute(select(func.pg_try_advisory_lock(LOCK_CLASS, report_id))).scalar_one()
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(select(func.pg_advisory_unlock(LOCK_CLASS, report_id)))
                conn.commit()


def run_consolidation(run_id: int, scope: Scope) -> str:
    """Carry a run to its end; safe to call again on the same run at any point."""
    with scoped_session(scope) as session:
        run = session.get(ConsolidationRun, run_id)
        if run is None:
            return "not visible"
        if run.status not in ACTIVE:
            return run.status
        report_id = run.report_id
    with exclusive(report_id) as mine:
        if not mine:
            return "busy"  # another worker is on it
        with scoped_session(scope) as session:
            run = session.get(ConsolidationRun, run_id, with_for_update=True)
            assert run is not None
            if run.status not in ACTIVE:
                return run.status
            report = session.get(Report, report_id)
            assert report is not None
            unit = session.get(Unit, report.unit_id)
            assert unit is not None
            subs = [u.id for u in children_on(session, unit, report.period_end)]
            run.status, run.attempts, run.done_units = "running", run.attempts + 1, 0
            run.started_at, run.total_units = run.started_at or utcnow(), len(subs)
            session.execute(
                delete(Contribution).where(
                    Contribution.report_id == report_id, Contribution.unit_id.notin_(subs)
                )
            )
            key = (report.definition_id, report.period)
        step = get_settings().consolidation_chunk
        for i in range(0, len(subs), step):
            with scoped_session(scope) as session:
                _count(session, report_id, key, subs[i : i + step])
                session.execute(
                    update(ConsolidationRun)
                    .where(ConsolidationRun.id == run_id)
                    .values(done_units=min(i + step, len(subs)))
                )
        with scoped_session(scope) as session:
            return _finish(session, run_id, report_id)


def _count(session: Session, report_id: int, key: tuple[int, str], units: list[int]) -> None:
    """Record what each of ``units`` contributes; their reports are share-locked meanwhile."""
    definition_id, period = key
    sources = {
        r.unit_id: r
        for r in session.scalars(
            select(Report)
            .where(Report.definition_id == definition_id, Report.period == period, Report.unit_id.in_(units))
            .with_for_update(read=True)
        )
    }
    known = {
        c.unit_id: (c.source_report_id, c.source_version, c.source_status)
        for c in session.scalars(
            select(Contribution).where(Contribution.report_id == report_id, Contribution.unit_id.in_(units))
        )
    }
    rows = []
    for uid in units:
        src = sources.get(uid)
        now = (src.id, src.version, src.status) if src is not None else (None, None, None)
        if known.get(uid) == now:
            continue  # counted already at this version (a resumed or repeated run)
        approved = src is not None and src.status == "approved"
        rows.append(
            {
                "report_id": report_id,
                "unit_id": uid,
                "source_report_id": now[0],
                "source_version": now[1],
                "source_status": now[2],
                "figures": src.figures if src is not None and approved else None,
            }
        )
    if rows:
        stmt = insert(Contribution).values(rows)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["report_id", "unit_id"],
                set_={
                    c: stmt.excluded[c]
                    for c in ("source_report_id", "source_version", "source_status", "figures")
                },
            )
        )


def _finish(session: Session, run_id: int, report_id: int) -> str:
    run = session.get(ConsolidationRun, run_id, with_for_update=True)
    report = session.get(Report, report_id, with_for_update=True)
    assert run is not None and report is not None
    unit = session.get(Unit, report.unit_id)
    definition = session.get(ReportDefinition, report.definition_id)
    assert unit is not None and definition is not None
    rows = (
        session.execute(
            select(Contribution, Unit)
            .join(Unit, Unit.id == Contribution.unit_id)
            .where(Contribution.report_id == report_id)
            .order_by(Unit.path)
        )
        .tuples()
        .all()
    )
    missing: list[dict[str, Any]] = [
        {"id": u.id, "code": u.code, "name": u.name, "status": c.source_status or "missing"}
        for c, u in rows
        if c.figures is None
    ]
    problem = None
    if report.status not in EDITABLE:
        problem = f"the report was {report.status} meanwhile; nothing changed"
    elif missing and not run.with_missing:
        problem = "not approved any more: " + ", ".join(m["name"] for m in missing)
    if problem:
        run.status, run.error, run.finished_at = "failed", problem, utcnow()
        return "failed"
    base: Figures = {}
    for c, _u in rows:
        if c.figures is not None:
            fig.add(base, c.figures)
    catalog = fig.load_catalog(session, definition)
    report.figures = fig.compose(catalog, unit.level, base, report.entered)
    report.missing_units = missing
    report.consolidated_at = utcnow()
    touch(report)
    session.add(_system_event(report, run))
    run.status, run.done_units, run.error, run.finished_at = "done", len(rows), None, utcnow()
    return "done"


def _system_event(report: Report, run: ConsolidationRun) -> ReportEvent:
    note = f"run {run.id}: {len(report.missing_units)} sub-unit(s) missing" if report.missing_units else None
    return ReportEvent(
        report_id=report.id,
        action="consolidate",
        from_status=report.status,
        to_status=report.status,
        comment=note,
        actor_id=run.requested_by,
    )
