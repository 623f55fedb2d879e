"""Registry benchmark: a province-wide seeded database, the real app over HTTP, latency per caller.

    .venv/bin/python bench/bench_registry.py                    # 1,000,000 children (several minutes)
    .venv/bin/python bench/bench_registry.py --children 50000   # quick run
    .venv/bin/python bench/bench_registry.py --reuse            # keep an already seeded bench database

Steps: (1) create a dedicated database (dropped first unless --reuse), migrate, load official
units and reference data, ``seed_demo(province_wide=True)``, VACUUM ANALYZE; (2) start uvicorn
with the application role; (3) create a collaborator (a hamlet of Phường Yên Sở), a ward officer
(Yên Sở) and a provincial inspector (Hà Nội) and log them in; (4) time sequential requests;
(5) EXPLAIN (ANALYZE, BUFFERS) the SQL behind them as the application role with the caller's scope;
write bench/results/registry-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))
from infra.processes import stop_process, web_command  # noqa: E402

WARD_CODE = "00340"  # Phường Yên Sở (Quận Hoàng Mai), pre-2025
PROVINCE_CODE = "01"  # Thành phố Hà Nội, pre-2025
PASSWORD = "bench-password-2024"
USERS = {  # username: (role, which unit)
    "bench-collab": ("collaborator", "hamlet"),
    "bench-officer": ("ward_officer", "ward"),
    "bench-inspector": ("provincial_inspector", "province"),
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--children", type=int, default=1_000_000, help="children to seed (province-wide)")
    p.add_argument("--seed", type=int, default=2024, help="random seed of the demo data")
    p.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    p.add_argument(
        "--province-requests",
        type=int,
        default=200,
        help="timed requests for the province stats and dashboard",
    )
    p.add_argument("--warmup", type=int, default=10, help="untimed requests before each scenario")
    p.add_argument(
        "--db-url-admin",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench",
        help="owner/superuser URL of the bench database (its name must contain 'bench')",
    )
    p.add_argument("--app-role", default="portal_app", help="application role (must not own the tables)")
    p.add_argument("--reuse", action="store_true", help="keep an existing seeded bench database")
    p.add_argument("--port", type=int, default=0, help="uvicorn port (default: a free one)")
    p.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON and Markdown results")
    return p.parse_args()


# --------------------------------------------------------------------------- helpers


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def summary(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    n = len(s)
    return {
        "n": n,
        "p50_ms": ms(statistics.median(s)),
        "p95_ms": ms(s[max(0, math.ceil(0.95 * n) - 1)]),
        "max_ms": ms(s[-1]),
        "mean_ms": ms(statistics.fmean(s)),
        "min_ms": ms(s[0]),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Timer:
    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Any:
        started = time.perf_counter()
        print(f"  {name} ...", flush=True)
        yield
        self.steps[name] = round(time.perf_counter() - started, 2)
        print(f"  {name}: {self.steps[name]:.1f}s", flush=True)


# --------------------------------------------------------------------------- 1. database


def prepare_database(args: argparse.Namespace, admin_url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    from infra.bootstrap import drop_database, ensure_database, migrate
    from infra.db import admin_engine

    url = make_url(admin_url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = bool(
            conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).scalar()
        )
    server.dispose()

    timer = Timer()
    seeded = False
    if exists and args.reuse:
        with Session(admin_engine()) as s:
            seeded = bool(
                s.execute(text("SELECT to_regclass('public.children') IS NOT NULL")).scalar()
            ) and bool(s.execute(text("SELECT EXISTS (SELECT FROM children)")).scalar())
    if seeded:
        print(f"reusing seeded database {url.database}", flush=True)
        with Session(admin_engine()) as s:
            comment = s.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = current_database()"
                )
            ).scalar()
        previous = json.loads(comment) if comment and comment.startswith("{") else {}
        with timer.step("migrate"):
            migrate(admin_url)  # no-op when at head
        with timer.step("report catalogue and statistics layer (when missing)"):
            _catalogue_and_layer(only_if_missing=True)
        return {
            "reused": True,
            "seeding": previous.get("seeding", {}),
            "seeded_with": previous.get("seeded_with"),
            "steps_this_run": timer.steps,
        }

    print(f"creating database {url.database}", flush=True)
    if exists:
        with timer.step("drop database"):
            drop_database(admin_url)
    from portal.demo.seed import seed_demo
    from portal.registry.reference import load_reference
    from tenancy.load import load_official_units

    with timer.step("create database"):
        ensure_database(admin_url)
    with timer.step("migrate"):
        migrate(admin_url)
    report = None
    with Session(admin_engine()) as session:
        with timer.step("load official units"):
            units = load_official_units(session)
        with timer.step("load reference data"):
            refs = load_reference(session)
        with timer.step(f"seed_demo (province-wide, {args.children} children)"):
            report = seed_demo(session, seed=args.seed, children=args.children, province_wide=True)
        with timer.step("commit"):
            session.commit()
    with timer.step("report catalogue and statistics layer rebuild"):
        _catalogue_and_layer(only_if_missing=False)
    vacuum = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with timer.step("VACUUM ANALYZE"), vacuum.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    vacuum.dispose()
    seeding = {
        "steps_s": timer.steps,
        "total_s": round(sum(v for k, v in timer.steps.items() if k != "drop database"), 2),
        "units_added": units,
        "reference_codes": refs,
        "hamlets_created": report.hamlets_created,
        "children_created": report.children_created,
    }
    meta = {
        "seeding": seeding,
        "seeded_with": {
            "children": args.children,
            "seed": args.seed,
            "at": datetime.now().isoformat(timespec="seconds"),
        },
    }
    with admin_engine().begin() as conn:  # remembered for --reuse runs
        literal = json.dumps(meta, ensure_ascii=False).replace("'", "''")
        conn.execute(text(f"COMMENT ON DATABASE \"{url.database}\" IS '{literal}'"))
    return {"reused": False, **meta}


def context_counts(province_path: str, ward_path: str, hamlet_path: str) -> dict[str, Any]:
    from sqlalchemy import text

    from infra.db import admin_engine
    from tenancy.scope import subtree_end

    q = {
        "children": "SELECT count(*) FROM children",
        "children_active": "SELECT count(*) FROM children WHERE status = 'active'",
        "child_periods": "SELECT count(*) FROM child_periods",
        "guardians": "SELECT count(*) FROM guardians",
        "communes_in_province": "SELECT count(*) FROM units WHERE level = 'commune' AND valid_from IS NULL "
        "AND path >= :p AND path < :pe",
        "hamlets_in_province": "SELECT count(*) FROM units WHERE level = 'hamlet' "
        "AND path >= :p AND path < :pe",
        "hamlets_in_ward": "SELECT count(*) FROM units WHERE level = 'hamlet' AND path >= :w AND path < :we",
        "children_in_ward": "SELECT count(*) FROM children WHERE unit_path >= :w AND unit_path < :we",
        "children_in_hamlet": "SELECT count(*) FROM children WHERE unit_path >= :h AND unit_path < :he",
        "database_size": "SELECT pg_size_pretty(pg_database_size(current_database()))",
    }
    params = {
        "p": province_path,
        "pe": subtree_end(province_path),
        "w": ward_path,
        "we": subtree_end(ward_path),
        "h": hamlet_path,
        "he": subtree_end(hamlet_path),
    }
    with admin_engine().connect() as conn:
        return {k: conn.execute(text(sql), params).scalar() for k, sql in q.items()}


# --------------------------------------------------------------------------- 3. users


def ensure_bench_users() -> dict[str, Any]:
    """Owner session, like tests/support.make_user; a second run resets role, unit and password."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    import portal.models  # noqa: F401 - all mappers
    from infra.db import admin_engine
    from portal.auth.models import LoginThrottle, User
    from portal.auth.passwords import hash_password
    from tenancy.models import Unit
    from tenancy.service import unit_by_code

    with Session(admin_engine(), expire_on_commit=False) as owner:
        province = unit_by_code(owner, "province", PROVINCE_CODE)
        ward = unit_by_code(owner, "commune", WARD_CODE)
        assert province is not None and ward is not None, "official units missing"
        hamlet = owner.scalars(
            select(Unit).where(Unit.parent_id == ward.id, Unit.level == "hamlet").order_by(Unit.id).limit(1)
        ).first()
        assert hamlet is not None, "Yên Sở has no hamlets: was seed_demo run?"
        units = {"hamlet": hamlet, "ward": ward, "province": province}
        password_hash = hash_password(PASSWORD)
        for username, (role, which) in USERS.items():
            user = owner.scalars(select(User).where(User.username == username)).one_or_none()
            if user is None:
                owner.add(
                    User(
                        username=username,
                        full_name=f"Bench {username}",
                        password_hash=password_hash,
                        role=role,
                        unit_id=units[which].id,
                        is_active=True,
                    )
                )
            else:
                user.role, user.unit_id, user.is_active = role, units[which].id, True
                user.password_hash = password_hash
        owner.execute(delete(LoginThrottle).where(LoginThrottle.username.in_(list(USERS))))
        owner.commit()
        return {k: {"id": u.id, "name": u.name, "path": u.path} for k, u in units.items()}


