"""``make run``: the whole portal on one machine.

Without DATABASE_URL in the environment, the embedded PostgreSQL and Redis (infra/embedded.py,
data under ./var) are started and their settings exported; otherwise the services named by the
environment are used as they are. Then: migrate and seed the demo (``scripts/seed.py --demo``, then
the 2025 reorganisation of Hà Nội with ``scripts/reorganise.py`` and demo reports, all
idempotent), start a local mail sink (unless SMTP_HOST is set; one-time codes land in
var/mail/new), a Celery worker, Celery beat (the case deadline watch, the outbox sweep) and the web
server as child processes, and on Ctrl-C or SIGTERM stop them (and the embedded services this run started).

    python scripts/run.py [--host 127.0.0.1] [--port 8000] [--no-worker] [--keep-services]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from infra.processes import beat_command, mail_sink_command, web_command, worker_command  # noqa: E402

DEMO_ACCOUNTS = (
    ("demo-admin", "administrator, whole country"),
    ("demo-inspector", "inspector, Thành phố Hà Nội (since 1 July 2025)"),
    ("demo-district", "district officer, Quận Hoàng Mai (abolished 2025: history)"),
    ("demo-officer", "commune officer, Phường Yên Sở (00331, since 2025)"),
    ("demo-chairman", "commune chairman, Phường Yên Sở: decides plans and closures"),
    ("demo-hotline", "111 hotline, Thành phố Hà Nội: records intakes for any commune (/intake)"),
    ("demo-collab-1", "collaborator, a hamlet of Yên Sở"),
    ("demo-collab-2", "collaborator, another hamlet of Yên Sở"),
)
DEMO_PASSWORD = "demo-password"

_stopping = False


def _on_signal(signum: int, _frame: object) -> None:
    global _stopping
    if _stopping:
        return
    _stopping = True
    print(f"\n[run] {signal.Signals(signum).name}: stopping", flush=True)


def _stop(name: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the child and anything it forked (worker pool)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"[run] {name} did not stop within {timeout:.0f}s, killing it", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not _stopping:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    parser.add_argument(
        "--keep-services", action="store_true", help="leave the embedded PostgreSQL/Redis running on exit"
    )
    args = parser.parse_args()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)

    env = dict(os.environ)
    embedded = None
    if not env.get("DATABASE_URL"):
        from infra import embedded as embedded_module

        embedded = embedded_module
        started = time.perf_counter()
        env.update(embedded.start())
        print(
            f"[run] embedded PostgreSQL and Redis ready in {time.perf_counter() - started:.1f}s "
            f"(data under {ROOT / 'var'})",
            flush=True,
        )
        for key in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_DIR"):
            print(f"[run]   {key}={env[key]}", flush=True)
    else:
        print("[run] DATABASE_URL is set: using the services named by the environment", flush=True)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")

    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    code = 0
    try:
        print("[run] migrating and seeding (scripts/seed.py --demo)", flush=True)
        seed = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "seed.py"), "--demo"], cwd=ROOT, env=env
        )
        if seed.returncode != 0:
            print(f"[run] seeding failed (exit code {seed.returncode})", file=sys.stderr, flush=True)
            return seed.returncode or 1
        print("[run] applying the real 2025 reorganisation to the demo province (scripts/reorganise.py)")
        reform_cmd = [
            "reform-2025",
            "--province",
            "01",
            "--decide-blocks",
            "--confirm-access-gains",
            "--demo-staff",
        ]
        reform = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "reorganise.py"), *reform_cmd], cwd=ROOT, env=env
        )
        if reform.returncode != 0:
            print(
                f"[run] the reorganisation failed (exit code {reform.returncode})",
                file=sys.stderr,
                flush=True,
            )
            return reform.returncode or 1
        print("[run] demo reports: three months of the demo ward (scripts/demo_reports.py)", flush=True)
        reports = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "demo_reports.py")], cwd=ROOT, env=env
        )
        if reports.returncode != 0:
            print(f"[run] demo reports failed (exit code {reports.returncode})", file=sys.stderr, flush=True)
            return reports.returncode or 1
        if _stopping:
            return 0

        if not env.get("SMTP_HOST"):
            maildir = ROOT / "var" / "mail"
            env["SMTP_HOST"], env["SMTP_PORT"] = "127.0.0.1", env.get("SMTP_PORT", "8025")
            sink = subprocess.Popen(
                mail_sink_command(env["SMTP_HOST"], int(env["SMTP_PORT"]), str(maildir)),
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            children.append(("mail sink", sink))
            print(f"[run] mail sink on {env['SMTP_HOST']}:{env['SMTP_PORT']}: messages in {maildir}/new")
        if args.no_worker:
            print("[run] --no-worker: exports stay queued until a worker runs", flush=True)
        elif not (ROOT / "tasks" / "celery_app.py").exists():
            print("[run] tasks/celery_app.py missing: no Celery worker started", flush=True)
        else:
            worker = subprocess.Popen(worker_command(), cwd=ROOT, env=env, start_new_session=True)
            children.append(("celery worker", worker))
            (ROOT / "var").mkdir(exist_ok=True)
            beat = subprocess.Popen(  # the case deadline watch every 5 minutes (tasks/celery_app.py)
                beat_command(f"--schedule={ROOT / 'var' / 'celerybeat-schedule'}"),
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            children.append(("celery beat", beat))

        web = subprocess.Popen(web_command(args.host, args.port), cwd=ROOT, env=env, start_new_session=True)
        children.append(("web server", web))

        base = f"http://{args.host}:{args.port}"
        if not _wait_healthy(f"{base}/health", web, 60):
            if not _stopping:
                print(
                    f"[run] the web server did not become healthy at {base}/health",
                    file=sys.stderr,
                    flush=True,
                )
                code = 1
            return code

        print("\n[run] ================================================================", flush=True)
        print(f"[run] portal running at {base}   (API docs: {base}/schema)", flush=True)
        print(f"[run] demo accounts, password '{DEMO_PASSWORD}':", flush=True)
        for name, role in DEMO_ACCOUNTS:
            print(f"[run]   {name:<16} {role}", flush=True)
        body = json.dumps({"username": "demo-officer", "password": DEMO_PASSWORD})
        print(
            f"[run] try: curl -s -X POST {base}/api/v1/auth/login -H 'Content-Type: application/json' "
            f"-d '{body}'",
            flush=True,
        )
        print("[run] Ctrl-C stops everything", flush=True)
        print("[run] ================================================================\n", flush=True)

        while not _stopping:
            for name, proc in children:
                if proc.poll() is not None:
                    print(
                        f"[run] {name} exited with code {proc.returncode}: stopping",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        for name, proc in reversed(children):  # web server first, then the worker
            _stop(name, proc)
        if embedded is not None and not args.keep_services:
            embedded.stop()
        if children or embedded is not None:
            print("[run] stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
