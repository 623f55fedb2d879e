"""The DHIS2 code mapping an administrator maintains: report definitions as dataSets, indicator cells as
dataElement + categoryOptionCombo, units as orgUnits.

Casbin decides who writes: ``exchange_mapping, edit`` (the codes shared by the whole country: the
administrator) and ``exchange_org_unit, edit`` (a unit's orgUnit: the administrator, and a provincial
inspector inside their province, checked by ``authorize`` on the unit). Row-level security (migration
0040) checks the same: the shared codes only under the whole tree's scope, an orgUnit only in scope.
Everyone who reads reports reads the codes: they are public identifiers, not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import utcnow
from infra.db import savepoint
from infra.errors import FieldError, ValidationFailed, refused_as
from portal.audit.service import record as audit
from portal.exchange.models import CODE_PATTERN, Dhis2DataElement, Dhis2DataSet, Dhis2OrgUnit
from portal.reports.models import Indicator, ReportDefinition
from tenancy.models import Unit
from tenancy.service import child_units, get_unit

CODE = re.compile(CODE_PATTERN)
CODE_HINT = "must be 1 to 50 letters, digits, '_', '.' or '-' (a DHIS2 code or uid)"


@dataclass(frozen=True)
class Mapping:
    """The whole mapping, read once per export or import."""

    data_sets: dict[str, str]  # definition code -> dataSet
    cells: dict[tuple[str, str], tuple[str, str]]  # (indicator, cell) -> (dataElement, categoryOptionCombo)
    org_units: dict[int, str]  # unit id -> orgUnit

    def cell_of(self, data_element: str, combo: str) -> tuple[str, str] | None:
        """The (indicator, cell) a dataElement and categoryOptionCombo stand for."""
        return self._by_code.get((data_element, combo))

    @property
    def _by_code(self) -> dict[tuple[str, str], tuple[str, str]]:
        return {codes: cell for cell, codes in self.cells.items()}


def load_mapping(session: Session, unit_ids: list[int] | None = None) -> Mapping:
    """The data set and cell codes, and the orgUnits of ``unit_ids`` (all when None)."""
    units = select(Dhis2OrgUnit.unit_id, Dhis2OrgUnit.org_unit)
    if unit_ids is not None:
        units = units.where(Dhis2OrgUnit.unit_id.in_(unit_ids))
    return Mapping(
        data_sets=dict(
            session.execute(select(Dhis2DataSet.definition_code, Dhis2DataSet.data_set)).tuples().all()
        ),
        cells={
            (r.indicator, r.cell): (r.data_element, r.category_option_combo)
            for r in session.scalars(select(Dhis2DataElement))
        },
        org_units=dict(session.execute(units).tuples().all()),
    )


def unit_for_org_unit(session: Session, org_unit: str) -> Unit | None:
    """The unit mapped to ``org_unit``, if any."""
    unit_id = session.scalar(select(Dhis2OrgUnit.unit_id).where(Dhis2OrgUnit.org_unit == org_unit))
    return get_unit(session, unit_id) if unit_id is not None else None


def _code(field: str, value: str) -> list[FieldError]:
    return [] if CODE.match(value) else [FieldError(field, CODE_HINT, "bad_code")]


def set_data_set(session: Session, caller: Caller, definition: str, data_set: str | None) -> None:
    """Map a report definition to a dataSet (None or empty: remove the mapping)."""
    authorize_action(caller, "exchange_mapping", "edit")
    if _definition_id(session, definition) is None:
        raise ValidationFailed([FieldError("definition", "is not a report definition", "unknown")])
    if not data_set:
        session.execute(delete(Dhis2DataSet).where(Dhis2DataSet.definition_code == definition))
    else:
        errors = _code("data_set", data_set)
        if errors:
            raise ValidationFailed(errors)
        taken = FieldError("data_set", "is already the dataSet of another report", "code_taken")
        with refused_as({"uq_dhis2_data_sets_data_set": taken}), savepoint(session):
            values = {"data_set": data_set, "updated_by": caller.user_id, "updated_at": utcnow()}
            stmt = insert(Dhis2DataSet).values(definition_code=definition, **values)
            session.execute(stmt.on_conflict_do_update(index_elements=["definition_code"], set_=values))
    audit(caller.actor, "update", "exchange_mapping", "allowed", resource_ids=[definition])


def _definition_id(session: Session, code: str) -> int | None:
    return session.scalar(select(ReportDefinition.id).where(ReportDefinition.code == code))


def set_cells(session: Session, caller: Caller, rows: dict[tuple[str, str], tuple[str, str] | None]) -> int:
    """Map indicator cells to dataElement + categoryOptionCombo (None: remove); all or nothing, every bad
    code named by its cell (``de.<indicator>.<cell>``, ``coc.<indicator>.<cell>``). Returns how many."""
    authorize_action(caller, "exchange_mapping", "edit")
    known = {(i.code, c["key"]) for i in session.scalars(select(Indicator)) for c in i.cells}
    errors: list[FieldError] = []
    seen: dict[tuple[str, str], str] = {}
    for (indicator, cell), codes in rows.items():
        where = f"{indicator}.{cell}"
        if (indicator, cell) not in known:
            errors.append(FieldError(f"de.{where}", "is not a cell of the catalogue", "unknown"))
            continue
        if codes is None:
            continue
        errors += _code(f"de.{where}", codes[0]) + _code(f"coc.{where}", codes[1])
        if codes in seen:
            errors.append(FieldError(f"de.{where}", f"has the same codes as {seen[codes]}", "code_taken"))
        seen[codes] = where
    if errors:
        raise ValidationFailed(errors)
    taken = FieldError("de", "a dataElement and categoryOptionCombo are already another cell's", "code_taken")
    with refused_as({"uq_dhis2_data_elements_data_element": taken}), savepoint(session):
        for indicator, cell in rows:
            session.execute(
                delete(Dhis2DataElement).where(
                    Dhis2DataElement.indicator == indicator, Dhis2DataElement.cell == cell
                )
            )
        session.flush()
        for (indicator, cell), codes in rows.items():
            if codes is not None:
                session.add(
                    Dhis2DataElement(
                        indicator=indicator,
                        cell=cell,
                        data_element=codes[0],
                        category_option_combo=codes[1],
                        updated_by=caller.user_id,
                        updated_at=utcnow(),
                    )
                )
        session.flush()
    audit(caller.actor, "update", "exchange_mapping", "allowed", resource_ids=[f"{i}.{c}" for i, c in rows])
    return len(rows)


def set_org_unit(session: Session, caller: Caller, unit: Unit, org_unit: str | None) -> None:
    """Map a unit of the caller's area to an orgUnit (None or empty: remove the mapping)."""
    authorize(caller, "exchange_org_unit", "edit", unit)
    if not org_unit:
        session.execute(delete(Dhis2OrgUnit).where(Dhis2OrgUnit.unit_id == unit.id))
    else:
        errors = _code("org_unit", org_unit)
        if errors:
            raise ValidationFailed(errors)
        taken = FieldError("org_unit", "is already the orgUnit of another unit", "code_taken")
        with refused_as({"uq_dhis2_org_units_org_unit": taken}), savepoint(session):
            values = {"org_unit": org_unit, "updated_by": caller.user_id, "updated_at": utcnow()}
            stmt = insert(Dhis2OrgUnit).values(unit_id=unit.id, **values)
            session.execute(stmt.on_conflict_do_update(index_elements=["unit_id"], set_=values))
    audit(caller.actor, "update", "exchange_org_unit", "allowed", unit_id=unit.id)


