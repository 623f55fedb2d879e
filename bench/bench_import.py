"""Register import benchmark: a 100,000-row XLSX register checked and applied, as the worker does it.

    .venv/bin/python bench/bench_import.py                  # 100,000 rows
    .venv/bin/python bench/bench_import.py --rows 20000     # quick run

Steps: (1) create a dedicated database (dropped first), migrate, load the reference codes, make one
commune with 12 hamlets and its ward officer; (2) write an XLSX register with openpyxl (the usual
Vietnamese headings, a title row, dates as Excel dates, some as dd/mm/yyyy text and some as a year,
personal ids for most children, a parent for each, a special-circumstance group for some); (3) time,
as that ward officer with the application role (row-level security on): the upload (file checks and
storage), the dry run (``portal.imports.job.run``: read, every row through the registry's checks,
duplicates, the errors workbook) and the apply (the rows checked again in the apply's transaction, then
children, guardians, periods, history and row keys written in batches, committed at once); (4) apply
the same file again (nothing added). Prints a Markdown summary and writes
bench/results/import-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))
from bench.bench_database import bench_urls  # noqa: E402

HEADINGS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số định danh"]
HEADINGS += ["Họ tên cha/mẹ/người nuôi dưỡng", "Số điện thoại", "Thôn/Tổ", "Hoàn cảnh đặc biệt"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000, help="rows in the register file")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument(
        "--db-url-admin",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_import",
        help="owner/superuser URL of the bench database (its name must contain 'bench'; it is dropped)",
    )
    p.add_argument("--app-role", default="portal_app", help="application role (must not own the tables)")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args()


def make_register(rows: int, hamlets: list[str], seed: int) -> bytes:
    from openpyxl import Workbook

    from portal.demo.names import person
    from portal.registry.reference import ETHNICITIES

    rng = random.Random(seed)
    today = date.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["DANH SÁCH TRẺ EM TRÊN ĐỊA BÀN"])
    ws.append(HEADINGS)
    for i in range(1, rows + 1):
        sex = rng.choice(("male", "female"))
        born = today - timedelta(days=rng.randint(30, 15 * 365))
        shown: Any = datetime(born.year, born.month, born.day)
        if i % 10 == 0:
            shown = born.strftime("%d/%m/%Y")
        elif i % 97 == 0:
            shown = born.year
        ws.append(
            [
                i,
                person(rng, sex),
                shown,
                "Nam" if sex == "male" else "Nữ",
                ETHNICITIES[0] if rng.random() < 0.85 else rng.choice(ETHNICITIES[:20]),
                f"0011{born.year % 100:02d}{i:06d}" if i % 5 else None,
                person(rng, rng.choice(("male", "female"))),
                f"09{rng.randint(10_000_000, 99_999_999)}",
                hamlets[i % len(hamlets)],
                rng.choice(("a", "d", "đ", "Trẻ em khuyết tật")) if i % 40 == 0 else None,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def prepare(admin_url: str) -> tuple[int, int, list[str]]:
    """A fresh database with one commune, its hamlets and its ward officer: (user id, commune id, names)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.bootstrap import drop_database, ensure_database, migrate
    from infra.db import admin_engine
    from portal.auth.models import User
    from portal.auth.passwords import hash_password
    from portal.registry.reference import load_reference

    drop_database(admin_url)
    ensure_database(admin_url)
    migrate(admin_url)
    with Session(admin_engine()) as owner:
        load_reference(owner)

        def unit(parent: tuple[int, str] | None, level: str, name: str) -> tuple[int, str]:
            uid = owner.execute(text("SELECT nextval(pg_get_serial_sequence('units','id'))")).scalar_one()
            path = f"{parent[1] if parent else '/'}{uid}/"
            owner.execute(
                text(
                    "INSERT INTO units (id, parent_id, level, name, path, depth) "
                    "VALUES (:id, :parent, :level, :name, :path, :depth)"
                ),
                {
                    "id": uid,
                    "parent": parent[0] if parent else None,
                    "level": level,
                    "name": name,
                    "path": path,
                    "depth": path.count("/") - 1,
                },
            )
            return uid, path

        province = unit(None, "province", "Tỉnh Thử")
        commune = unit(province, "commune", "Xã Thử")
        names = [f"Thôn {i}" for i in range(1, 13)]
        for name in names:
            unit(commune, "hamlet", name)
        user = User(
            username="bench-import-officer",
            full_name="Cán bộ thử",
            password_hash=hash_password("bench-password-2024"),
            role="ward_officer",
            unit_id=commune[0],
            is_active=True,
        )
        owner.add(user)
        owner.commit()
        return user.id, commune[0], names


