"""Shapes of the validation rules' API: an explanation in, the rules' results out."""

from __future__ import annotations

from typing import Annotated

import msgspec

from portal.reports.responses import UnitRef
from portal.reports.rule_models import MAX_COMMENT


class ExplainIn(msgspec.Struct, forbid_unknown_fields=True):
    """The unit's explanation of a warning its report fails (empty: remove it)."""

    rule: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)]
    version: int | None = None


class PastValue(msgspec.Struct, forbid_unknown_fields=True):
    period: str
    value: int


class FindingOut(msgspec.Struct, forbid_unknown_fields=True):
    """A rule the report fails. The counts (left, right, low, high, history) are null for readers who do
    not keep the unit's records."""

    rule: str
    kind: str | None
    severity: str
    name_vi: str
    name_en: str
    legal_basis: str | None
    left_cells: list[str]
    op: str | None
    right_cells: list[str]
    records: str | None
    records_vi: str | None
    records_en: str | None
    method: str | None
    left: int | None
    right: int | None
    low: float | None
    high: float | None
    history: list[PastValue] | None
    comment: str | None
    commented_by: str | None
    commented_at: str | None


class SubUnitFindings(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    report_id: int | None
    status: str
    version: int | None
    findings: list[FindingOut]


class ChecksOut(msgspec.Struct, forbid_unknown_fields=True):
    """The rules' results on a report: ``live`` when checked now (the unit's own editable draft), else as
    the last save, recount or submission kept them; and its sub-units' findings."""

    report_id: int
    version: int
    live: bool
    suppressed: bool
    findings: list[FindingOut]
    sub_units: list[SubUnitFindings]
