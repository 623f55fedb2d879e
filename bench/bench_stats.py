"""Statistics layer benchmark on bench_registry's seeded database (name must contain "bench").

    .venv/bin/python bench/bench_stats.py --reuse                 # the seeded 1M database, migrated to head
    .venv/bin/python bench/bench_stats.py --children 50000        # seed a small one first

Measures: rebuild, and stat_read of the province while a second rebuild runs (readers keep the old
figures until the swap); stat_read p50/p95 (province and ward, 1 and 12 months) and stat_read_placed
(province) as the app role with app.agg_scope; a child's update with the triggers (and the share of
the trigger functions, pg_stat_user_functions); refresh of one dirty hamlet over the whole window
(p50/p95 over --refresh-hamlets random hamlets, each its own transaction); table and index sizes.
Writes bench/results/stats-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_registry  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--children", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--db-url-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench")
    p.add_argument("--app-role", default="portal_app")
    p.add_argument("--refresh-hamlets", type=int, default=50)
    args = p.parse_args()
    from bench_database import bench_urls

    bench_urls(args.db_url_admin, args.app_role)
    database = bench_registry.prepare_database(args, os.environ["DATABASE_ADMIN_URL"])

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine, app_engine
    from portal.stats import layer
    from tenancy.service import unit_by_code

    result: dict[str, object] = {"date": date.today().isoformat(), "database": database}
    with Session(admin_engine()) as s:
        started = time.perf_counter()
        layer.rebuild(s)
        s.commit()
        result["rebuild_s"] = round(time.perf_counter() - started, 1)
        s.execute(text("ANALYZE stat_cells"))
        s.commit()
        province = unit_by_code(s, "province", bench_registry.PROVINCE_CODE)
        ward = unit_by_code(s, "commune", bench_registry.WARD_CODE)
        assert province and ward
        result["children"] = s.execute(text("SELECT count(*) FROM children")).scalar()
        result["rows"] = dict(
            s.execute(
                text("SELECT u.level, count(*) FROM stat_cells c JOIN units u ON u.id = c.unit_id GROUP BY 1")
            )
            .tuples()
            .all()
        )
        result["sizes_mb"] = {
            t: round(s.execute(text("SELECT pg_total_relation_size(:t)"), {"t": t}).scalar() / 2**20, 1)
            for t in ("stat_cells", "child_spells", "stat_dirty")
        }
        hamlet = s.execute(
            text("SELECT id FROM units WHERE level = 'hamlet' AND path LIKE :p || '%' LIMIT 1"),
            {"p": ward.path},
        ).scalar()
    result["read_during_rebuild"] = _read_during_rebuild(admin_engine(), app_engine(), province, layer)
    last = layer.open_month()
    year_ago = date(last.year - 1, last.month, 1)
    reads = {
        "province_1_month": ("SELECT * FROM stat_read(:u, :m, :m)", {"u": province.id, "m": last}),
        "province_12_months": (
            "SELECT * FROM stat_read(:u, :f, :m)",
            {"u": province.id, "f": year_ago, "m": last},
        ),
        "ward_1_month": ("SELECT * FROM stat_read(:u, :m, :m)", {"u": ward.id, "m": last}),
        "ward_12_months": ("SELECT * FROM stat_read(:u, :f, :m)", {"u": ward.id, "f": year_ago, "m": last}),
        "province_placed": ("SELECT * FROM stat_read_placed(:p, :m)", {"p": province.path, "m": last}),
    }
    latency = {}
    with app_engine().connect() as conn:
        for name, (sql, params) in reads.items():
            samples = []
            runs = args.runs if "placed" not in name else max(20, args.runs // 4)
            for i in range(runs + 5):
                with conn.begin():
                    conn.execute(text("SELECT set_config('app.agg_scope', :s, true)"), {"s": province.path})
                    t0 = time.perf_counter()
                    conn.execute(text(sql), params).all()
                    if i >= 5:
                        samples.append(time.perf_counter() - t0)
            latency[name] = bench_registry.summary(samples)
    result["read_latency"] = latency
    # a child's update (move within the hamlet's commune is not needed: a sex correction marks and
    # a status round trip opens and closes spells), with the trigger functions' share
    with Session(admin_engine()) as s:
        s.execute(text("SET track_functions = 'pl'"))
        s.execute(text("SELECT pg_stat_reset()"))
        s.commit()
        child = s.execute(
            text("SELECT id FROM children WHERE hamlet_id = :h LIMIT 1"), {"h": hamlet}
        ).scalar()
        samples = []
        for i in range(50):
            t0 = time.perf_counter()
            s.execute(
                text("UPDATE children SET status = :st, updated_at = now() WHERE id = :c"),
                {"st": "moved_away" if i % 2 == 0 else "active", "c": child},
            )
            s.commit()
            samples.append(time.perf_counter() - t0)
        result["child_update_with_triggers"] = bench_registry.summary(samples)
        time.sleep(0.6)  # statistics collector
        result["trigger_functions"] = [
            dict(r._mapping)
            for r in s.execute(
                text(
                    "SELECT funcname, calls, round(total_time::numeric / greatest(calls, 1), 3) AS ms "
                    "FROM pg_stat_user_functions WHERE funcname LIKE 'stat_%' ORDER BY funcname"
                )
            )
        ]
        s.execute(
            text(
                "INSERT INTO stat_dirty SELECT id, DATE '2000-01-01' FROM units WHERE level = 'hamlet' "
                "ORDER BY random() LIMIT :n ON CONFLICT DO NOTHING"
            ),
            {"n": args.refresh_hamlets},
        )
        s.commit()
        first, current = layer.window_start(), layer.open_month()
        samples = []
        while True:
            t0 = time.perf_counter()
            hamlet = s.execute(text("SELECT stat_refresh_next(:f, :o)"), {"f": first, "o": current}).scalar()
            s.commit()
            if hamlet is None:
                break
            samples.append(time.perf_counter() - t0)
        result["refresh_one_hamlet_all_months"] = bench_registry.summary(samples)
    out = Path(__file__).resolve().parent / "results" / f"stats-{result['date']}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


def _read_during_rebuild(admin, app, province, layer) -> dict[str, object]:
    """Rebuild again in a thread while the app role reads the province: reads must not wait for it."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    def rebuild() -> None:
        with Session(admin) as s:
            layer.rebuild(s)
            s.commit()

    worker = threading.Thread(target=rebuild)
    samples, rows = [], set()
    started = time.perf_counter()
    worker.start()
    with app.connect() as conn:
        while worker.is_alive():
            with conn.begin():
                conn.execute(text("SELECT set_config('app.agg_scope', :s, true)"), {"s": province.path})
                t0 = time.perf_counter()
                got = conn.execute(
                    text("SELECT count(*) FROM stat_read(:u, :m, :m)"),
                    {"u": province.id, "m": layer.open_month()},
                ).scalar()
                samples.append(time.perf_counter() - t0)
                rows.add(got)
            time.sleep(0.05)
    worker.join()
    return {
        "rebuild_s": round(time.perf_counter() - started, 1),
        "reads": bench_registry.summary(samples),
        "rows_seen": sorted(rows),  # one figure: never an empty layer
    }


if __name__ == "__main__":
    main()