# --------------------------------------------------------------------------- 2. the app


def start_app(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    command = web_command("127.0.0.1", port, "--log-level", "warning", workers=1)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited ({proc.returncode}):\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(httpx.HTTPError):
            r = httpx.get(f"{base}/health", timeout=2)
            if r.status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"/health not ready after {timeout}s:\n{log_path.read_text(errors='replace')[-4000:]}")


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    stop_process(proc)


# --------------------------------------------------------------------------- 4. measurements


def login(client: Any, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def measure(
    client: Any, url: str, headers: dict[str, str], n: int, warmup: int
) -> tuple[dict[str, Any], Any]:
    body = None
    for _ in range(warmup):
        r = client.get(url, headers=headers)
        if r.status_code != 200:
            raise RuntimeError(f"GET {url}: {r.status_code} {r.text[:500]}")
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        r = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        if r.status_code != 200:
            raise RuntimeError(f"GET {url}: {r.status_code} {r.text[:500]}")
        samples.append(elapsed)
        body = r.json()
    return summary(samples), body


# --------------------------------------------------------------------------- 5. EXPLAIN


def _plan_summary(explained: dict[str, Any]) -> dict[str, Any]:
    plan = explained["Plan"]
    return {
        "planning_ms": round(explained.get("Planning Time", 0.0), 3),
        "execution_ms": round(explained.get("Execution Time", 0.0), 3),
        "top_node": plan.get("Node Type"),
        "actual_rows": plan.get("Actual Rows"),
        "shared_hit": plan.get("Shared Hit Blocks"),
        "shared_read": plan.get("Shared Read Blocks"),
        "temp_written": plan.get("Temp Written Blocks"),
    }


def _label(plan: dict[str, Any]) -> str:
    label = plan["Node Type"]
    for key in ("Relation Name", "Index Name", "CTE Name", "Strategy", "Sort Method", "Subplan Name"):
        if key in plan:
            label += f" [{key.split()[0].lower()}={plan[key]}]"
    return label


def _exclusive_nodes(
    plan: dict[str, Any], out: list[dict[str, Any]], ctes: dict[str, float] | None = None
) -> float:
    """Walk a JSON plan; append each node's exclusive time (inclusive minus children), return inclusive.

    A materialised CTE is an init plan whose rows are pulled by the CTE Scans: its time is inside
    the first CTE Scan's time, so it is subtracted there and not from the parent.
    """
    ctes = {} if ctes is None else ctes
    loops = plan.get("Actual Loops", 1) or 1
    inclusive = (plan.get("Actual Total Time") or 0.0) * loops
    kids = 0.0
    for child in plan.get("Plans", []):
        t = _exclusive_nodes(child, out, ctes)
        name = str(child.get("Subplan Name", ""))
        if child.get("Parent Relationship") == "InitPlan" and name.startswith("CTE "):
            ctes[name[4:]] = ctes.get(name[4:], 0.0) + t
        else:
            kids += t
    if plan.get("Node Type") == "CTE Scan":
        take = min(ctes.get(plan.get("CTE Name", ""), 0.0), inclusive)
        ctes[plan.get("CTE Name", "")] = ctes.get(plan.get("CTE Name", ""), 0.0) - take
        kids += take
    out.append(
        {
            "node": _label(plan),
            "exclusive_ms": round(max(0.0, inclusive - kids), 1),
            "inclusive_ms": round(inclusive, 1),
            "rows": plan.get("Actual Rows"),
            "loops": loops,
            "temp_written": plan.get("Temp Written Blocks"),
            "sort_space": f"{plan.get('Sort Space Used')}kB {plan.get('Sort Space Type')}"
            if "Sort Space Used" in plan
            else None,
        }
    )
    return inclusive


def _render(plan: dict[str, Any], depth: int = 0) -> list[str]:
    """A compact text rendering of a JSON plan (node, actual time, rows, conditions)."""
    rel = plan.get("Parent Relationship", "")
    line = (
        "  " * depth
        + ("-> " if depth else "")
        + (f"{rel}: " if rel in ("InitPlan", "SubPlan") else "")
        + f"{_label(plan)}  (actual {plan.get('Actual Total Time')} ms, rows {plan.get('Actual Rows')}, "
        f"loops {plan.get('Actual Loops')}, est. rows {plan.get('Plan Rows')}, "
        f"cost {plan.get('Total Cost')})"
    )
    lines = [line]
    for key in ("Index Cond", "Filter", "Hash Cond", "Sort Key", "Group Key"):
        if key in plan:
            lines.append("  " * depth + f"     {key}: {plan[key]}")
    if plan.get("Temp Written Blocks"):
        lines.append("  " * depth + f"     temp written {plan['Temp Written Blocks']} blocks")
    for child in plan.get("Plans", []):
        lines += _render(child, depth + 1)
    return lines


def _text_plan(conn: Any, sql: str, params: Any) -> str:
    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).all()
    return "\n".join(r[0] for r in rows)


