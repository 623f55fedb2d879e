"""The offline app's server side at province scale: a hamlet's snapshot and a phone's sync batches.

    .venv/bin/python bench/bench_registry.py                # once: seeds portal_bench (1,000,000 children)
    .venv/bin/python bench/bench_field.py                   # then this, on that database
    .venv/bin/python bench/bench_field.py --repeat 50       # more samples

Steps, on the seeded province (``bench/bench_registry.py``; migrated to the current head first):
(1) the largest hamlet of the province (most active children) gets a collaborator of its own and a live
token; (2) time ``build_snapshot`` as that collaborator, in-process with the application role (row-level
security on) and the request's unit of work (audit included): what ``GET /field/api/snapshot`` does;
(3) time ``sync_batch`` for full batches (100 changes): new children, edits of existing ones (each from
the version read), the same batches sent again (every change found and answered, nothing applied),
and edits from an old version (conflicts, each answered with the server's record). Every batch is its
own transaction, committed. Prints a Markdown summary and writes bench/results/field-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))
from bench.bench_database import as_request, bench_urls, tokens_for  # noqa: E402

USERNAME = "bench-field-collab"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=20, help="timed snapshots, and batches of each kind")
    p.add_argument(
        "--db-url-admin",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench",
        help="owner URL of the seeded bench database (bench/bench_registry.py)",
    )
    p.add_argument("--app-role", default="portal_app")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args()


def ms_summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def prepare(admin_url: str) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.bootstrap import migrate
    from infra.db import admin_engine
    from portal.auth.passwords import hash_password

    migrate(admin_url)
    with Session(admin_engine()) as owner, owner.begin():
        total = owner.execute(text("SELECT count(*) FROM children WHERE status = 'active'")).scalar_one()
        hamlet_id, size = owner.execute(
            text(
                "SELECT hamlet_id, count(*) FROM children WHERE status = 'active' "
                "GROUP BY hamlet_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        owner.execute(
            text(
                "INSERT INTO users (username, full_name, role, unit_id, password_hash, is_active) "
                "VALUES (:u, 'Cộng tác viên đo', 'collaborator', :h, :p, true) "
                "ON CONFLICT (username) DO UPDATE SET unit_id = EXCLUDED.unit_id"
            ),
            {"u": USERNAME, "h": hamlet_id, "p": hash_password("bench-field-password-2026")},
        )
        found = owner.execute(text("SELECT id FROM users WHERE username = :u"), {"u": USERNAME})
        user_id = found.scalar_one()
    return {
        "children_in_database": total,
        "hamlet_id": hamlet_id,
        "hamlet_children": size,
        "user_id": user_id,
    }


def timed(token: str, work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    with as_request(token) as (session, caller):
        out = work(session, caller)
    return time.perf_counter() - started, out


def main() -> None:
    args = parse_args()
    admin_url, _app_url = bench_urls(args.db_url_admin, args.app_role)
    facts = prepare(admin_url)
    token = tokens_for([facts["user_id"]])[facts["user_id"]]

    from portal.field.schemas import SyncBatch
    from portal.field.snapshot import build_snapshot
    from portal.field.sync import sync_batch

    snapshot_times, size, records = [], 0, []
    for _ in range(args.repeat + 2):
        seconds, snap = timed(token, lambda s, c: build_snapshot(s, c, None, "bench"))
        snapshot_times.append(seconds)
        size, records = snap["size_bytes"], snap["children"]
    snapshot_times = snapshot_times[2:]  # the first two warm the caches

    device = uuid.uuid4()
    tag = uuid.uuid4().hex[:6]

    def creates(n: int) -> list[dict[str, Any]]:
        return [
            {
                "kind": "child_create",
                "change_id": str(uuid.uuid4()),
                "record": {
                    "full_name": f"Trẻ đo {tag} {n}-{i}",
                    "date_of_birth": date(2015 + i % 10, 1 + i % 12, 1 + i % 28).isoformat(),
                    "sex": "female" if i % 2 else "male",
                    "ethnicity": "Kinh",
                    "guardians": [{"full_name": f"Người chăm sóc {tag} {n}-{i}", "relationship": "mother"}],
                },
            }
            for i in range(100)
        ]

    def run(changes: list[dict[str, Any]]) -> tuple[float, list[Any]]:
        batch = SyncBatch(device_id=device, changes=changes)
        return timed(token, lambda s, c: sync_batch(s, c, batch))

    results: dict[str, list[float]] = {"create": [], "update": [], "replay": [], "conflict": []}
    sent: list[list[dict[str, Any]]] = []
    for n in range(args.repeat):
        seconds, outcomes = run(creates(n))
        assert all(o.outcome == "applied" for o in outcomes), {o.outcome for o in outcomes}
        results["create"].append(seconds)
        sent.append(creates(n))  # not sent: kept for the replay below with fresh ids
        edits = [
            {
                "kind": "child_update",
                "change_id": str(uuid.uuid4()),
                "child_id": str(o.entity_id),
                "base_version": o.version,
                "fields": {"household_code": f"HK-{tag}-{n}"},
            }
            for o in outcomes
        ]
        seconds, edited = run(edits)
        assert all(o.outcome == "applied" for o in edited)
        results["update"].append(seconds)
        seconds, replayed = run(edits)
        assert all(o.replayed for o in replayed)
        results["replay"].append(seconds)
        stale = [{**e, "change_id": str(uuid.uuid4()), "fields": {"address": "cũ"}} for e in edits]
        seconds, conflicts = run(stale)
        assert all(o.outcome == "conflict" for o in conflicts)
        results["conflict"].append(seconds)

    result = {
        "date": date.today().isoformat(),
        **facts,
        "snapshot": {**ms_summary(snapshot_times), "bytes": size, "records": len(records)},
        "batches_of_100": {k: ms_summary(v) for k, v in results.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"field-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    md = markdown(result)
    stem.with_suffix(".md").write_text(md)
    print(md)


def markdown(r: dict[str, Any]) -> str:
    s = r["snapshot"]
    lines = [
        f"# Offline app, server side ({r['date']})",
        "",
        f"Database: {r['children_in_database']:,} active children; the largest hamlet holds "
        f"{r['hamlet_children']:,}.",
        "",
        "| what | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        f"| snapshot of the hamlet ({s['records']:,} records, {s['bytes'] / 1024:,.0f} KB) "
        f"| {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |",
    ]
    names = {
        "create": "batch of 100 new children (with a guardian each)",
        "update": "batch of 100 edits",
        "replay": "the same 100 edits sent again (nothing applied)",
        "conflict": "100 edits from an old version (conflicts)",
    }
    for key, label in names.items():
        b = r["batches_of_100"][key]
        lines.append(f"| {label} | {b['n']} | {b['p50_ms']} | {b['p95_ms']} | {b['max_ms']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
