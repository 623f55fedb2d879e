"""The statements of a consolidation run (``portal.reports.consolidation``), in SQL rather than in
Python loops. Each is built once (``functools.cache``) with bound parameters named ``p_*``: building
them was a third of a run's Python time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    Numeric,
    Select,
    Text,
    Update,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    literal,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by, insert

from portal.reports.models import ConsolidationRun, Contribution, Report, ReportDefinition, ReportEvent
from tenancy.models import Unit

LOCK_CLASS = 7301  # advisory lock namespace: one consolidating worker per report
ACTIVE = ("queued", "running")


@cache
def claim() -> Select[Any]:
    """The run with its report, unit and definition, and whether this worker took the report's lock
    (tried only while the run is active)."""
    mine = case(
        (
            ConsolidationRun.status.in_(ACTIVE),
            func.pg_try_advisory_lock(LOCK_CLASS, cast(ConsolidationRun.report_id, Integer)),
        ),
        else_=false(),
    )
    return (
        select(ConsolidationRun.status, Report, Unit, ReportDefinition, mine)
        .join(Report, Report.id == ConsolidationRun.report_id)
        .join(Unit, Unit.id == Report.unit_id)
        .join(ReportDefinition, ReportDefinition.id == Report.definition_id)
        .where(ConsolidationRun.id == bindparam("p_run_id"))
    )


@cache
def step(first: bool) -> Update:
    """One statement: what each of ``units`` contributes (their reports share-locked meanwhile), rows
    already counted at the same source version left alone, and the run's progress; returns the run's
    id, nothing when the run is no longer active. The first step also claims the run and drops the
    rows of units that are no longer sub-units (``subs``: all of them)."""
    report_id = bindparam("p_report_id", type_=BigInteger)
    sub = func.unnest(bindparam("p_units", type_=ARRAY(BigInteger))).table_valued("id").render_derived("sub")
    source = (  # each sub-unit's report by the unique key: its index, whatever the statistics say
        select(Report.id, Report.version, Report.status, Report.figures)
        .where(
            Report.definition_id == bindparam("p_definition_id"),
            Report.unit_id == sub.c.id,
            Report.period == bindparam("p_period"),
        )
        .with_for_update(read=True)
        .lateral("source")
    )
    rows = insert(Contribution).from_select(
        ["report_id", "unit_id", "source_report_id", "source_version", "source_status", "figures"],
        select(
            report_id,
            sub.c.id,
            source.c.id,
            source.c.version,
            source.c.status,
            case((source.c.status == "approved", source.c.figures)),
        ).select_from(sub.outerjoin(source, true())),
    )
    known = tuple_(Contribution.source_report_id, Contribution.source_version, Contribution.source_status)
    now = tuple_(rows.excluded.source_report_id, rows.excluded.source_version, rows.excluded.source_status)
    counted = rows.on_conflict_do_update(
        index_elements=["report_id", "unit_id"],
        set_={
            c: rows.excluded[c] for c in ("source_report_id", "source_version", "source_status", "figures")
        },
        where=known.is_distinct_from(now),  # counted already at this version: a resumed or repeated run
    ).cte("counted")
    progress: dict[str, Any] = {"done_units": bindparam("p_done")}
    stmt = update(ConsolidationRun)
    if first:
        progress |= {
            "status": "running",
            "attempts": ConsolidationRun.attempts + 1,
            "started_at": func.coalesce(
                ConsolidationRun.started_at, bindparam("p_now", type_=DateTime(timezone=True))
            ),
            "total_units": bindparam("p_total"),
        }
        stale = delete(Contribution).where(
            Contribution.report_id == report_id,
            Contribution.unit_id != func.all(bindparam("p_subs", type_=ARRAY(BigInteger))),
        )
        stmt = stmt.add_cte(stale.cte("stale"))
    return (
        stmt.add_cte(counted)
        .where(ConsolidationRun.id == bindparam("p_run_id"), ConsolidationRun.status.in_(ACTIVE))
        .values(progress)
        .returning(ConsolidationRun.id)
        .execution_options(synchronize_session=False)
    )


@cache
def totals() -> Select[Any]:
    """The report (locked) with the contributions' sum cell by cell as one JSON object
    ``{indicator: {cell: n}}``, the sub-units counted without figures in tree order as a JSON list,
    the run's options and the number of contributions."""
    report_id = bindparam("p_report_id", type_=BigInteger)
    indicator = func.jsonb_each(Contribution.figures).table_valued("key", "value").lateral("indicator")
    cell = func.jsonb_each_text(indicator.c.value).table_valued("key", "value").lateral("cell")
    per_cell = (
        select(
            indicator.c.key.label("code"),
            cell.c.key.label("cell"),
            func.sum(cast(cell.c.value, Numeric)).label("n"),
        )
        .select_from(Contribution)
        .join(indicator, true())
        .join(cell, true())
        .where(Contribution.report_id == report_id, Contribution.figures.is_not(None))
        .group_by(indicator.c.key, cell.c.key)
        .subquery()
    )
    per_code = (
        select(per_cell.c.code, func.jsonb_object_agg(per_cell.c.cell, per_cell.c.n).label("cells"))
        .group_by(per_cell.c.code)
        .subquery()
    )
    sums = select(func.jsonb_object_agg(per_code.c.code, per_code.c.cells)).scalar_subquery()
    entry = func.jsonb_build_object(
        "id",
        Unit.id,
        "code",
        Unit.code,
        "name",
        Unit.name,
        "status",
        func.coalesce(Contribution.source_status, "missing"),
    )
    missing = (
        select(func.jsonb_agg(aggregate_order_by(entry, Unit.path)))
        .select_from(Contribution)
        .join(Unit, Unit.id == Contribution.unit_id)
        .where(Contribution.report_id == report_id, Contribution.figures.is_(None))
        .scalar_subquery()
    )
    counted = select(func.count()).where(Contribution.report_id == report_id).scalar_subquery()
    return (
        select(Report.status, Report.entered, sums, missing)
        .add_columns(ConsolidationRun.with_missing, ConsolidationRun.requested_by, counted)
        .join(ConsolidationRun, ConsolidationRun.id == bindparam("p_run_id"))
        .where(Report.id == report_id)
        .with_for_update(of=Report)
    )


@cache
def written() -> Update:
    """The report's figures, its event and the run's end, in one statement."""
    now = bindparam("p_now", type_=DateTime(timezone=True))
    written = (
        update(Report)
        .where(Report.id == bindparam("p_report_id"))
        .values(
            figures=bindparam("p_figures", type_=JSONB),
            missing_units=bindparam("p_missing", type_=JSONB),
            consolidated_at=now,
            version=Report.version + 1,  # as service.touch
            updated_at=now,
        )
        .returning(Report.id, Report.status)
        .cte("written")
    )
    event = insert(ReportEvent).from_select(
        ["report_id", "action", "from_status", "to_status", "comment", "actor_id"],
        select(
            written.c.id,
            literal("consolidate"),
            written.c.status,
            written.c.status,
            bindparam("p_note", type_=Text),
            bindparam("p_actor", type_=BigInteger),
        ),
    )
    return (
        update(ConsolidationRun)
        .add_cte(written)
        .add_cte(event.cte("event"))
        .where(ConsolidationRun.id == bindparam("p_run_id"))
        .values(status="done", done_units=bindparam("p_total"), error=None, finished_at=now)
        .execution_options(synchronize_session=False)
    )