def explain_children_page(app_url: str, caller_spec: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """Run list_children (the API's records) in-process as the app role; EXPLAIN each statement."""
    from sqlalchemy import event, text

    import portal.models  # noqa: F401
    from authz.caller import Caller
    from infra.db import app_engine, new_session
    from portal.registry.service import list_children
    from tenancy.models import Unit
    from tenancy.resolve import scope_for

    role, unit_info = caller_spec
    scope = scope_for(role, unit_info["path"])
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if "set_config" not in statement and statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    engine = app_engine()
    with new_session(scope) as session:
        unit = session.get(Unit, unit_info["id"])
        caller = Caller(0, "bench-explain", "bench", role, unit, scope)
        event.listen(engine, "before_cursor_execute", capture)
        try:
            list_children(session, caller, unit, 1, 20, records=True)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        session.rollback()
    statements = [(s, p) for s, p in captured if "children" in s or "guardians" in s or "child_periods" in s]
    out: dict[str, Any] = {"scope": scope.records, "statements": []}
    with engine.connect() as conn:
        for sql, params in statements:
            trans = conn.begin()
            try:
                conn.execute(
                    text("SELECT set_config('app.scope', :p, true), set_config('app.agg_scope', :p, true)"),
                    {"p": unit_info["path"]},
                )
                explained = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params
                ).scalar()
                plan_text = _text_plan(conn, sql, params)
            finally:
                trans.rollback()
            item = _plan_summary(explained[0])
            item["sql"] = " ".join(sql.split())[:600]
            item["plan"] = plan_text
            out["statements"].append(item)
    out["planning_ms"] = round(sum(s["planning_ms"] for s in out["statements"]), 3)
    out["execution_ms"] = round(sum(s["execution_ms"] for s in out["statements"]), 3)
    return out


