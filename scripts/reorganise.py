"""Reorganisations from the command line (owner connection; every apply and revert is audited).

    python scripts/reorganise.py reform-2025 --province 01 --dry-run
    python scripts/reorganise.py reform-2025 --province 01 --decide-blocks --confirm-access-gains \\
        [--demo-staff]
    python scripts/reorganise.py revert --code VN-2025

``reform-2025`` adds one operation per old commune of the province that has hamlets (merge, or split
with its default target), optionally decides the split communes' hamlets in deterministic blocks,
shows the dry run, and applies unless ``--dry-run``. ``--demo-staff`` then reassigns the demo ward
officer, chairman, inspector and hotline to their units in the new structure (collaborators keep
their hamlets).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from authz.caller import Actor  # noqa: E402
from infra.db import admin_engine  # noqa: E402
from portal.audit.service import record  # noqa: E402
from tenancy import reform, reorg  # noqa: E402

CLI = Actor(None, "cli:reorganise", "admin")
DEMO_STAFF = {  # their 2025 units
    "demo-officer": ("commune", "00331"),
    "demo-chairman": ("commune", "00331"),
    "demo-inspector": ("province", "01"),
    "demo-hotline": ("province", "01"),
}


def _print_review(review: dict[str, object]) -> None:
    brief = {k: v for k, v in review.items() if not isinstance(v, list)}
    print(json.dumps(brief, ensure_ascii=False, default=str))
    for key in ("hamlets_needing_decision", "access_gains", "access_losses", "staff_to_reassign", "problems"):
        items = review.get(key) or []
        assert isinstance(items, list)
        print(f"{key}: {len(items)}")
        for item in items[:10]:
            print(f"  {json.dumps(item, ensure_ascii=False, default=str)}")


def reassign_demo_staff(session: Session) -> list[str]:
    moved = []
    for username, (level, code) in DEMO_STAFF.items():
        row = session.execute(
            text(
                "UPDATE users SET unit_id = n.id FROM units n WHERE users.username = :u AND n.level = :l "
                "AND n.code = :c AND n.valid_from = '2025-07-01' AND users.unit_id <> n.id RETURNING n.id"
            ),
            {"u": username, "l": level, "c": code},
        ).first()
        if row:
            moved.append(username)
            record(CLI, "reassign", "user", "allowed", resource_ids=[username], unit_id=row[0])
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    r25 = sub.add_parser("reform-2025")
    r25.add_argument("--province", default="01", help="old (pre-2025) province code")
    r25.add_argument("--dry-run", action="store_true")
    r25.add_argument("--decide-blocks", action="store_true", help="decide split hamlets in blocks")
    r25.add_argument("--confirm-access-gains", action="store_true")
    r25.add_argument("--demo-staff", action="store_true")
    rev = sub.add_parser("revert")
    rev.add_argument("--code", default=reform.REFORM_2025_CODE)
    args = parser.parse_args()
    started = time.perf_counter()
    with Session(admin_engine()) as session:
        if args.command == "revert":
            rid = session.execute(
                text("SELECT id FROM reorganisations WHERE code = :c"), {"c": args.code}
            ).scalar_one()
            steps = reorg.revert(session, rid)
            session.commit()
            record(CLI, "revert", "reorganisation", "allowed", resource_ids=[rid], detail={"steps": steps})
            print(f"reverted {args.code}: {steps} steps undone in {time.perf_counter() - started:.1f}s")
            return 0
        rid = reform.reform_2025_id(session)
        ops = reform.operations_for_province(session, rid, args.province)
        decided = reform.decide_split_hamlets_in_blocks(session, rid, "cli") if args.decide_blocks else 0
        session.commit()
        print(f"operations added: {ops}; hamlet decisions added: {decided}")
        review = reorg.dry_run(session, rid)
        _print_review(review)
        if args.dry_run:
            return 0
        applying = time.perf_counter()
        try:
            summary = reorg.apply(session, rid, "cli", args.confirm_access_gains)
        except (reorg.ReorgError, reorg.AccessReviewRequired) as exc:
            session.rollback()
            record(CLI, "apply", "reorganisation", "refused", resource_ids=[rid], detail={"reason": str(exc)})
            print(f"not applied: {exc}", file=sys.stderr)
            return 1
        moved_staff = reassign_demo_staff(session) if args.demo_staff else []
        session.commit()
        took = time.perf_counter() - applying
        if not summary.get("already_applied"):
            record(
                CLI,
                "apply",
                "reorganisation",
                "allowed",
                resource_ids=[rid],
                detail={k: summary[k] for k in ("units_moved", "hamlets_moved", "children_moved")},
            )
        state = "already applied" if summary.get("already_applied") else f"applied in {took:.1f}s"
        print(
            f"{reform.REFORM_2025_CODE} {state}: {summary['units_moved']} units, {summary['hamlets_moved']} "
            f"hamlets and {summary['children_moved']} children moved; "
            f"staff reassigned: {moved_staff or 'none'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