def timed_run(caller: Any, import_id: Any) -> tuple[float, float, str]:
    """Wall-clock seconds, this process's CPU seconds, and the job's outcome."""
    from portal.imports.job import run

    started, cpu = time.perf_counter(), time.process_time()
    outcome = run(caller, import_id)
    return time.perf_counter() - started, time.process_time() - cpu, outcome


def main() -> None:
    args = parse_args()
    admin_url, _app_url = bench_urls(args.db_url_admin, args.app_role)
    os.environ.setdefault("STORAGE_DIR", tempfile.mkdtemp(prefix="bench-import-"))
    os.environ.pop("S3_ENDPOINT", None)
    user_id, commune_id, hamlets = prepare(admin_url)

    from infra.db import scoped_session
    from portal.imports.models import RegisterImport
    from portal.imports.service import apply_import, request_import
    from tasks.requester import requester
    from tenancy.models import Unit

    started = time.perf_counter()
    content = make_register(args.rows, hamlets, args.seed)
    made = time.perf_counter() - started
    caller = requester(user_id, "import", "create")
    assert not isinstance(caller, str), caller
    result: dict[str, Any] = {"date": date.today().isoformat(), "rows": args.rows, "file_bytes": len(content)}
    result["make_file_s"] = round(made, 2)
    for attempt in ("first", "again"):
        started = time.perf_counter()
        with scoped_session(caller.scope) as session:
            commune = session.get(Unit, commune_id)
            assert commune is not None
            imp = request_import(session, caller, commune, "so.xlsx", content, {}, dry_run=True)
            session.info.pop("tasks_after_commit", None)  # run in this process, not by a worker
            import_id = imp.id
        upload = time.perf_counter() - started
        check, check_cpu, status = timed_run(caller, import_id)
        with scoped_session(caller.scope) as session:
            checked = session.get(RegisterImport, import_id)
            assert checked is not None and status == "checked", (status, checked and checked.error)
            counts = dict(checked.counts or {})
            apply_import(session, caller, import_id, "skip")
            session.info.pop("tasks_after_commit", None)
        apply, apply_cpu, status = timed_run(caller, import_id)
        with scoped_session(caller.scope) as session:
            applied = session.get(RegisterImport, import_id)
            assert applied is not None and status == "applied", (status, applied and applied.error)
            counts = dict(applied.counts or counts)
        result[attempt] = {
            "upload_s": round(upload, 2),
            "dry_run_s": round(check, 2),
            "apply_s": round(apply, 2),
            "dry_run_cpu_s": round(check_cpu, 2),
            "apply_cpu_s": round(apply_cpu, 2),
            "total_s": round(upload + check + apply, 2),
            "counts": counts,
        }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"import-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    lines = [
        f"# Register import benchmark, {result['date']}",
        "",
        f"{args.rows:,} rows, XLSX of {len(content) / 1e6:.1f} MB; ward officer, application role (RLS on).",
        "",
        "| run | upload | dry run (CPU) | apply: check + write in one transaction (CPU) | total | added |",
        "|---|---|---|---|---|---|",
    ]
    for attempt in ("first", "again"):
        r = result[attempt]
        lines.append(
            f"| {attempt} | {r['upload_s']} s | {r['dry_run_s']} s ({r['dry_run_cpu_s']} s) "
            f"| {r['apply_s']} s ({r['apply_cpu_s']} s) | {r['total_s']} s "
            f"| {r['counts'].get('added')} |"
        )
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.1f} (2 cores)."]
    text = "\n".join(lines) + "\n"
    stem.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
