"""Duplicate detection at province scale: the probe index (migration 0027), with and without it.

    .venv/bin/python bench/bench_duplicates.py                      # 200,000 children, province-wide
    .venv/bin/python bench/bench_duplicates.py --children 1000000   # Hà Nội at full size
    .venv/bin/python bench/bench_duplicates.py --reuse              # keep an already seeded database

Steps: (1) a dedicated database (dropped first unless --reuse): migrate, official units, reference data,
``seed_demo(province_wide=True)`` (realistic Vietnamese names, so common names collide), VACUUM ANALYZE;
(2) a ward officer of the demo ward (Phường Yên Sở) and an in-process request as that officer;
(3) time ``likely_duplicates`` for 1, 100 and 1,000 candidates (half copies of the ward's records, half
new names) and ``list_duplicate_pairs`` for the ward's first page; (4) EXPLAIN (ANALYZE, BUFFERS) the
statements they sent, as the application role with the officer's scope, with the index and without it
(dropped in a transaction that is rolled back); write bench/results/duplicates-<date>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_database import as_request, bench_urls, tokens_for  # noqa: E402

INDEX = "ix_children_duplicate_probe"
# Children (with their guardians) copied into the ward's hamlets, round robin; {where} picks the sources.
COPY_INTO_WARD = """
CREATE TEMP TABLE copied ON COMMIT DROP AS
SELECT c.*, gen_random_uuid() AS new_id,
       h.ids[1 + mod(row_number() OVER (), cardinality(h.ids))::int] AS new_hamlet
FROM children c,
     (SELECT array_agg(id ORDER BY id) ids FROM units WHERE parent_id = :w AND level = 'hamlet') h
WHERE c.status = 'active' AND {where}
ORDER BY random() LIMIT :n;
INSERT INTO children (id, hamlet_id, unit_path, full_name, search_name, sort_name, date_of_birth, sex,
                      ethnicity, school_status, status)
SELECT new_id, new_hamlet, '', full_name, search_name, sort_name, date_of_birth, sex, ethnicity,
       school_status, 'active'
FROM copied;
INSERT INTO guardians (child_id, full_name, relationship, phone, lives_with_child)
SELECT k.new_id, g.full_name, g.relationship, g.phone, g.lives_with_child
FROM guardians g JOIN copied k ON k.id = g.child_id;
DROP TABLE copied
"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--children", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument(
        "--db-url-admin", default="postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_dupes"
    )
    p.add_argument("--app-role", default="portal_app")
    p.add_argument(
        "--ward-children",
        type=int,
        default=8000,
        help="grow the demo ward to this many children (copies of children elsewhere): since 2025 a Hà Nội "
        "commune keeps about 8,000 (1M children, 126 communes)",
    )
    p.add_argument("--ward-duplicates", type=int, default=200, help="records of the ward typed again")
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args()


def seed(args: argparse.Namespace, admin_url: str) -> float:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from infra.bootstrap import drop_database, ensure_database, migrate
    from infra.db import admin_engine
    from portal.demo.seed import seed_demo
    from portal.registry.reference import load_reference
    from tenancy.load import load_official_units

    started = time.perf_counter()
    drop_database(admin_url)
    ensure_database(admin_url)
    migrate(admin_url)
    with Session(admin_engine()) as session:
        load_official_units(session)
        load_reference(session)
        seed_demo(session, seed=args.seed, children=args.children, province_wide=True)
        session.commit()
    vacuum = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    vacuum.dispose()
    return round(time.perf_counter() - started, 1)


