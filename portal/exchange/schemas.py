"""Shapes of the exchange API: the mapping's requests and answers, and an import's outcome. Codes are
bounded here (50 characters, as DHIS2's codes); their pattern is checked by the mapping service."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from portal.shapes import Out, UnitNameOut

Code = Annotated[str, msgspec.Meta(max_length=50)]
Key = Annotated[str, msgspec.Meta(max_length=64)]
MAX_CELLS = 2000


class DataSetIn(msgspec.Struct, forbid_unknown_fields=True):
    data_set: Code | None = None


class CellIn(msgspec.Struct, forbid_unknown_fields=True):
    indicator: Key
    cell: Key
    data_element: Code | None = None
    category_option_combo: Code | None = None


class CellsIn(msgspec.Struct, forbid_unknown_fields=True):
    cells: Annotated[list[CellIn], msgspec.Meta(max_length=MAX_CELLS)]


class OrgUnitIn(msgspec.Struct, forbid_unknown_fields=True):
    org_unit: Code | None = None


class DataSetOut(Out):
    definition: str
    name_vi: str
    name_en: str
    data_set: str | None


class CellOut(Out):
    indicator: str
    cell: str
    name_vi: str
    name_en: str
    data_element: str | None
    category_option_combo: str | None


class MappingOut(Out):
    data_sets: list[DataSetOut]
    cells: list[CellOut]


class OrgUnitOut(Out):
    unit: UnitNameOut
    org_unit: str | None


class OrgUnitsOut(Out):
    """A unit's orgUnit code and those of the units directly below it."""

    unit: OrgUnitOut
    below: list[OrgUnitOut]


class ImportedReportOut(Out):
    unit: UnitNameOut
    report_id: int
    cells: int


class ImportOut(Out):
    definition: str
    period: str
    reports: list[ImportedReportOut]
    ignored: int


def imported_json(imported: Any) -> dict[str, Any]:
    """An import's outcome as the API answers it (portal.exchange.importing.Imported)."""
    return {
        "definition": imported.definition.code,
        "period": imported.period.key,
        "reports": [{"unit": u.name_ref(), "report_id": r, "cells": n} for u, r, n in imported.reports],
        "ignored": imported.ignored,
    }
