"""A dry run of one file: every row checked, duplicates and earlier imports found, counts and problems.

Run by the worker for the dry run and again, inside the apply's transaction, for the apply (the
registry may have changed since the dry run)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.imports.columns import Column, map_columns
from portal.imports.duplicates import keys_seen, suspected_duplicates
from portal.imports.models import ImportMapping, RegisterImport
from portal.imports.reading import open_table
from portal.imports.rows import Area, Problem, Row, RowChecker
from portal.stored_documents import fetch_checked
from tenancy.models import Unit

PROGRESS_EVERY = 5_000
SUMMARY_PROBLEMS = 200
"""Problems listed in the import's summary (all of them are in the errors workbook)."""

Progress = Callable[[int, int, str], None]


@dataclass
class Outcome:
    columns: list[Column]
    rows: list[Row]
    already: set[int]
    """Numbers of the rows imported before (skipped)."""

    def counts(self) -> dict[str, int]:
        errors = sum(1 for r in self.rows if r.has_errors)
        suspected = sum(1 for r in self.rows if r.suspected and not r.has_errors)
        return {
            "rows": len(self.rows),
            "valid": len(self.rows) - errors - suspected - len(self.already),
            "errors": errors,
            "warnings": sum(1 for r in self.rows if any(p.severity == "warning" for p in r.problems)),
            "suspected": suspected,
            "already_imported": len(self.already),
            "unknown_hamlets": sum(
                1 for r in self.rows if any(p.code == "unknown_hamlet" for p in r.problems)
            ),
        }

    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    def summary(self) -> list[dict[str, Any]]:
        return [p.as_json() for p in self.problems()[:SUMMARY_PROBLEMS]]

    def to_write(self, duplicates: str | None) -> list[Row]:
        """The rows an apply writes: valid, not imported before; suspected ones only if told so."""
        return [
            r
            for r in self.rows
            if r.new is not None
            and not r.has_errors
            and r.number not in self.already
            and (duplicates == "import" or not r.suspected)
        ]


def remembered_mapping(session: Session, commune_id: int) -> dict[str, str]:
    found = session.scalar(select(ImportMapping.mapping).where(ImportMapping.commune_id == commune_id))
    return dict(found or {})


def _mark_duplicates(session: Session, caller: Caller, rows: list[Row], already: set[int]) -> None:
    by_number = {r.number: r for r in rows}
    candidates = [r.candidate for r in rows if r.candidate and r.number not in already]
    for s in suspected_duplicates(session, caller, [c for c in candidates if c is not None]):
        row = by_number[s.row]
        if s.reason == "national_id":
            code = "duplicate_in_file" if s.where == "file" else "duplicate"
            row.problems.append(Problem(s.row, None, "national_id", code, _said(s.where, s.other_row)))
        elif s.where == "file" and by_number[s.other_row or 0].key == row.key:
            row.problems.append(
                Problem(s.row, None, "full_name", "duplicate_in_file", _said("file", s.other_row))
            )
        else:
            row.problems.append(
                Problem(
                    s.row, None, "full_name", "suspected_duplicate", _said(s.where, s.other_row), "duplicate"
                )
            )


def _said(where: str, other_row: int | None) -> str:
    if where == "file":
        return f"repeats row {other_row} of the file"
    if where == "elsewhere":
        return "an active record outside your area holds this personal id: record the child's move instead"
    return "a child already in the register has the same personal id, or name and date of birth"


def check_import(session: Session, caller: Caller, imp: RegisterImport, progress: Progress) -> Outcome:
    """Read the stored file and check every row for ``caller`` (their scoped session)."""
    data = fetch_checked(imp.storage_key, imp.sha256, "the stored file does not match its checksum")
    table = open_table(data, imp.file_format)
    columns = map_columns(table.headings, remembered_mapping(session, imp.commune_id), imp.mapping)
    at = {c.field: c.index for c in columns if c.field}
    unit, commune = session.get(Unit, imp.unit_id), session.get(Unit, imp.commune_id)
    assert unit is not None and commune is not None
    checker = RowChecker(session, caller, columns, Area(session, unit, commune))
    rows: list[Row] = []
    progress(0, table.row_count, "checking")
    for number, cells in table.rows:
        rows.append(checker.check(number, cells))
        if len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows), max(table.row_count, len(rows)), "checking")
    seen = keys_seen(session, [r.key for r in rows if r.key])
    already = {r.number for r in rows if r.key and r.key in seen}
    _mark_duplicates(session, caller, rows, already)
    for row in rows:
        for p in row.problems:
            if p.column is None:
                p.column = at.get(p.field)
    progress(len(rows), len(rows), "checked")
    return Outcome(columns, rows, already)


def code_counts(outcome: Outcome) -> dict[str, int]:
    return dict(Counter(f"{p.field}:{p.code}" for p in outcome.problems()))
