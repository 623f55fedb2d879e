"""Report benchmark: one month of Hà Nội (1,000,000 children) consolidated hamlet -> commune ->
district -> province, through the same services and consolidation runs the worker executes.

    .venv/bin/python bench/bench_reports.py --reuse             # on the database bench_registry seeded
    .venv/bin/python bench/bench_reports.py --children 50000    # quick run on a fresh bench database

Steps, each timed: (A) every hamlet's draft counted from the registry in one query
(``prepare_drafts``, as a provincial caller); (B) the hand-entered hamlet cells filled in and every
hamlet approved in bulk SQL (stand-ins for people typing and clicking, not timed as consolidation);
(C) each commune: draft, its own cells, one consolidation run (``run_consolidation``, the code the
Celery task runs), approved; (D) the same for each district; (E) the province. The province's total
is checked against a direct count. Results go to bench/results/reports-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_registry import RESULTS, Timer, prepare_database  # noqa: E402

PROVINCE_CODE = "01"
COMMUNE_VALUES = {
    "abused_children": {"male": 1, "female": 0, "home": 1, "school": 0, "community": 0},
    "child_friendly": {"recognised": 1},
    "collaborators": {"in_place": 8, "trained": 7},
}


def hamlet_values() -> dict[str, dict[str, int]]:
    """What each hamlet types by hand (besides Action Month participants, set from its children)."""
    from portal.reports.catalog import zero_cells  # after the environment names the bench database

    return {
        "injuries": zero_cells("injuries") | {"fall": 1},
        "injury_deaths": {"drowning": 0, "other": 0},
        "water_points": {"listed": 2, "signed": 2, "fenced": 1},
    }


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--children", type=int, default=1_000_000, help="children to seed if the database is new")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--period", default="2025-06", help="the month to consolidate (pre-2025 structure)")
    p.add_argument("--db-url-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench")
    p.add_argument("--app-role", default="portal_app")
    p.add_argument("--reuse", action="store_true", help="keep an existing seeded bench database")
    p.add_argument("--parallel", type=int, default=1, help="units of a level consolidated at the same time")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args()


def caller_at(unit: Any, role: str) -> Any:
    from authz.caller import Caller
    from tenancy.resolve import scope_for

    return Caller(None, f"bench-{role}", "Bench", role, unit, scope_for(role, unit.path))  # type: ignore[arg-type]


def consolidate_one(unit: Any, role: str, period: str, values: dict[str, Any] | None) -> float:
    """Draft, own cells, one consolidation run and approval for one unit; seconds taken (not the approval)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine, scoped_session
    from portal.reports.consolidation import run_consolidation
    from portal.reports.models import ConsolidationRun
    from portal.reports.schemas import ReportCreate, ValuesIn
    from portal.reports.service import create_report, enter_values

    caller = caller_at(unit, role)
    started = time.perf_counter()
    with scoped_session(caller.scope) as session:
        report = create_report(
            session, caller, ReportCreate(definition="monthly", unit_id=unit.id, period=period)
        )
        if values:
            enter_values(session, caller, report.id, ValuesIn(values=values))
        run = ConsolidationRun(report_id=report.id, with_missing=False, requested_by=None)
        session.add(run)
        session.flush()
        run_id, report_id = run.id, report.id
    outcome = run_consolidation(run_id, caller.scope)
    took = time.perf_counter() - started
    assert outcome == "done", (unit.name, outcome)
    with Session(admin_engine()) as owner, owner.begin():  # the approver's click, as an owner statement
        owner.execute(text("UPDATE reports SET status = 'approved' WHERE id = :i"), {"i": report_id})
    return took


