"""Reading the verified list the commune police send back (``portal.registry.police_form``): the rows,
each with its record id, the police's result and the verified number, or the problems of each cell."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from infra.errors import FieldError, ValidationFailed
from portal.registry.national_id import well_formed
from portal.registry.police_form import RECORD, RESULT, RESULTS, VERIFIED_ID
from portal.registry.text import fold

HEADING_ROWS = 10  # the heading row is looked for among the first rows
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Returned:
    """One row the police filled: ``result`` is issued, corrected or not_found."""

    row: int
    child_id: uuid.UUID
    result: str
    verified_id: str | None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):  # a number typed into Excel loses its leading zeros: 12 digits again
        return f"{value:012d}" if 0 <= value < 10**12 else str(value)
    return str(value).strip()


def _sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    if not content:
        raise ValidationFailed([FieldError("file", "is empty", "empty")])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + HEADING_ROWS + 1))
        book.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError) as exc:
        raise ValidationFailed([FieldError("file", "is not an XLSX workbook", "malformed")]) from exc
    if len(rows) > MAX_ROWS + HEADING_ROWS:
        raise ValidationFailed([FieldError("file", f"has more than {MAX_ROWS} rows: split it", "too_many")])
    return rows


def _columns(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    wanted = {fold(RECORD): "record", fold(RESULT): "result", fold(VERIFIED_ID): "verified_id"}
    for index, row in enumerate(rows[:HEADING_ROWS]):
        found = {wanted[fold(_text(v))]: i for i, v in enumerate(row) if fold(_text(v)) in wanted}
        if len(found) == len(wanted):
            return index, found
    raise ValidationFailed(
        [
            FieldError(
                "file", f"has no heading row with {RECORD!r}, {RESULT!r} and {VERIFIED_ID!r}", "malformed"
            )
        ]
    )


def read_returned(content: bytes) -> tuple[list[Returned], list[FieldError]]:
    """The filled rows (rows without a result are not verified yet and left out) and the problems,
    named ``rows[N].record``, ``rows[N].result`` or ``rows[N].verified_id`` with N the sheet's row."""
    rows = _sheet_rows(content)
    heading, column = _columns(rows)
    out: list[Returned] = []
    errors: list[FieldError] = []
    seen: set[uuid.UUID] = set()
    for offset, row in enumerate(rows[heading + 1 :], start=heading + 2):
        cells = {name: _text(row[i]) if i < len(row) else "" for name, i in column.items()}
        if not cells["result"]:
            continue
        where = f"rows[{offset}]"
        result = RESULTS.get(fold(cells["result"]))
        if result is None:
            errors.append(
                FieldError(f"{where}.result", "must be Đã cấp, Đã sửa or Không tìm thấy", "unknown_code")
            )
        try:
            child_id = uuid.UUID(cells["record"])
        except ValueError:
            errors.append(
                FieldError(f"{where}.record", "is not a record id of the exported list", "malformed")
            )
            continue
        if child_id in seen:
            errors.append(FieldError(f"{where}.record", "repeats an earlier row's record", "duplicate"))
        seen.add(child_id)
        number = cells["verified_id"] or None
        if result in ("issued", "corrected") and (number is None or not well_formed(number)):
            errors.append(
                FieldError(
                    f"{where}.verified_id", "must be the 12-digit personal identification number", "invalid"
                )
            )
        if result is not None:
            out.append(Returned(offset, child_id, result, number if result != "not_found" else None))
    return out, errors
