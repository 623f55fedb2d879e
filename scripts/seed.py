"""Migrate and seed: official units, reference data, and (with --demo) the demo area and accounts.

python scripts/seed.py --demo [--seed 2024] [--children 20000] [--province-wide]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session  # noqa: E402

from infra.bootstrap import ensure_database, migrate  # noqa: E402
from infra.db import admin_engine  # noqa: E402
from infra.settings import get_settings  # noqa: E402
from portal.demo.seed import DEMO_PASSWORD, seed_demo  # noqa: E402
from portal.registry.reference import load_reference  # noqa: E402
from portal.reports.catalog import load_catalog  # noqa: E402
from portal.stats.layer import rebuild as rebuild_stats  # noqa: E402
from tenancy.load import load_official_units  # noqa: E402
from tenancy.reform import load_reform_2025  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo", action="store_true", help="create demo hamlets, children and accounts")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (deterministic data)")
    parser.add_argument("--children", type=int, default=20_000, help="children to create in an empty area")
    parser.add_argument("--province-wide", action="store_true", help="hamlets in every commune of Hà Nội")
    args = parser.parse_args()
    settings = get_settings()
    ensure_database(settings.database_admin_url)
    migrate(settings.database_admin_url)
    started = time.perf_counter()
    with Session(admin_engine()) as session:
        units = load_official_units(session)
        refs = load_reference(session)
        catalog = load_catalog(session)
        reform = load_reform_2025(session)
        report = seed_demo(session, args.seed, args.children, args.province_wide) if args.demo else None
        session.commit()
        rebuild_stats(session)  # the aggregate readers' statistics layer, from the seeded registry
        session.commit()
    print(f"units added: {units}; reference codes: {refs}; report catalogue entries: {catalog}")
    print(
        f"2025 reform: {reform.targets} old -> new commune targets; {len(reform.skipped)} rows skipped "
        f"(codes not in the GSO lists: {', '.join(sorted({r[0] for r in reform.skipped}))})"
    )
    if report:
        print(
            f"demo: {report.hamlets_created} hamlets and {report.children_created} children added, "
            f"accounts added: {', '.join(report.users_created) or 'none (already there)'}"
        )
        print(
            f"demo accounts (password '{DEMO_PASSWORD}'): demo-admin, demo-inspector (Hà Nội), "
            "demo-district (Quận Hoàng Mai), demo-officer (Phường Yên Sở), demo-collab-1, demo-collab-2 "
            "(two hamlets of Yên Sở)"
        )
    print(f"seeded in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
