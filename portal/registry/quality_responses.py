"""Shapes of the data-quality API: the work list, the figures, a police import's results."""

from __future__ import annotations

from portal.shapes import Out, UnitRefOut


class HamletRefOut(Out):
    id: int
    name: str


class WorkItemOut(Out):
    """A child of the work list: basic fields, its problems (``no_id``, ``id_mismatch``,
    ``missing_info``), the parts of its number that disagree, the fields missing, and whether the
    police verified its current number."""

    id: str
    full_name: str
    date_of_birth: str
    sex: str
    ethnicity: str
    national_id: str | None
    birth_province_code: str | None
    hamlet: HamletRefOut
    commune_name: str | None
    guardians: str
    problems: list[str]
    id_parts: list[str]
    missing: list[str]
    verified: bool


class WorkListOut(Out):
    unit: UnitRefOut
    problem: str
    items: list[WorkItemOut]
    total: int
    page: int
    page_size: int


class QualityDisclosureOut(Out):
    method: str
    hidden_below: int
    shown: str


class QualityProblemsOut(Out):
    no_id: int
    id_mismatch: int
    missing_info: int


class DataQualityOut(Out):
    """Exact counts for the unit's record keepers (``exact: true``); for everyone else the two
    percentages only, from counts published through the disclosure policy (null when hidden)."""

    unit: UnitRefOut
    exact: bool
    disclosure: QualityDisclosureOut | None
    total: int | None
    complete: int | None
    verified: int | None
    complete_pct: float | None
    verified_pct: float | None
    problems: QualityProblemsOut | None


class ImportRowOut(Out):
    """A filled row of the police's list: the sheet's row number, the child, the police's result
    (issued, corrected, not_found) and the outcome here (updated, unchanged, not_found, conflict)."""

    row: int
    child_id: str
    result: str
    outcome: str
    id_before: str | None
    id_after: str | None
    full_name: str | None


class ImportCountsOut(Out):
    updated: int
    unchanged: int
    not_found: int
    conflict: int


class PoliceImportOut(Out):
    import_id: int | None
    dry_run: bool
    already_imported: bool
    verified_by: str
    counts: ImportCountsOut
    rows: list[ImportRowOut]
