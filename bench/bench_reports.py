"""Report benchmark: one month of Hà Nội (1,000,000 children) consolidated hamlet -> commune ->
district -> province, through the same services and consolidation runs the worker executes.

    .venv/bin/python bench/bench_reports.py --reuse             # on the database bench_registry seeded
    .venv/bin/python bench/bench_reports.py --children 50000    # quick run on a fresh bench database
    .venv/bin/python bench/bench_reports.py --reuse --celery    # C, D and E through a real Celery worker

Steps, each timed: (A) every hamlet's draft counted from the registry in one query
(``prepare_drafts``, as a provincial caller); (B) the hand-entered hamlet cells filled in and every
hamlet approved in bulk SQL (stand-ins for people typing and clicking, not timed as consolidation);
(C) each commune: draft, its own cells, one consolidation run (``run_consolidation``, the code the
Celery task runs), approved; (D) the same for each district; (E) the province. The province's total
is checked against a direct count. Results go to bench/results/reports-<date>.{json,md}.

With ``--celery`` steps C, D and E run as production runs them: each officer's request (draft, own
cells, ``request_consolidation``, which queues the task after its commit) is made here, ``--parallel``
at a time, and the consolidations are done by one Celery worker started as ``make run`` starts it
(``--concurrency=2``: two worker processes) on a queue of its own (``--broker``, Redis by default).
Each unit's request is made by an account of its own at the unit (``bench-<role>-<unit id>``, created
if missing, no usable password), as the worker runs the task as its requester.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_registry import RESULTS, Timer, prepare_database  # noqa: E402

PROVINCE_CODE = "01"
COMMUNE_VALUES = {  # June: the Children's Forum and the month against domestic violence too
    "birth_registrations": {"total": 4, "on_time": 3},
    "abused_children": {"male": 1, "female": 0, "0-5": 0, "6-9": 1, "10-13": 0, "14-15": 0}
    | {"home": 1, "school": 0, "community": 0},
    "child_friendly": {"recognised": 1},
    "facilities": {"facilities": 1, "children_in_care": 10, "inspected": 1},
    "children_forum": {"forums": 1, "participants": 30, "proposals": 5},
    "dv_month": {"events": 2, "participants": 60},
}


def hamlet_values() -> dict[str, dict[str, int]]:
    """What each hamlet types by hand in June (besides the campaigns' participants, set from its children)."""
    from portal.reports.catalog import zero_cells  # after the environment names the bench database

    return {
        "injuries": zero_cells("injuries") | {"fall": 1, "male": 1, "6-9": 1, "home": 1},
        "injury_deaths": zero_cells("injury_deaths"),
        "injury_disabilities": zero_cells("injury_disabilities"),
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
    p.add_argument(
        "--celery", action="store_true", help="consolidate through a Celery worker as `make run` starts it"
    )
    p.add_argument(
        "--broker",
        default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        help="broker of the --celery worker (its queue is the bench's own)",
    )
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args()


def caller_at(unit: Any, role: str) -> Any:
    from authz.caller import Caller
    from tenancy.resolve import scope_for

    return Caller(None, f"bench-{role}", "Bench", role, unit, scope_for(role, unit.path))  # type: ignore[arg-type]


def draft(session: Any, caller: Any, unit_id: int, period: str, values: dict[str, Any] | None) -> int:
    """The officer's draft of the unit with its own cells; the report id."""
    from portal.reports.schemas import ReportCreate, ValuesIn
    from portal.reports.service import create_report, enter_values

    report = create_report(
        session, caller, ReportCreate(definition="monthly", unit_id=unit_id, period=period)
    )
    if values:
        enter_values(session, caller, report.id, ValuesIn(values=values))
    return int(report.id)


def consolidate_one(unit: Any, role: str, period: str, values: dict[str, Any] | None) -> float:
    """Draft, own cells, one consolidation run and approval for one unit; seconds taken (not the approval)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine, scoped_session
    from portal.reports.consolidation import run_consolidation
    from portal.reports.models import ConsolidationRun

    caller = caller_at(unit, role)
    started = time.perf_counter()
    with scoped_session(caller.scope) as session:
        report_id = draft(session, caller, unit.id, period, values)
        run = ConsolidationRun(report_id=report_id, with_missing=False, requested_by=None)
        session.add(run)
        session.flush()
        run_id = run.id
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


def accounts(units: list[Any], role: str) -> dict[int, str]:
    """An account of ``role`` at each unit (created if missing, no usable password) with a live bearer
    token, as a logged-in officer has: unit id -> token."""
    from bench_database import tokens_for
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine()) as owner, owner.begin():
        rows = owner.execute(
            text(
                "INSERT INTO users (username, full_name, password_hash, role, unit_id, is_active) "
                "SELECT 'bench-' || :role || '-' || u, 'Bench ' || :role, '!', :role, u, true "
                "FROM unnest(CAST(:units AS bigint[])) AS u "
                "ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, unit_id = EXCLUDED.unit_id, "
                "is_active = true RETURNING unit_id, id"
            ),
            {"role": role, "units": [u.id for u in units]},
        ).all()
    tokens = tokens_for([int(user_id) for _, user_id in rows])
    return {int(unit_id): tokens[int(user_id)] for unit_id, user_id in rows}


def own_connections() -> None:
    """In a forked request process: connections of its own, never the parent's."""
    from infra.db import admin_engine, app_engine

    app_engine().dispose(close=False)
    admin_engine().dispose(close=False)


def request_one(unit_id: int, token: str, period: str, values: dict[str, Any] | None) -> int:
    """The officer's requests: draft, own cells, and ``POST /reports/{id}/consolidate`` (the task is sent
    once the request commits), in one unit of work as a web request has it (the token checked in its
    first message, the audit rows sent with its COMMIT); the run id."""
    from bench_database import as_request

    from portal.reports.consolidation import request_consolidation
    from portal.reports.schemas import ConsolidateIn

    with as_request(token) as (session, caller):
        report_id = draft(session, caller, unit_id, period, values)
        run = request_consolidation(session, caller, report_id, ConsolidateIn(with_missing=False))
    return int(run.id)


def consolidate_level_by_workers(
    units: list[Any], role: str, period: str, values: dict[str, Any] | None, parallel: int
) -> list[float]:
    """Every unit of a level requested (by ``parallel`` processes, as officers' requests reach several
    web processes) and consolidated by the Celery worker; waits for every run to end, then approves
    the reports. Seconds each run took in the worker."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    tokens = accounts(units, role)
    fork = multiprocessing.get_context("fork")
    ids = [u.id for u in units]
    with ProcessPoolExecutor(max_workers=parallel, mp_context=fork, initializer=own_connections) as pool:
        runs = list(
            pool.map(request_one, ids, [tokens[i] for i in ids], [period] * len(ids), [values] * len(ids))
        )
    ended = text(
        "SELECT status, extract(epoch FROM finished_at - started_at) FROM consolidation_runs "
        "WHERE id = ANY(:ids) AND status NOT IN ('queued', 'running')"
    )
    deadline = time.monotonic() + 600
    with Session(admin_engine()) as owner:
        while True:
            rows = owner.execute(ended, {"ids": runs}).all()
            owner.rollback()
            if len(rows) == len(runs):
                break
            assert time.monotonic() < deadline, f"{len(runs) - len(rows)} runs not finished in 600 s"
            time.sleep(0.05)
        assert all(status == "done" for status, _ in rows), {status for status, _ in rows}
        owner.execute(
            text(
                "UPDATE reports SET status = 'approved' "
                "WHERE id IN (SELECT report_id FROM consolidation_runs WHERE id = ANY(:ids))"
            ),
            {"ids": runs},
        )
        owner.commit()
    return [float(took) for _, took in rows]


@contextlib.contextmanager
def celery_worker(broker: str) -> Iterator[str]:
    """One Celery worker as `make run` starts it (``--concurrency=2``) on the bench's own queue (set in
    the environment by ``main``); the queue."""
    import subprocess
    import tempfile

    from infra.broker import celery_app
    from infra.processes import stop_process, worker_command

    queue = os.environ["CELERY_QUEUE"]
    sender = celery_app().conf  # what the requests send through: the same broker and queue
    assert (sender.broker_url, sender.task_default_queue) == (broker, queue), (sender.broker_url, queue)
    log = Path(tempfile.mkdtemp(prefix="bench-worker-")) / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            worker_command("--concurrency=2", f"--hostname={queue}@%h"),
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[
                -3000:
            ]
            time.sleep(0.1)
        print(f"worker ready on {broker} queue {queue} (log {log})", flush=True)
        yield queue
    finally:
        stop_process(proc)


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
    from bench_database import bench_urls

    admin_url, _ = bench_urls(args.db_url_admin, args.app_role)
    if args.celery:  # before anything reads the settings: the requests send to the bench worker's queue
        os.environ.update(
            CELERY_BROKER_URL=args.broker, CELERY_QUEUE=f"bench-consol-{os.getpid()}", CELERY_EAGER="0"
        )
        if not args.broker.startswith("redis"):
            os.environ.pop("CELERY_RESULT_BACKEND", None)
    else:
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
                "children_day": {"participants": figures["children"]["total"] * 9 // 10, "gifted": 0},
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
    with contextlib.ExitStack() as stack:
        level = consolidate_level
        if args.celery:
            stack.enter_context(celery_worker(args.broker))
            level = consolidate_level_by_workers
        with timer.step(f"C. {len(communes)} commune consolidations"):
            per_commune = level(communes, "ward_officer", period.key, COMMUNE_VALUES, args.parallel)
        with timer.step(f"D. {len(districts)} district consolidations"):
            per_district = level(districts, "district_officer", period.key, None, args.parallel)
        with timer.step("E. province consolidation"):
            per_province = level([province], "provincial_inspector", period.key, None, 1)
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
        "mode": "one Celery worker, --concurrency=2" if args.celery else "in-process",
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
    mode = "-celery" if args.celery else ""
    stem = args.out / (
        f"reports-{result['date']}{mode}" + ("" if args.parallel == 1 else f"-parallel{args.parallel}")
    )
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        f"# Report consolidation, {result['province']}, {result['period']} ({result['date']}, "
        f"{args.parallel} at a time, {result['mode']})",
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
        "",
        (
            "Steps C-E: the officers' requests made here, the runs done by one Celery worker "
            "(`--concurrency=2`); per unit is a run's time in the worker (started to finished)."
            if args.celery
            else "Steps C-E in-process; per unit is the draft, cells and run together."
        ),
    ]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
