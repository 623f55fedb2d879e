"""Shapes of the child-friendly assessment API's answers (msgspec), for the OpenAPI document and for
checking what is sent: the views build dictionaries, converted at the boundary with
:func:`msgspec.convert` (a key without its field here fails loudly)."""

from __future__ import annotations

from typing import Any

import msgspec

Count = int | str | None
"""A count; "<5" when published to a reader who does not keep the commune's records."""


class UnitRef(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    code: str | None
    name: str
    level: str
    path: str


class UnitName(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    code: str | None
    name: str
    level: str


class ValueOut(msgspec.Struct, forbid_unknown_fields=True):
    flag: bool | None
    count: Count
    numerator: Count
    denominator: Count
    pct: float | None


class FileRef(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: str


class IndicatorOut(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    kind: str
    source: str
    computed: bool
    paraphrased: bool
    max_points: int
    bands: list[list[float]]
    points: int | None
    value: ValueOut
    detail: dict[str, Any]
    document: str | None
    note: str | None
    files: list[FileRef]
    numerator_vi: str | None = None
    numerator_en: str | None = None
    denominator_vi: str | None = None
    denominator_en: str | None = None


class CriterionOut(msgspec.Struct, forbid_unknown_fields=True):
    no: int
    code: str
    name_vi: str
    name_en: str
    citation: str
    max_points: int
    points: int
    met: bool
    indicators: list[IndicatorOut]


class EventOut(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    from_status: str | None
    to_status: str | None
    comment: str | None
    actor: str | None
    at: str


class AssessmentOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit: UnitRef
    year: int
    status: str
    category: str
    category_name_vi: str
    category_name_en: str
    category_set: bool
    threshold: int
    total_points: int
    criteria_met: int
    zero_criteria: list[int]
    missing: list[str]
    qualifies: bool
    exact: bool
    version: int
    computed_at: str | None
    comment: str | None
    decision_ref: str | None
    submitted_at: str | None
    decided_at: str | None
    reviewer: UnitName
    decision: str
    criteria: list[CriterionOut]
    actions: list[str]
    events: list[EventOut]


class AssessmentLine(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit: UnitRef
    year: int
    status: str
    category: str
    total_points: int
    criteria_met: int
    threshold: int
    version: int
    decided_at: str | None
    decision_ref: str | None


class HistoryOut(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    category: str
    category_set: bool
    basis: str | None
    items: list[AssessmentLine]


class CategoryOut(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    category: str
    category_set: bool
    basis: str | None


class AreaOut(msgspec.Struct, forbid_unknown_fields=True):
    items: list[AssessmentLine]


class SubUnitCounts(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitName
    communes: int
    assessed: int
    submitted: int
    recognised: int
    not_recognised: int
    pct: float | None


class DashboardOut(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    year: int
    target_pct: float
    target_set_by: str | None
    met: bool | None
    communes: int
    assessed: int
    submitted: int
    recognised: int
    not_recognised: int
    pct: float | None
    sub_units: list[SubUnitCounts]


class FileOut(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    indicator: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


class CategoryDef(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    threshold: int
    name_vi: str
    name_en: str


class IndicatorDef(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    kind: str
    source: str
    paraphrased: bool
    max_points: int
    bands: list[list[float]]
    name_vi: str
    name_en: str
    numerator_vi: str | None = None
    numerator_en: str | None = None
    denominator_vi: str | None = None
    denominator_en: str | None = None


class CriterionDef(msgspec.Struct, forbid_unknown_fields=True):
    no: int
    code: str
    points: int
    citation: str
    name_vi: str
    name_en: str
    indicators: list[IndicatorDef]


class CriteriaOut(msgspec.Struct, forbid_unknown_fields=True):
    decision: dict[str, Any]
    categories: list[CategoryDef]
    criteria: list[CriterionDef]