def officer() -> tuple[int, str, str]:
    """A ward officer of the demo ward: (user id, ward id, ward path)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine
    from portal.auth.models import User
    from portal.demo.seed import DEMO_WARD
    from tenancy.service import unit_by_code

    with Session(admin_engine()) as owner:
        ward = unit_by_code(owner, "commune", DEMO_WARD)
        assert ward is not None
        user = owner.query(User).filter_by(username="bench-dupes-officer").one_or_none()
        if user is None:
            user = User(
                username="bench-dupes-officer",
                full_name="Bench officer",
                password_hash="!",
                role="ward_officer",
                unit_id=ward.id,
            )
            owner.add(user)
            owner.commit()
        n = owner.execute(
            text("SELECT count(*) FROM children WHERE unit_path >= :p AND unit_path < :p || '~'"),
            {"p": ward.path},
        ).scalar_one()
        print(f"ward {ward.name}: {n} children", flush=True)
        return user.id, str(ward.id), ward.path


def grow_ward(ward_id: str, ward_path: str, wanted: int, duplicates: int) -> None:
    """Copies of children of other communes (with their guardians) into the ward's hamlets, up to
    ``wanted``, and ``duplicates`` of the ward's records typed again in one of its hamlets (nothing when
    the ward is that large already)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    end = ward_path[:-1] + "0"
    with Session(admin_engine()) as owner:
        have = owner.execute(
            text("SELECT count(*) FROM children WHERE unit_path >= :p AND unit_path < :e"),
            {"p": ward_path, "e": end},
        ).scalar_one()
        copy = COPY_INTO_WARD
        outside = "NOT (c.unit_path >= :p AND c.unit_path < :e)"
        inside = "c.unit_path >= :p AND c.unit_path < :e"
        params = {"w": int(ward_id), "p": ward_path, "e": end}
        if have >= wanted:
            return  # grown already (a --reuse run)
        for where, n in ((outside, wanted - have), (inside, duplicates)):
            for statement in copy.format(where=where).split(";"):
                if statement.strip():
                    owner.execute(text(statement), params | {"n": n})
        owner.commit()
    vacuum = create_engine(admin_engine().url, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:
        conn.execute(text("VACUUM ANALYZE children"))
        conn.execute(text("VACUUM ANALYZE guardians"))
    vacuum.dispose()


def candidates(ward_path: str, n: int, rng: random.Random) -> list[Any]:
    """Half copies of the ward's records (likely found), half new names (not found)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine
    from portal.demo.names import person
    from portal.registry.duplicates import Candidate

    with Session(admin_engine()) as owner:
        rows = owner.execute(
            text(
                "SELECT c.full_name, c.date_of_birth, c.sex, array_agg(g.full_name) FROM children c "
                "JOIN guardians g ON g.child_id = c.id WHERE c.unit_path >= :p AND c.unit_path < :p || '~' "
                "GROUP BY c.id ORDER BY random() LIMIT :n"
            ),
            {"p": ward_path, "n": n - n // 2},
        ).all()
    found = [Candidate(r[0], r[1], r[2], None, list(r[3])) for r in rows]
    new = [
        Candidate(person(rng, sex), date(2015, 1, 1 + i % 28), sex, None, [person(rng, "male")])
        for i, sex in enumerate(rng.choice(["male", "female"]) for _ in range(n // 2))
    ]
    return found + new


def measured(token: str, work: Any) -> tuple[float, list[tuple[str, Any]], Any]:
    """Run ``work(session, caller)`` in a request; its time and the statements it sent."""
    from sqlalchemy import event

    from infra.db import app_engine

    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "children" in statement and not statement.lstrip().upper().startswith(
            ("INSERT", "SELECT SET_CONFIG")
        ):
            sent.append((statement, parameters))

    event.listen(app_engine(), "before_cursor_execute", capture)
    try:
        with as_request(token) as (session, caller):
            started = time.perf_counter()
            result = work(session, caller)
            elapsed = time.perf_counter() - started
    finally:
        event.remove(app_engine(), "before_cursor_execute", capture)
    return round(elapsed * 1000, 1), sent, result


def explain(app_role: str, scope: str, user_id: int, statement: str, params: Any, drop_index: bool) -> str:
    from sqlalchemy import text

    from infra.db import admin_engine

    with admin_engine().connect() as conn, conn.begin() as tx:
        if drop_index:
            conn.execute(text(f"DROP INDEX {INDEX}"))
        conn.execute(text(f'SET LOCAL ROLE "{app_role}"'))
        conn.execute(text("SELECT set_config('app.scope', :s, true)"), {"s": scope})
        conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": str(user_id)})
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
        tx.rollback()
    return "\n".join(r[0] for r in rows)


def main() -> None:
    args = parse_args()
    admin_url, _ = bench_urls(args.db_url_admin, args.app_role)
    seeding = None if args.reuse else seed(args, admin_url)
    from portal.registry.duplicate_pairs import list_duplicate_pairs
    from portal.registry.duplicates import likely_duplicates
    from tenancy.service import get_unit

    user_id, ward_id, ward_path = officer()
    grow_ward(ward_id, ward_path, args.ward_children, args.ward_duplicates)
    user_id, ward_id, ward_path = officer()
    token = tokens_for([user_id])[user_id]
    rng = random.Random(args.seed)
    result: dict[str, Any] = {
        "children": args.children,
        "ward_children": args.ward_children,
        "seeding_s": seeding,
        "runs": [],
    }
    for n in (1, 100, 1000):
        batch = candidates(ward_path, n, rng)
        ms, sent, found = measured(token, lambda s, c, b=batch: likely_duplicates(s, c, b))
        plans = {
            "with index": explain(args.app_role, ward_path, user_id, *sent[0], drop_index=False),
            "without index": explain(args.app_role, ward_path, user_id, *sent[0], drop_index=True),
        }
        hits = sum(1 for m in found if m)
        result["runs"].append(
            {"what": f"likely_duplicates, {n} candidates", "ms": ms, "hits": hits, "plans": plans}
        )
        print(f"likely_duplicates({n}): {ms} ms, {hits} with suspects", flush=True)

    def pairs(session: Any, caller: Any) -> Any:
        ward = get_unit(session, int(ward_id))
        assert ward is not None
        return list_duplicate_pairs(session, caller, ward, 1, 20)

    ms, sent, page = measured(token, pairs)
    statement = next(s for s in sent if " b ON" in s[0] or "AS b" in s[0])
    plans = {
        "with index": explain(args.app_role, ward_path, user_id, *statement, drop_index=False),
        "without index": explain(args.app_role, ward_path, user_id, *statement, drop_index=True),
    }
    result["runs"].append(
        {"what": "list_duplicate_pairs, page 1", "ms": ms, "hits": page.total, "plans": plans}
    )
    print(f"list_duplicate_pairs: {ms} ms, {page.total} pairs", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"duplicates-{date.today().isoformat()}"
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    lines = [
        f"# Duplicate detection: {args.children} children, the demo ward grown to {args.ward_children}, "
        f"seeding {seeding} s",
        "",
    ]
    for run in result["runs"]:
        lines += [f"## {run['what']}: {run['ms']} ms in the request ({run['hits']} found)", ""]
        for label, plan in run["plans"].items():
            timing = [x for x in plan.splitlines() if "Execution Time" in x or "Planning Time" in x]
            lines += [f"- {label}: {'; '.join(t.strip() for t in timing)}"]
        lines += ["", "<details><summary>plans</summary>", ""]
        for label, plan in run["plans"].items():
            lines += [f"### {label}", "", "```", plan, "```", ""]
        lines += ["</details>", ""]
    stem.with_suffix(".md").write_text("\n".join(lines))
    print(f"wrote {stem}.md", flush=True)


if __name__ == "__main__":
    main()
