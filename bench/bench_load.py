"""Load benchmark: month's end in a province, by role, with locust, at stepped concurrency.

    .venv/bin/python bench/bench_load.py                       # portal_bench (1M children), 10/50/100/200
    .venv/bin/python bench/bench_load.py --steps 10,50 --step-seconds 15 \\
        --db-url-admin postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_dev

(1) In an existing seeded benchmark database (bench/bench_registry.py builds it) create or reset the
accounts: collaborators in distinct hamlets (five of each chosen commune, all with children), the
ward officers of those communes and provincial inspectors (idempotent: a re-run reuses them).
(2) Start the web server as ``make run`` does (``infra.processes.web_command(host, port)``, the
application role, RLS applies) and wait for /health. (3) For each step, run locust headless
(bench/load/locustfile.py) with that many users; each user logs in once as its own account, the
figures cover the ``--step-seconds`` after every user is spawned and logged in; then an overload step
(no think time) shows what the server answers past its capacity. The server's and PostgreSQL's CPU is
sampled throughout. (4) Write bench/results/load-<date>.{md,json}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LOCUSTFILE = Path(__file__).resolve().parent / "load" / "locustfile.py"
sys.path.insert(0, str(ROOT))
from infra.processes import web_command  # noqa: E402

PROVINCE_CODE = "01"  # Thành phố Hà Nội, pre-2025 (as bench_registry seeds it)
PASSWORD = "bench-load-password-2024"
PREFIX = "bench-load"
HAMLETS_PER_COMMUNE = 5  # 300 collaborators in the hamlets of 60 communes
ROLE_OF = {
    "collaborator": "collaborator",
    "ward_officer": "ward_officer",
    "inspector": "provincial_inspector",
}
WEIGHTS = {"collaborator": 300, "ward_officer": 60, "inspector": 20}  # as bench/load/locustfile.py


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--db-url-admin",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench",
        help="owner/superuser URL of a seeded bench database (its name must contain 'bench')",
    )
    p.add_argument("--app-role", default="portal_app", help="application role (must not own the tables)")
    p.add_argument("--steps", default="10,50,100,200", help="concurrent users per step, comma-separated")
    p.add_argument("--step-seconds", type=float, default=60.0, help="measured seconds per step")
    p.add_argument("--spawn-rate", type=float, default=50.0, help="users started per second")
    p.add_argument("--think", default="0.5,1.5", help="think time between a user's tasks, min,max seconds")
    p.add_argument(
        "--overload-users", type=int, default=400, help="users of the overload step (0: no overload step)"
    )
    p.add_argument("--overload-think", default="0,0", help="think time of the overload step, min,max")
    p.add_argument("--collaborators", type=int, default=300, help="collaborator accounts (distinct hamlets)")
    p.add_argument("--ward-officers", type=int, default=60, help="ward officer accounts (distinct communes)")
    p.add_argument("--inspectors", type=int, default=20, help="provincial inspector accounts")
    p.add_argument("--port", type=int, default=0, help="web server port (default: a free one)")
    p.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON and Markdown results")
    return p.parse_args()


def _pair(text: str) -> tuple[float, float]:
    low, high = (float(x) for x in text.split(","))
    return low, high


# --------------------------------------------------------------------------- 1. accounts


def pool_sizes(args: argparse.Namespace, most_users: int) -> dict[str, int]:
    """Accounts per role: as asked, or more if the largest step needs more (locust shares users out by
    the classes' weights 300:60:20, rounding; one spare per role), so no two users share an account."""
    total = sum(WEIGHTS.values())
    need = {role: math.ceil(most_users * w / total) + 1 for role, w in WEIGHTS.items()}
    officers = max(
        args.ward_officers, need["ward_officer"], math.ceil(need["collaborator"] / HAMLETS_PER_COMMUNE)
    )
    return {
        "ward_officer": officers,
        "collaborator": max(args.collaborators, need["collaborator"], 0),
        "inspector": max(args.inspectors, need["inspector"]),
    }


def ensure_accounts(sizes: dict[str, int]) -> dict[str, Any]:
    """Create or reset the benchmark accounts (owner session; a re-run resets role, unit and password
    and clears their login throttle). Communes are spread over the province in path order; each
    gives its officer and the collaborators of its first hamlets (by id) that have active children.

    The accounts' password hash uses argon2's cheap ``test`` parameters (argon2 reads them from the hash),
    so hundreds of logins per step do not cost minutes of CPU; the server keeps its own profile."""
    from sqlalchemy import delete, select, text
    from sqlalchemy.orm import Session

    import portal.models  # noqa: F401 - all mappers
    from infra.db import admin_engine
    from portal.auth.models import LoginThrottle, User
    from portal.auth.passwords import hasher
    from tenancy.scope import subtree_end
    from tenancy.service import unit_by_code

    per_commune = HAMLETS_PER_COMMUNE
    with Session(admin_engine(), expire_on_commit=False) as owner:
        province = unit_by_code(owner, "province", PROVINCE_CODE)
        if province is None:
            raise RuntimeError("province 01 missing: is this a database seeded by bench/bench_registry.py?")
        span = {"p": province.path, "pe": subtree_end(province.path)}
        communes = owner.execute(
            text(
                "SELECT c.id, array_agg(h.id ORDER BY h.id) FROM units c JOIN units h ON h.parent_id = c.id "
                "WHERE c.level = 'commune' AND c.valid_from IS NULL "
                "AND c.path >= :p AND c.path < :pe AND h.level = 'hamlet' AND h.valid_to IS NULL "
                "AND EXISTS (SELECT FROM children x WHERE x.unit_path = h.path AND x.status = 'active') "
                "GROUP BY c.id, c.path ORDER BY c.path"
            ),
            span,
        ).all()
        all_communes = list(
            owner.scalars(
                text(
                    "SELECT id FROM units WHERE level = 'commune' AND valid_from IS NULL "
                    "AND path >= :p AND path < :pe ORDER BY path"
                ),
                span,
            )
        )
        wanted = max(sizes["ward_officer"], math.ceil(sizes["collaborator"] / per_commune))
        full = [(cid, hamlets) for cid, hamlets in communes if len(hamlets) >= per_commune]
        if len(full) < wanted:
            raise RuntimeError(
                f"{wanted} communes with {per_commune} hamlets with children needed, {len(full)} found"
            )
        chosen = [full[i * len(full) // wanted] for i in range(wanted)]  # spread over the province
        hamlets = [h for _, hs in chosen for h in hs[:per_commune]][: sizes["collaborator"]]
        plan = {
            "collaborator": [(f"{PREFIX}-collab-{i:04d}", h) for i, h in enumerate(hamlets, 1)],
            "ward_officer": [(f"{PREFIX}-officer-{i:03d}", c) for i, (c, _) in enumerate(chosen, 1)],
            "inspector": [
                (f"{PREFIX}-inspector-{i:03d}", province.id) for i in range(1, sizes["inspector"] + 1)
            ],
        }
        password_hash = hasher("test").hash(PASSWORD)
        names = [name for accounts in plan.values() for name, _ in accounts]
        users = {u.username: u for u in owner.scalars(select(User).where(User.username.in_(names)))}
        for role, accounts in plan.items():
            for name, unit_id in accounts:
                user = users.get(name)
                if user is None:
                    owner.add(
                        User(
                            username=name,
                            full_name=f"Bench {name}",
                            password_hash=password_hash,
                            role=ROLE_OF[role],
                            unit_id=unit_id,
                            is_active=True,
                        )
                    )
                else:
                    user.role, user.unit_id, user.is_active = ROLE_OF[role], unit_id, True
                    user.password_hash = password_hash
        owner.execute(delete(LoginThrottle).where(LoginThrottle.username.in_(names)))
        owner.commit()
    return {
        "password": PASSWORD,
        "communes": all_communes,
        **{role: [{"username": n, "unit_id": u} for n, u in accounts] for role, accounts in plan.items()},
    }


# --------------------------------------------------------------------------- 2. the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """The web server exactly as ``make run`` starts it (scripts/run.py): ``web_command(host, port)``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            web_command("127.0.0.1", port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the server exited ({proc.returncode}):\n{log_path.read_text(errors='replace')}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"/health not ready after {timeout}s:\n{log_path.read_text(errors='replace')[-4000:]}")


def stop_server(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it has not stopped."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --------------------------------------------------------------------------- CPU sampling


class CpuSampler(threading.Thread):
    """Every ``interval`` seconds: the CPU seconds used so far by the server's processes, by the
    PostgreSQL backends connected to the benchmark database, and by the whole machine (busy seconds
    of all CPUs). Per-process deltas are accumulated, so processes that come and go are counted."""

    def __init__(self, server_pid: int, admin_dsn: str, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server_pid, self.admin_dsn, self.interval = server_pid, admin_dsn, interval
        # time, server, postgres, machine busy, stolen (CPU time the hypervisor gave to other guests)
        self.samples: list[tuple[float, float, float, float, float]] = []
        self.server_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psycopg

        seen: dict[str, dict[int, float]] = {"server": {}, "postgres": {}}
        total = {"server": 0.0, "postgres": 0.0}
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            while not self._stop_event.is_set():
                pg_pids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ]
                groups = {"server": self._server_processes(), "postgres": self._processes(pg_pids)}
                for key, procs in groups.items():
                    for proc in procs:
                        with contextlib.suppress(psutil.Error):
                            t = proc.cpu_times()
                            used = t.user + t.system
                            total[key] += used - seen[key].get(proc.pid, 0.0)
                            seen[key][proc.pid] = used
                machine = psutil.cpu_times()
                busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
                stolen = getattr(machine, "steal", 0.0)
                self.samples.append((time.time(), total["server"], total["postgres"], busy, stolen))
                self._stop_event.wait(self.interval)

    def _server_processes(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.server_pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return []
        self.server_processes = max(self.server_processes, len(procs))
        return procs

    @staticmethod
    def _processes(pids: list[int]) -> list[psutil.Process]:
        out = []
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                out.append(psutil.Process(pid))
        return out

    def stop(self) -> None:
        self._stop_event.set()
        if self.ident is not None:  # started
            self.join(timeout=10)

    def between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds used between two moments, interpolated between the samples around them."""

        def at(moment: float, column: int) -> float:
            s = self.samples
            for (t0, *a), (t1, *b) in zip(s, s[1:], strict=False):
                if t0 <= moment <= t1:
                    frac = (moment - t0) / (t1 - t0) if t1 > t0 else 0.0
                    return a[column] + frac * (b[column] - a[column])
            return s[-1][column + 1] if s and moment > s[-1][0] else (s[0][column + 1] if s else 0.0)

        return {
            key: round(at(end, i) - at(start, i), 2)
            for i, key in enumerate(("server", "postgres", "machine", "stolen"))
        }


# --------------------------------------------------------------------------- 3. a step


def run_step(
    name: str,
    users: int,
    think: tuple[float, float],
    args: argparse.Namespace,
    base: str,
    accounts_path: Path,
    workdir: Path,
    sampler: CpuSampler,
) -> dict[str, Any]:
    samples_path, log_path = workdir / f"{name}.json", workdir / f"{name}.log"
    spawn_s = users / args.spawn_rate
    limit = math.ceil(spawn_s + args.step_seconds + 300 + 30)  # a safety stop: the locustfile stops itself
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE.relative_to(ROOT)),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        f"{args.spawn_rate:g}",
        "-t",
        f"{limit}s",
        "-H",
        base,
        "--accounts",
        str(accounts_path),
        "--measure-seconds",
        f"{args.step_seconds:g}",
        "--think-min",
        f"{think[0]:g}",
        "--think-max",
        f"{think[1]:g}",
        "--samples",
        str(samples_path),
        "--exit-code-on-error",
        "0",  # failed requests are figures; a non-zero exit is locust itself failing
    ]
    print(f"[{name}] {users} users: {_shown(command)}", flush=True)
    with log_path.open("wb") as log:
        done = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=limit + 60)
    if done.returncode != 0 or not samples_path.exists():
        tail = log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"locust failed in step {name} (exit code {done.returncode}):\n{tail}")
    raw = json.loads(samples_path.read_text())
    step = summarise(raw)
    window = raw["window"]
    cpu = sampler.between(window["start"], window["end"])
    n = step["requests"]
    step.update(
        step=name,
        think_s=list(think),
        command=_shown(command),
        cpu_s={**cpu, "locust": raw["locust_cpu_s"]},
        cpu_ms_per_request={k: round(cpu[k] * 1000 / n, 2) if n else None for k in ("server", "postgres")},
        machine_busy_pct=round(100 * cpu["machine"] / (step["window_s"] * (os.cpu_count() or 1)), 1),
    )
    print(
        f"[{name}] {step['rps']} req/s, p50/p95/p99 {step['p50_ms']}/{step['p95_ms']}/{step['p99_ms']} ms, "
        f"errors {step['errors']}, 503 {step['answered_503']['requests']}; "
        f"server CPU {step['cpu_ms_per_request']['server']} ms/request",
        flush=True,
    )
    return step


def _shown(command: list[str]) -> str:
    """A command line as typed from the repository root (the venv's python by its relative path)."""
    python = Path(command[0])
    with contextlib.suppress(ValueError):
        python = python.relative_to(ROOT)
    return shlex.join([str(python), *command[1:]])


def pct(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile ``q`` (0-100) of ``values``; None for no values."""
    if not values:
        return None
    s = sorted(values)
    return round(s[max(0, math.ceil(q / 100 * len(s)) - 1)], 1)


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """Step figures from the window's samples: all requests, then served (not 503) and 503 apart."""
    window_s = raw["window"]["end"] - raw["window"]["start"]
    samples = raw["samples"]
    times = [ms for *_, ms in samples]
    errors = Counter(kind for _, _, kind, _ in samples if kind not in ("ok", "503"))  # 503s apart
    served = [ms for _, _, kind, ms in samples if kind != "503"]
    refused = [ms for _, _, kind, ms in samples if kind == "503"]
    by_endpoint: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for name, method, kind, ms in samples:
        by_endpoint[(method, name)].append((kind, ms))
    endpoints = []
    for (method, name), rows in sorted(by_endpoint.items(), key=lambda kv: -len(kv[1])):
        ms_all = [ms for _, ms in rows]
        endpoints.append(
            {
                "endpoint": f"{method} {name}",
                "requests": len(rows),
                "rps": round(len(rows) / window_s, 1),
                "p50_ms": pct(ms_all, 50),
                "p95_ms": pct(ms_all, 95),
                "p99_ms": pct(ms_all, 99),
                "errors": dict(Counter(kind for kind, _ in rows if kind != "ok")),
            }
        )
    logins = raw["logins"]
    login_ms = [ms for _, ms in logins]
    return {
        "users": raw["users"],
        "logged_in": raw["logged_in"],
        "login_failed": raw["login_failed"],
        "window_s": round(window_s, 1),
        "settle_s": raw["settle_s"],
        "requests": len(samples),
        "rps": round(len(samples) / window_s, 1),
        "ok_rps": round(sum(1 for *_, k, _ in samples if k == "ok") / window_s, 1),
        "p50_ms": pct(times, 50),
        "p95_ms": pct(times, 95),
        "p99_ms": pct(times, 99),
        "max_ms": pct(times, 100),
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "served": {"requests": len(served), "p50_ms": pct(served, 50), "p99_ms": pct(served, 99)},
        "answered_503": {"requests": len(refused), "p50_ms": pct(refused, 50), "p99_ms": pct(refused, 99)},
        "endpoints": endpoints,
        "logins": {
            "requests": len(logins),
            "failed": sum(1 for kind, _ in logins if kind != "ok"),
            "by_kind": dict(Counter(kind for kind, _ in logins)),
            "p50_ms": pct(login_ms, 50),
            "p95_ms": pct(login_ms, 95),
            "max_ms": pct(login_ms, 100),
        },
    }


# --------------------------------------------------------------------------- machine and report


def cpu_speed() -> float:
    """CPU seconds a fixed pure-Python loop takes here now: the host's speed varies (a shared virtual
    machine), so the figures of two runs compare only with this beside them."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.process_time() - started, 3)


def machine(
    admin_url: str, server_processes: int, load_average: tuple[float, ...], speed: list[float]
) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    settings = (
        "server_version",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "max_connections",
        "jit",
    )
    with engine.connect() as conn:
        pg = {k: conn.execute(text(f"SHOW {k}")).scalar() for k in settings}
        pg["children"] = conn.execute(text("SELECT count(*) FROM children")).scalar()
        pg["database_size"] = conn.execute(
            text("SELECT pg_size_pretty(pg_database_size(current_database()))")
        ).scalar()
    engine.dispose()
    return {
        "cpus": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in load_average],
        "python_loop_s": speed,
        "server_processes": server_processes,
        "postgresql": pg,
    }


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:g}"


def _kinds(errors: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "0"


def markdown(result: dict[str, Any]) -> str:
    m, pg = result["machine"], result["machine"]["postgresql"]
    lines = [
        f"# Load benchmark {result['date']}",
        "",
        f"{pg['children']:,} children ({pg['database_size']}); {m['cpus']} CPUs, {m['memory_gb']} GB, load "
        f"average at start {m['load_average_at_start']}; a 10-million-step Python loop took "
        f"{' / '.join(f'{x:g}' for x in m.get('python_loop_s', []))} CPU s before / after the steps "
        f"(the host's speed varies by a quarter from hour to hour); PostgreSQL {pg['server_version']}, "
        f"shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, effective_cache_size "
        f"{pg['effective_cache_size']}, max_connections {pg['max_connections']}, jit {pg['jit']}; web "
        f"server `{result['server_command']}` ({m['server_processes']} process"
        f"{'es' if m['server_processes'] != 1 else ''}).",
        "",
        f"Accounts: {result['accounts']['collaborator']} collaborators in as many hamlets, "
        f"{result['accounts']['ward_officer']} ward officers of their communes, "
        f"{result['accounts']['inspector']} provincial inspectors; users by weight 300:60:20. Each step: "
        f"{result['args']['step_seconds']:g} s measured from {result['steps'][0]['settle_s']:g} s after "
        "every user has logged in and started working (logins and ramp-up excluded).",
        "",
        "| step | users | think s | req/s | p50 / p95 / p99 ms | max ms | errors | 503: n, p50 / p99 ms "
        "| server CPU ms/req | PG CPU ms/req | machine busy |",
        "|---|---:|---|---:|---|---:|---|---|---:|---:|---:|",
    ]
    for s in result["steps"]:
        refused = s["answered_503"]
        lines.append(
            f"| {s['step']} | {s['users']} | {s['think_s'][0]:g}–{s['think_s'][1]:g} | {s['rps']} | "
            f"{_ms(s['p50_ms'])} / {_ms(s['p95_ms'])} / {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} | "
            f"{_kinds(s['errors_by_kind'])} | "
            + (
                f"{refused['requests']}, {_ms(refused['p50_ms'])} / {_ms(refused['p99_ms'])}"
                if refused["requests"]
                else "0"
            )
            + f" | {s['cpu_ms_per_request']['server']} | {s['cpu_ms_per_request']['postgres']} "
            f"| {s['machine_busy_pct']} % |"
        )
    lines += [
        "",
        "Served answers (all but 503) per step, p50 / p99 ms: "
        + "; ".join(
            f"{s['step']} {_ms(s['served']['p50_ms'])} / {_ms(s['served']['p99_ms'])}"
            for s in result["steps"]
        )
        + ".",
    ]
    for s in result["steps"]:
        cpu, logins = s["cpu_s"], s["logins"]
        lines += [
            "",
            f"## {s['step']}: {s['users']} users",
            "",
            f"{s['requests']:,} requests in {s['window_s']} s. CPU seconds in the window: server "
            f"{cpu['server']}, PostgreSQL backends {cpu['postgres']}, locust {cpu['locust']}, whole "
            f"machine {cpu['machine']} (of which {cpu.get('stolen', 0)} stolen: the hypervisor ran "
            f"another guest). Logins before the window: {logins['requests']} "
            f"({_kinds({k: v for k, v in logins['by_kind'].items() if k != 'ok'})} refused), p50 "
            f"{_ms(logins['p50_ms'])} / p95 {_ms(logins['p95_ms'])} / max {_ms(logins['max_ms'])} ms.",
            "",
            "| endpoint | req/s | p50 / p95 / p99 ms | errors |",
            "|---|---:|---|---|",
        ]
        for e in s["endpoints"]:
            lines.append(
                f"| `{e['endpoint']}` | {e['rps']} | {_ms(e['p50_ms'])} / {_ms(e['p95_ms'])} / "
                f"{_ms(e['p99_ms'])} | {_kinds(e['errors'])} |"
            )
        lines += ["", f"`{s['command']}`"]
    lines += ["", "Command:", "", f"`{result['command']}`"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def main() -> int:
    args = parse_args()
    from bench_database import bench_urls
    from sqlalchemy.engine import make_url

    admin_url, app_url = bench_urls(args.db_url_admin, args.app_role)
    admin = make_url(admin_url)
    steps = [
        (f"step-{n}", n, _pair(args.think)) for n in (int(x) for x in args.steps.split(",") if x.strip())
    ]
    if args.overload_users > 0:
        steps.append(("overload", args.overload_users, _pair(args.overload_think)))

    print("1. accounts", flush=True)
    sizes = pool_sizes(args, max(users for _, users, _ in steps))
    accounts = ensure_accounts(sizes)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    accounts_path = workdir / "accounts.json"
    accounts_path.write_text(json.dumps(accounts))
    print(f"   {', '.join(f'{len(accounts[r])} {r}' for r in WEIGHTS)}; files in {workdir}", flush=True)

    print("2. server", flush=True)
    load_average = os.getloadavg()  # others' work on the machine before ours
    speed = [cpu_speed()]
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": app_url, "DATABASE_ADMIN_URL": admin_url}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.pop("PASSWORD_HASH_PROFILE", None)  # the server's default, as `make run` has it
    server_log = workdir / "server.log"
    proc = start_server(env, port, server_log)
    admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    sampler = CpuSampler(proc.pid, admin_dsn)
    results: list[dict[str, Any]] = []
    try:
        wait_healthy(base, proc, server_log)
        sampler.start()
        for name, users, think in steps:
            results.append(run_step(name, users, think, args, base, accounts_path, workdir, sampler))
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}) during {name}; log: {server_log}")
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"bench_load: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        sampler.stop()
        stop_server(proc)
    speed.append(cpu_speed())

    result = {
        "date": date.today().isoformat(),
        "at": datetime.now().isoformat(timespec="seconds"),
        "command": _shown([sys.executable, *sys.argv]),
        "server_command": _shown(web_command("127.0.0.1", port)),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": machine(admin_url, sampler.server_processes, load_average, speed),
        "accounts": {role: len(accounts[role]) for role in WEIGHTS},
        "steps": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"load-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    md = markdown(result)
    stem.with_suffix(".md").write_text(md)
    print()
    print(md)
    print(f"written {stem}.json and {stem}.md")
    missing = sum(s["users"] - s["logged_in"] for s in results)
    if missing:
        print(f"bench_load: {missing} users were not logged in when the window started", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
