"""Load the official unit lists (GSO codes) shipped in ``tenancy/data`` into the unit tree.

Two eras are kept side by side: the three-tier tree in force until 30 June 2025 (valid_to
2025-07-01) and the two-tier tree since 1 July 2025 (valid_from 2025-07-01). Loading is
idempotent: units already present (same level, code and era) are left as they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from tenancy.models import REFORM_2025, Unit

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Era:
    file: str
    valid_from: date | None
    valid_to: date | None


PRE_2025 = Era("units_pre2025.csv", None, REFORM_2025)
SINCE_2025 = Era("units_2025.csv", REFORM_2025, None)


def load_era(session: Session, era: Era) -> int:
    """Insert the era's missing units; returns how many were added."""
    with open(DATA / era.file, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    era_filter = Unit.valid_from.is_(None) if era.valid_from is None else Unit.valid_from == era.valid_from
    known: dict[tuple[str, str | None], tuple[int, str]] = {
        (level, code): (uid, path)
        for level, code, uid, path in session.execute(
            select(Unit.level, Unit.code, Unit.id, Unit.path).where(era_filter, Unit.code.is_not(None))
        ).tuples()
    }
    missing = [r for r in rows if (r["level"], r["code"]) not in known]
    if not missing:
        return 0
    ids = (
        session.execute(
            text("SELECT nextval(pg_get_serial_sequence('units', 'id')) FROM generate_series(1, :n)"),
            {"n": len(missing)},
        )
        .scalars()
        .all()
    )
    parent_level = {"district": "province", "commune": None, "province": None}
    new_rows = []
    for row, uid in zip(missing, ids, strict=True):
        level, code, parent_code = row["level"], row["code"], row["parent_code"]
        if level == "province":
            parent_id, parent_path = None, "/"
        else:
            wanted = parent_level[level] or (
                "district" if (("district", parent_code) in known) else "province"
            )
            parent_id, parent_path = known[(wanted, parent_code)]
        path = f"{parent_path}{uid}/"
        known[(level, code)] = (uid, path)
        new_rows.append(
            {
                "id": uid,
                "parent_id": parent_id,
                "level": level,
                "code": code,
                "name": row["name"],
                "kind": row["kind"],
                "path": path,
                "depth": path.count("/") - 1,
                "valid_from": era.valid_from,
                "valid_to": era.valid_to,
            }
        )
    session.execute(cast(Table, Unit.__table__).insert(), new_rows)
    return len(new_rows)


def load_official_units(session: Session) -> dict[str, int]:
    return {era.file: load_era(session, era) for era in (PRE_2025, SINCE_2025)}
