"""The standard indicators, report definitions and targets (``data/catalog.json``), loaded as data.

Group, risk and support cells are expanded from the reference codes, so a new code in the
reference data becomes a new cell of the report without a code change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from portal.registry.models import ReferenceCode
from portal.reports.campaigns import Campaign, campaign_rows
from portal.reports.due import add_defaults
from portal.reports.models import Indicator, ReportDefinition, Target

CATALOG = Path(__file__).with_name("data") / "catalog.json"


def zero_cells(code: str) -> dict[str, int]:
    """The cells of an indicator typed by hand, each 0 (partition totals left out): a form's blank."""
    spec = next(i for i in json.loads(CATALOG.read_text(encoding="utf-8"))["indicators"] if i["code"] == code)
    derived = {"total"} if spec.get("partitions") else set()
    return {row[0]: 0 for row in spec["cells"] if row[0] not in derived and (len(row) < 5 or row[4] is None)}


def _cell(row: list[Any]) -> dict[str, Any]:
    key, vi, en, *rest = row
    cell: dict[str, Any] = {"key": key, "name_vi": vi, "name_en": en}
    if rest and rest[0] is not None:
        cell["max"] = rest[0]
    if len(rest) > 1 and rest[1] is not None:
        cell["auto"] = rest[1]  # a constant this unit contributes (e.g. one commune reporting)
    return cell


def indicator_rows(session: Session, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for sort, spec in enumerate(raw):
        cells = [_cell(c) for c in spec["cells"]]
        if "cells_from" in spec:
            codes = session.execute(
                select(ReferenceCode.code, ReferenceCode.name_vi, ReferenceCode.name_en)
                .where(ReferenceCode.kind == spec["cells_from"], ReferenceCode.parent_code.is_(None))
                .order_by(ReferenceCode.sort)
            ).all()
            cells += [{"key": c, "name_vi": vi, "name_en": en} for c, vi, en in codes]
        for cell in cells:
            if cell["key"] in spec.get("internal_at", {}):
                # a move cell: from this level up the move is inside the reporting unit (figures.compose)
                cell["internal_at"] = spec["internal_at"][cell["key"]]
        rows.append(
            {
                "code": spec["code"],
                "name_vi": spec["name_vi"],
                "name_en": spec["name_en"],
                "source": spec["source"],
                "entry_level": spec.get("entry_level"),
                "cells": cells,
                "partitions": spec.get("partitions", []),
                "rules": spec.get("rules", []),
                "counts_children": spec.get("counts_children", True),
                "legal_basis": spec.get("legal_basis"),
                "sort": sort,
                "over_periods": spec.get("over_periods", "sum"),
            }
        )
    return rows


def _upsert(session: Session, model: type, rows: list[dict[str, Any]], key: str) -> None:
    stmt = insert(model).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[key], set_={c: stmt.excluded[c] for c in rows[0] if c != key}
        )
    )


def load_catalog(session: Session, path: Path = CATALOG) -> int:
    """Insert or update every indicator, definition, target and campaign, and give a new definition the
    portal's default due days (portal.reports.due); needs the reference codes loaded.

    Run by ``scripts/seed.py`` at every deployment (the production command), so a database made with an
    older catalogue takes the new indicators and cells: every definition lists every indicator again.
    Reports already made keep their figures; a cell they lack reads as not reported (``figures``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    indicators = indicator_rows(session, data["indicators"])
    codes = [i["code"] for i in indicators]
    _upsert(session, Indicator, indicators, "code")
    definitions = [
        {
            "code": d["code"],
            "name_vi": d["name_vi"],
            "name_en": d["name_en"],
            "period_type": d["period_type"],
            "lowest_level": d["lowest_level"],
            "indicators": d.get("indicators", codes),
            "legal_basis": d.get("legal_basis", "Thông tư 13/2021/TT-BLĐTBXH"),
        }
        for d in data["definitions"]
    ]
    _upsert(session, ReportDefinition, definitions, "code")
    add_defaults(session)  # the due days a definition lacks; an administrator's change stays
    targets = [
        {
            k: t.get(k)
            for k in (
                "code",
                "name_vi",
                "name_en",
                "numerator",
                "denominator",
                "default_pct",
                "legal_basis",
                "months",
            )
        }
        | {"sort": i}
        for i, t in enumerate(data["targets"])
    ]
    _upsert(session, Target, targets, "code")
    campaigns = campaign_rows(data.get("campaigns", []))
    if campaigns:
        _upsert(session, Campaign, campaigns, "code")
    return len(indicators) + len(definitions) + len(targets) + len(campaigns)