def mapping_json(session: Session, caller: Caller) -> dict[str, Any]:
    """Every report definition and indicator cell with its codes (or none yet), in catalogue order."""
    authorize_action(caller, "report", "read")
    mapping = load_mapping(session, [])
    definitions = session.scalars(select(ReportDefinition).order_by(ReportDefinition.id))
    indicators = session.scalars(select(Indicator).order_by(Indicator.sort))
    return {
        "data_sets": [
            {
                "definition": d.code,
                "name_vi": d.name_vi,
                "name_en": d.name_en,
                "data_set": mapping.data_sets.get(d.code),
            }
            for d in definitions
        ],
        "cells": [
            {
                "indicator": i.code,
                "cell": c["key"],
                "name_vi": f"{i.name_vi}: {c['name_vi']}",
                "name_en": f"{i.name_en}: {c['name_en']}",
                "data_element": mapping.cells.get((i.code, c["key"]), (None, None))[0],
                "category_option_combo": mapping.cells.get((i.code, c["key"]), (None, None))[1],
            }
            for i in indicators
            for c in i.cells
        ],
    }


def org_units_json(session: Session, caller: Caller, unit: Unit) -> dict[str, Any]:
    """The unit's orgUnit and those of the units in force directly below it (read: the caller covers it)."""
    authorize(caller, "report", "read", unit)
    below = [u for u in child_units(session, unit.id) if u.valid_to is None]
    codes = load_mapping(session, [unit.id, *(u.id for u in below)]).org_units
    return {
        "unit": {"unit": unit.name_ref(), "org_unit": codes.get(unit.id)},
        "below": [{"unit": u.name_ref(), "org_unit": codes.get(u.id)} for u in below],
    }
