"""The 2025 reform's old -> new commune targets, loaded from ``tenancy/data/reform_2025_communes.csv``.

The file (see ``SOURCES.md``) joins the ``vietnamadminunits`` converter data with our GSO lists by
code. Rows whose old or new code is not in our lists are not guessed at: they are skipped and
reported. Loading is idempotent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, column, select, table, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from tenancy.load import DATA
from tenancy.models import REFORM_2025, Unit

REFORM_2025_CODE = "VN-2025"
REFORM_2025_BASIS = (
    "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh; các Nghị quyết của Ủy ban Thường vụ "
    "Quốc hội về sắp xếp đơn vị hành chính cấp xã năm 2025"
)

TARGETS = table(
    "reorg_commune_targets",
    column("reorg_id"),
    column("old_unit_id"),
    column("new_unit_id"),
    column("is_default"),
)


@dataclass
class ReformLoad:
    reorg_id: int
    targets: int = 0
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (old_code, new_code, reason)


def _commune_ids(session: Session, valid_from: date | None) -> dict[str, int]:
    era = Unit.valid_from.is_(None) if valid_from is None else Unit.valid_from == valid_from
    rows = session.execute(select(Unit.code, Unit.id).where(Unit.level == "commune", era)).tuples()
    return {code: uid for code, uid in rows if code is not None}


def load_reform_2025(session: Session) -> ReformLoad:
    reorg_id = session.execute(
        text(
            "INSERT INTO reorganisations (code, name, legal_basis, effective_date) "
            "VALUES (:code, :name, :basis, :date) ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code "
            "RETURNING id"
        ),
        {
            "code": REFORM_2025_CODE,
            "name": "Sắp xếp đơn vị hành chính 2025 (bỏ cấp huyện, hợp nhất tỉnh và xã)",
            "basis": REFORM_2025_BASIS,
            "date": REFORM_2025,
        },
    ).scalar_one()
    old_ids, new_ids = _commune_ids(session, None), _commune_ids(session, REFORM_2025)
    report = ReformLoad(reorg_id=reorg_id)
    rows = []
    with open(DATA / "reform_2025_communes.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            old, new = old_ids.get(row["old_code"]), new_ids.get(row["new_code"])
            if old is None or new is None:
                side = "old" if old is None else "new"
                report.skipped.append((row["old_code"], row["new_code"], f"{side} code not in the GSO list"))
                continue
            rows.append(
                {
                    "reorg_id": reorg_id,
                    "old_unit_id": old,
                    "new_unit_id": new,
                    "is_default": row["is_default"] == "1",
                }
            )
    session.execute(insert(TARGETS).values(rows).on_conflict_do_nothing())
    report.targets = len(rows)
    return report


def reform_2025_id(session: Session) -> int:
    found: int = session.execute(
        text("SELECT id FROM reorganisations WHERE code = :c"), {"c": REFORM_2025_CODE}
    ).scalar_one()
    return found


def operations_for_province(session: Session, reorg_id: int, old_province_code: str) -> int:
    """One operation per old commune of the province that has hamlets: merge (one target) or split.

    Idempotent: an old commune that already has an operation in this reorganisation is skipped.
    """
    rows = session.execute(
        text(
            "SELECT o.id, count(*) AS targets, (array_agg(t.new_unit_id) FILTER (WHERE t.is_default))[1] "
            "FROM units o JOIN units p ON p.level = 'province' AND p.code = :prov AND p.valid_from IS NULL "
            "AND o.path >= p.path AND o.path < left(p.path, -1) || '0' "
            "JOIN reorg_commune_targets t ON t.reorg_id = :r AND t.old_unit_id = o.id "
            "WHERE o.level = 'commune' AND EXISTS (SELECT 1 FROM units h WHERE h.parent_id = o.id) "
            "AND NOT EXISTS (SELECT 1 FROM reorg_operations x "
            "WHERE x.reorg_id = :r AND x.source_unit_id = o.id) "
            "GROUP BY o.id, o.code ORDER BY o.code"
        ),
        {"prov": old_province_code, "r": reorg_id},
    ).all()
    last = session.execute(
        text("SELECT coalesce(max(seq), 0) FROM reorg_operations WHERE reorg_id = :r"), {"r": reorg_id}
    ).scalar_one()
    for seq, (old_id, targets, default_id) in enumerate(rows, start=last + 1):
        session.execute(
            text(
                "INSERT INTO reorg_operations (reorg_id, seq, kind, source_unit_id, target_unit_id) "
                "VALUES (:r, :s, :k, :o, :t)"
            ),
            {
                "r": reorg_id,
                "s": seq,
                "k": "merge" if targets == 1 else "split",
                "o": old_id,
                "t": default_id,
            },
        )
    return len(rows)


def decide_split_hamlets_in_blocks(session: Session, reorg_id: int, decided_by: str) -> int:
    """Deterministic demo decisions: each split commune's hamlets, in id order, go in contiguous blocks to
    its targets (the new commune with the old name first, then the default, then by code)."""
    splits = session.execute(
        text(
            "SELECT o.source_unit_id, u.name FROM reorg_operations o JOIN units u ON u.id = o.source_unit_id "
            "WHERE o.reorg_id = :r AND o.kind = 'split' ORDER BY o.seq"
        ),
        {"r": reorg_id},
    ).all()
    decided = 0
    for old_id, old_name in splits:
        targets = [
            t
            for (t,) in session.execute(
                text(
                    "SELECT t.new_unit_id FROM reorg_commune_targets t JOIN units n ON n.id = t.new_unit_id "
                    "WHERE t.reorg_id = :r AND t.old_unit_id = :o "
                    "ORDER BY n.name <> :name, NOT t.is_default, n.code"
                ),
                {"r": reorg_id, "o": old_id, "name": old_name},
            )
        ]
        hamlets = [
            h
            for (h,) in session.execute(
                text("SELECT id FROM units WHERE parent_id = :o AND level = 'hamlet' ORDER BY id"),
                {"o": old_id},
            )
        ]
        block = -(-len(hamlets) // len(targets))  # ceil
        for i, hamlet_id in enumerate(hamlets):
            result = session.execute(
                text(
                    "INSERT INTO reorg_hamlet_decisions (reorg_id, hamlet_id, target_unit_id, decided_by) "
                    "VALUES (:r, :h, :t, :by) ON CONFLICT DO NOTHING"
                ),
                {
                    "r": reorg_id,
                    "h": hamlet_id,
                    "t": targets[min(i // block, len(targets) - 1)],
                    "by": decided_by,
                },
            )
            decided += cast("CursorResult[Any]", result).rowcount
    return decided