def consolidate_level(
    units: list[Any], role: str, period: str, values: dict[str, Any] | None, parallel: int
) -> list[float]:
    """Every unit of a level, ``parallel`` at a time (as several officers and workers would)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda u: consolidate_one(u, role, period, values), units))


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(samples),
        "total_s": round(sum(samples), 2),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def main() -> None:
    args = parse_args()
    from sqlalchemy.engine import make_url

    admin = make_url(args.db_url_admin)
    if "bench" not in (admin.database or ""):
        sys.exit(f"refusing to use database {admin.database!r}: its name must contain 'bench'")
    admin_url = admin.render_as_string(hide_password=False)
    os.environ["DATABASE_ADMIN_URL"] = admin_url
    os.environ["DATABASE_URL"] = admin.set(username=args.app_role, password=None).render_as_string(
        hide_password=False
    )
    os.environ.setdefault("CELERY_EAGER", "1")  # nothing here is sent to a broker
    database = prepare_database(args, admin_url)

    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    import portal.models  # noqa: F401
    from infra.db import admin_engine, scoped_session
    from portal.reports.bulk import prepare_drafts
    from portal.reports.catalog import load_catalog
    from portal.reports.figures import compose
    from portal.reports.figures import load_catalog as catalog_of
    from portal.reports.models import ReportDefinition
    from portal.reports.periods import parse
    from portal.reports.schemas import PrepareIn
    from tenancy.models import Unit
    from tenancy.structure import units_at_level_on

    period = parse("month", args.period)
    assert period is not None
    timer = Timer()
    with Session(admin_engine(), expire_on_commit=False) as owner:
        load_catalog(owner)
        province = owner.scalars(
            select(Unit)
            .where(Unit.level == "province", Unit.code == PROVINCE_CODE)
            .where((Unit.valid_from.is_(None)) | (Unit.valid_from <= period.end))
            .where((Unit.valid_to.is_(None)) | (Unit.valid_to > period.end))
        ).one()
        with timer.step("clear earlier bench reports of the period"):
            ids = f"SELECT id FROM reports WHERE period = '{period.key}'"
            for table in ("report_contributions", "report_events", "consolidation_runs", "report_documents"):
                owner.execute(text(f"DELETE FROM {table} WHERE report_id IN ({ids})"))
            owner.execute(text(f"DELETE FROM reports WHERE period = '{period.key}'"))
            owner.commit()
        communes = units_at_level_on(owner, province, period.end, "commune")
        districts = units_at_level_on(owner, province, period.end, "district")
        expected = owner.execute(
            text(
                "SELECT count(*) FROM children WHERE unit_path >= :p AND unit_path < :e "
                "AND status = 'active' "
                "AND date_of_birth <= :d AND date_of_birth > (:d - interval '16 years')::date"
            ),
            {"p": province.path, "e": province.path[:-1] + "0", "d": period.end},
        ).scalar_one()
        definition = owner.scalars(select(ReportDefinition).where(ReportDefinition.code == "monthly")).one()
        catalog = catalog_of(owner, definition)

    print(
        f"{province.name}: {len(districts)} districts, {len(communes)} communes, {expected} children",
        flush=True,
    )
    inspector = caller_at(province, "provincial_inspector")
    body = PrepareIn(definition="monthly", period=period.key)
    with (
        timer.step("A. every hamlet's draft counted from the registry (one query)"),
        scoped_session(inspector.scope) as session,
    ):
        prepared = prepare_drafts(session, inspector, province, body)
    with (
        timer.step("B. hamlet cells typed and approved (bulk SQL stand-in)"),
        Session(admin_engine()) as owner,
    ):
        rows = owner.execute(
            text("SELECT id, figures FROM reports WHERE id = ANY(:ids)"), {"ids": prepared.report_ids}
        ).all()
        updates, typed = [], hamlet_values()
        for rid, figures in rows:
            entered = {
                **typed,
                "action_month": {"participants": figures["children"]["total"] * 9 // 10},
            }
            updates.append(
                {
                    "i": rid,
                    "e": json.dumps(entered),
                    "f": json.dumps(compose(catalog, "hamlet", figures, entered)),
                }
            )
        owner.execute(
            text(
                "UPDATE reports SET entered = CAST(:e AS jsonb), figures = CAST(:f AS jsonb), "
                "status = 'approved', "
                "version = version + 1 WHERE id = :i"
            ),
            updates,
        )
        owner.commit()
    with timer.step(f"C. {len(communes)} commune consolidations"):
        per_commune = consolidate_level(communes, "ward_officer", period.key, COMMUNE_VALUES, args.parallel)
    with timer.step(f"D. {len(districts)} district consolidations"):
        per_district = consolidate_level(districts, "district_officer", period.key, None, args.parallel)
    with timer.step("E. province consolidation"):
        per_province = consolidate_level([province], "provincial_inspector", period.key, None, 1)
    with Session(admin_engine()) as owner:
        got = owner.execute(
            text("SELECT figures FROM reports WHERE unit_id = :u AND period = :p"),
            {"u": province.id, "p": period.key},
        ).scalar_one()
    assert got["children"]["total"] == expected, (got["children"]["total"], expected)
    consolidation_s = round(sum(v for k, v in timer.steps.items() if k[0] in "ACDE"), 1)
    result = {
        "date": date.today().isoformat(),
        "parallel": args.parallel,
        "period": period.key,
        "province": province.name,
        "children": expected,
        "hamlet_reports": prepared.created,
        "communes": len(communes),
        "districts": len(districts),
        "steps_s": timer.steps,
        "consolidation_total_s": consolidation_s,
        "per_commune": stats(per_commune),
        "per_district": stats(per_district),
        "province_s": round(per_province[0], 2),
        "province_children_total": got["children"]["total"],
        "database": database,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = (
        args.out / f"reports-{result['date']}"
        if args.parallel == 1
        else args.out / (f"reports-{result['date']}-parallel{args.parallel}")
    )
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        f"# Report consolidation, {result['province']}, {result['period']} ({result['date']}, "
        f"{args.parallel} at a time)",
        "",
        f"{expected:,} children, {prepared.created:,} hamlets, {len(communes)} communes, "
        f"{len(districts)} districts.",
        "",
        "| step | seconds |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in timer.steps.items()],
        "",
        f"Consolidation (A + C + D + E): **{consolidation_s} s**. "
        f"Per commune: p50 {result['per_commune']['p50_ms']} ms, "
        f"p95 {result['per_commune']['p95_ms']} ms; per district: p50 {result['per_district']['p50_ms']} ms; "
        f"province: {result['province_s']} s. The province's total equals a direct count ({expected:,}).",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