def _inner_summary(message: str) -> dict[str, Any] | None:
    head, _, body = message.partition("plan:")
    if "WITH c AS MATERIALIZED" not in body:
        return None
    try:
        doc = json.loads(body.strip())
    except ValueError:
        return None
    nodes: list[dict[str, Any]] = []
    _exclusive_nodes(doc["Plan"], nodes)
    jit = doc.get("JIT", {})
    cte = next((n for n in _walk(doc["Plan"]) if n.get("Subplan Name") == "CTE c"), {})
    return {
        "duration": head.replace("duration:", "").strip(),
        "children_access": _label(cte) if cte else None,
        "jit_ms": round(jit["Timing"]["Total"], 1)
        if isinstance(jit.get("Timing"), dict) and isinstance(jit["Timing"].get("Total"), (int, float))
        else None,
        "jit": jit or None,
        "top_nodes": sorted(nodes, key=lambda n: -n["exclusive_ms"])[:8],
        "plan_text": "\n".join(_render(doc["Plan"])),
        "plan_json": doc,
    }


def _walk(plan: dict[str, Any]) -> Any:
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


def explain_stats(admin_url: str, app_role: str, path: str, calls: int = 7) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) ``SELECT * FROM child_stats(path, current_date)`` as the app role with
    the scope set, ``calls`` times on one connection: PL/pgSQL caches the plan of the query inside the
    function and may switch to a generic plan after the fifth call, as it does on the app's pooled
    connections. auto_explain (loaded by the superuser before SET ROLE) reports the inner plans."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    notices: list[str] = []
    out: dict[str, Any] = {"scope": path, "calls": []}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        inner = True
        try:
            conn.execute("LOAD 'auto_explain'")
            for setting, value in (
                ("log_min_duration", "0"),
                ("log_analyze", "on"),
                ("log_buffers", "on"),
                ("log_nested_statements", "on"),
                ("log_format", "json"),
                ("log_level", "notice"),
                ("log_timing", "on"),
            ):
                conn.execute(f"SET auto_explain.{setting} = '{value}'")
        except psycopg.Error as exc:  # not a superuser, or contrib missing: outer plan only
            inner = False
            out["inner_plan_error"] = str(exc)
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(app_role)))
        try:
            with conn.transaction():
                conn.execute(
                    "SELECT set_config('app.scope', %s, true), set_config('app.agg_scope', %s, true)",
                    (path, path),
                )
                for _ in range(calls):
                    notices.clear()
                    explained = conn.execute(
                        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM child_stats(%s, current_date)",
                        (path,),
                    ).fetchone()[0]
                    call = _plan_summary(explained[0])
                    found = [x for x in map(_inner_summary, notices) if x]
                    call["inner"] = found[-1] if found else None
                    out["calls"].append(call)
        finally:
            conn.execute("RESET ROLE")
            if inner:
                conn.execute("SET auto_explain.log_min_duration = -1")
    out["first"], out["steady"] = out["calls"][0], out["calls"][-1]
    out["execution_ms_per_call"] = [c["execution_ms"] for c in out["calls"]]
    for c in out["calls"][1:-1]:  # keep the JSON small: full plans for the first and last call only
        if c["inner"]:
            c["inner"] = {k: c["inner"][k] for k in ("duration", "children_access", "jit_ms")}
    return out


