"""What authorization and audit cost a request, beside its work.

On the database ``bench_registry.py`` seeds (its account ``bench-collab``), one request's fixed part is
repeated in-process, as the web server does it: a session, the token checked in the transaction's first
message with BEGIN and the scope (``portal.auth.service.authenticate``), one audit row kept and sent
with COMMIT (``infra.unit_of_work``). The work a handler would do in between is left out. Prints the
CPU time and the wall time (two round trips to PostgreSQL) per request.

    .venv/bin/python bench/bench_overhead.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_database import bench_urls  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench")
    parser.add_argument("--app-role", default="portal_app")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    bench_urls(args.db_url_admin, args.app_role)

    from bench_database import as_request, tokens_for
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    import portal.models  # noqa: F401 - every mapper configured
    from infra.db import admin_engine
    from portal.audit.service import record

    with Session(admin_engine()) as owner:
        user_id = owner.scalar(text("SELECT id FROM users WHERE username = 'bench-collab'"))
    if user_id is None:
        sys.exit("no account bench-collab: seed the database with bench/bench_registry.py first")
    token = tokens_for([int(user_id)])[int(user_id)]

    def request() -> None:
        with as_request(token) as (_, caller):
            assert caller.unit is not None
            record(caller.actor, "read", "child", "allowed", resource_ids=["bench"], unit_id=caller.unit.id)

    for _ in range(50):
        request()
    walls: list[float] = []
    cpu = time.process_time()
    for _ in range(args.requests):
        started = time.perf_counter()
        request()
        walls.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu) / args.requests
    walls.sort()
    print(
        f"authorization and audit, {args.requests} requests: CPU {cpu * 1000:.2f} ms per request; wall "
        f"p50 {walls[len(walls) // 2] * 1000:.2f} ms, p95 {walls[int(len(walls) * 0.95)] * 1000:.2f} ms "
        "(two round trips and PostgreSQL's work included)"
    )


if __name__ == "__main__":
    main()
