"""The 2025 reform's old -> new commune targets, loaded from ``tenancy/data/reform_2025_communes.csv``.

The file (see ``SOURCES.md``) joins the ``vietnamadminunits`` converter data with our GSO lists by
code. Rows whose old or new code is not in our lists are not guessed at: they are skipped and
reported. Loading is idempotent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import column, select, table, text
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
    return dict(
        session.execute(select(Unit.code, Unit.id).where(Unit.level == "commune", era)).tuples().all()
    )


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