# --------------------------------------------------------------------------- report


def markdown(result: dict[str, Any]) -> str:
    ctx, seed = result["context"], result["database"]
    lines = [
        f"# Registry benchmark {result['date']}",
        "",
        f"{ctx['children']:,} children in {ctx['hamlets_in_province']:,} hamlets of "
        f"{ctx['communes_in_province']:,} communes (pre-2025 Hà Nội); database {ctx['database_size']}; "
        f"{result['machine']}.",
        "",
        "| # | Caller | Request | rows in scope | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for key, s in result["scenarios"].items():
        lines.append(
            f"| {key} | {s['caller']} | `{s['request']}` | {s['rows_in_scope']:,} | {s['n']} | "
            f"{s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |"
        )
    steps = seed.get("seeding", {}).get("steps_s", {})
    reused = " (from the run that created the reused database)" if seed["reused"] else ""
    lines += ["", "## Seeding" + reused, ""]
    lines += [f"- {k}: {v:.1f} s" for k, v in steps.items()] or ["- (unknown)"]
    if steps:
        lines.append(f"- **total: {seed['seeding']['total_s']:.1f} s**")
    lines += ["", "## EXPLAIN (ANALYZE, BUFFERS) as the app role, scope set", ""]
    a = result["explain"]["a_hamlet_children"]
    lines.append(
        f"**(a) hamlet children page** — {len(a['statements'])} statements, planning "
        f"{a['planning_ms']} ms + execution {a['execution_ms']} ms in total:"
    )
    lines.append("")
    for s in a["statements"]:
        lines.append(
            f"- {s['planning_ms']} + {s['execution_ms']} ms, {s['top_node']}, "
            f"{s['actual_rows']} rows, shared hit/read {s['shared_hit']}/{s['shared_read']}: "
            f"`{s['sql'][:140]}…`"
        )
    d = result["explain"].get("d_ward_children")
    if d:
        lines += [
            "",
            f"**(d) ward children page** — planning {d['planning_ms']} ms + execution "
            f"{d['execution_ms']} ms over {len(d['statements'])} statements.",
        ]
    for key, title in (("b_ward_stats", "(b) ward stats"), ("c_province_stats", "(c) province stats")):
        c = result["explain"].get(key)
        if not c:
            continue
        per_call = ", ".join(f"{x:.0f}" if x >= 10 else f"{x:.1f}" for x in c["execution_ms_per_call"])
        lines += [
            "",
            f"**{title}** `SELECT * FROM child_stats('{c['scope']}', current_date)`, "
            f"{len(c['calls'])} calls on one connection — execution ms per call: {per_call}.",
        ]
        for label, call in (("first call", c["first"]), ("last call (cached plan)", c["steady"])):
            inner = call.get("inner") or {}
            lines.append(
                f"- {label}: planning {call['planning_ms']} ms + "
                f"execution {call['execution_ms']} ms, "
                f"shared hit/read {call['shared_hit']}/{call['shared_read']}, temp written "
                f"{call['temp_written']} blocks; children read by {inner.get('children_access')}"
                + (f"; JIT {inner['jit_ms']} ms" if inner.get("jit_ms") is not None else "")
            )
        if key != "c_province_stats":
            continue
        for label, call in (("first call", c["first"]), ("last call", c["steady"])):
            inner = call.get("inner")
            if not inner:
                continue
            lines += [
                "",
                f"Inside the function, {label} (auto_explain, {inner['duration']}), most expensive nodes:",
                "",
                "| node | exclusive ms | inclusive ms | rows | loops | temp blocks | sort |",
                "|---|---:|---:|---:|---:|---:|---|",
            ]
            for n in inner["top_nodes"]:
                lines.append(
                    f"| {n['node']} | {n['exclusive_ms']} | {n['inclusive_ms']} | {n['rows']} "
                    f"| {n['loops']} "
                    f"| {n['temp_written'] or ''} | {n['sort_space'] or ''} |"
                )
    plans = [s["plan"] for s in a["statements"]] + ["", ""]
    for title, plan in (("(a) page query plan", plans[1]), ("(a) count query plan", plans[0])):
        if plan:
            lines += ["", f"<details><summary>{title}</summary>", "", "```", plan, "```", "</details>"]
    c = result["explain"]["c_province_stats"]
    for label, call in (("first call", c["first"]), ("last call", c["steady"])):
        if call.get("inner"):
            lines += [
                "",
                f"<details><summary>(c) plan inside child_stats, {label}</summary>",
                "",
                "```",
                call["inner"]["plan_text"],
                "```",
                "</details>",
            ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def main() -> None:
    args = parse_args()
    from bench_database import bench_urls
    from sqlalchemy.engine import make_url

    admin_url, app_url = bench_urls(args.db_url_admin, args.app_role)
    admin = make_url(admin_url)

    print("1. database", flush=True)
    database = prepare_database(args, admin_url)
    print("3. users", flush=True)
    units = ensure_bench_users()
    counts = context_counts(units["province"]["path"], units["ward"]["path"], units["hamlet"]["path"])
    print(f"   {counts}", flush=True)

    print("2. app", flush=True)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": app_url, "DATABASE_ADMIN_URL": admin_url, "PYTHONPATH": str(ROOT)}
    log_path = Path(tempfile.gettempdir()) / f"bench-uvicorn-{port}.log"
    proc = start_app(env, port, log_path)
    import httpx

    scenarios: dict[str, Any] = {}
    try:
        wait_healthy(base, proc, log_path)
        with httpx.Client(base_url=base, timeout=300) as client:
            auth = {u: login(client, u) for u in USERS}
            h, w, p = units["hamlet"]["id"], units["ward"]["id"], units["province"]["id"]
            plan = [
                (
                    "a",
                    "collaborator (hamlet)",
                    "bench-collab",
                    f"/api/v1/units/{h}/children?page=1&page_size=20",
                    counts["children_in_hamlet"],
                    args.requests,
                ),
                (
                    "b",
                    "ward officer (Yên Sở)",
                    "bench-officer",
                    f"/api/v1/units/{w}/stats",
                    counts["children_in_ward"],
                    args.requests,
                ),
                (
                    "c",
                    "provincial inspector (Hà Nội)",
                    "bench-inspector",
                    f"/api/v1/units/{p}/stats",
                    counts["children"],
                    args.province_requests,
                ),
                (
                    "d",
                    "ward officer (Yên Sở)",
                    "bench-officer",
                    f"/api/v1/units/{w}/children?page=1&page_size=20",
                    counts["children_in_ward"],
                    args.requests,
                ),
                (
                    "e",
                    "provincial inspector (Hà Nội)",
                    "bench-inspector",
                    f"/api/v1/units/{p}/dashboard",
                    counts["children"],
                    args.province_requests,
                ),
                (
                    "f",
                    "ward officer (Yên Sở)",
                    "bench-officer",
                    f"/api/v1/units/{w}/dashboard",
                    counts["children_in_ward"],
                    args.requests,
                ),
                (
                    "g",
                    "provincial inspector (Hà Nội)",
                    "bench-inspector",
                    f"/api/v1/units/{w}/stats",
                    counts["children_in_ward"],
                    args.requests,
                ),
            ]
            for key, caller, user, url, rows, n in plan:
                print(f"4{key}. {caller} GET {url} x{n}", flush=True)
                stats, body = measure(client, url, auth[user], n, args.warmup)
                print(
                    f"    p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms, max {stats['max_ms']} ms",
                    flush=True,
                )
                scenarios[key] = {
                    "caller": caller,
                    "request": f"GET {url}",
                    "rows_in_scope": rows,
                    **stats,
                    "response_total": body.get("total") if isinstance(body, dict) else None,
                }
    finally:
        stop_app(proc)

    print("5. EXPLAIN", flush=True)
    explain = {
        "a_hamlet_children": explain_children_page(app_url, ("collaborator", units["hamlet"])),
        "d_ward_children": explain_children_page(app_url, ("ward_officer", units["ward"])),
        "b_ward_stats": explain_stats(admin_url, args.app_role, units["ward"]["path"]),
        "c_province_stats": explain_stats(admin_url, args.app_role, units["province"]["path"]),
    }
    result = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPUs, PostgreSQL at {admin.host}:{admin.port}",
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "database": database,
        "units": units,
        "context": counts,
        "scenarios": scenarios,
        "explain": explain,
    }
    with contextlib.suppress(Exception):
        from sqlalchemy import text

        from infra.db import admin_engine

        with admin_engine().connect() as conn:
            show = {
                k: conn.execute(text(f"SHOW {k}")).scalar()
                for k in ("server_version", "shared_buffers", "work_mem", "jit")
            }
            result["machine"] += (
                f" ({show['server_version']}, shared_buffers {show['shared_buffers']}, "
                f"work_mem {show['work_mem']}, jit {show['jit']})"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"registry-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    md = markdown(result)
    stem.with_suffix(".md").write_text(md)
    print()
    print(md)
    print(f"written {stem}.json and {stem}.md")


def _catalogue_and_layer(only_if_missing: bool) -> None:
    """The report catalogue (the dashboards need its definitions) and the statistics layer the
    aggregate readers' figures come from (as `make run`'s seed builds them); a reused database built
    before the layer existed gets it once."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine
    from portal.reports.catalog import load_catalog
    from portal.stats.layer import rebuild as rebuild_stats

    with Session(admin_engine()) as session:
        load_catalog(session)
        session.commit()
        if only_if_missing and session.execute(text("SELECT EXISTS (SELECT FROM stat_cells)")).scalar():
            return
        rebuild_stats(session)
        session.commit()


if __name__ == "__main__":
    main()
