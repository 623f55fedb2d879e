"""Reading a register file: XLSX (the first sheet) or CSV (UTF-8 with or without BOM, else Windows-1258),
within bounds. A file that is not one of those, or is too large, is refused naming the problem."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from infra.errors import FieldError, ValidationFailed
from portal.imports.columns import heading_key, map_columns
from portal.imports.xlsx import NotAWorkbook, read_xlsx

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 60
MAX_CELL = 1_000
"""Characters in one cell; a longer cell is a problem of its row."""
HEADER_SEARCH = 10
"""Rows at the top searched for the heading row (a register often starts with its title)."""

Cell = str | int | float | date | datetime | None


class FileTooLarge(ValidationFailed):
    status_code = 413


class UnsupportedType(ValidationFailed):
    status_code = 415


def _refuse(kind: type[ValidationFailed], message: str, code: str) -> ValidationFailed:
    return kind([FieldError("data", message, code)])


def file_format(data: bytes) -> str:
    """``xlsx`` or ``csv`` from the content (never from the name); refuses anything else."""
    if len(data) > MAX_BYTES:
        raise _refuse(FileTooLarge, f"is larger than {MAX_BYTES // (1024 * 1024)} MB", "too_large")
    if not data.strip():
        raise _refuse(ValidationFailed, "is empty", "empty")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(UnsupportedType, "is an old Excel (.xls) file: save it as .xlsx", "unsupported_type")
    if b"\x00" in data[:65536]:
        raise _refuse(UnsupportedType, "is neither an XLSX workbook nor a CSV text file", "unsupported_type")
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped), else Windows-1258 (Vietnamese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # Windows-1258 writes tones as combining marks: composed as the registry stores text
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise _refuse(UnsupportedType, "is not UTF-8 or Windows-1258 text", "encoding") from exc


@dataclass
class Table:
    headings: list[str]
    header_row: int
    """The heading row's number in the file (1-based); data rows follow it."""
    rows: Iterator[tuple[int, list[Cell]]]
    """(row number, cells) of every non-empty data row."""
    row_count: int
    """Data rows at most (a sheet's stated size; exact for CSV)."""


def _text(value: Cell) -> str:
    return "" if value is None else str(value).strip()


def _header_at(top: list[list[Cell]]) -> int:
    """The index of the heading row: the first of the top rows where two headings are known."""
    for i, row in enumerate(top):
        known = [c for c in map_columns([_text(v) for v in row], {}, {}) if c.field]
        if len(known) >= 2:
            return i
    return next((i for i, row in enumerate(top) if any(_text(v) for v in row)), 0)


def _table(raw: Iterator[list[Cell]], row_count: int) -> Table:
    top: list[list[Cell]] = []
    for row in raw:
        top.append(row)
        if len(top) >= HEADER_SEARCH:
            break
    if not any(_text(v) for row in top for v in row):
        raise _refuse(ValidationFailed, "has no rows", "empty")
    at = _header_at(top)
    headings = [_text(v) for v in top[at]]
    while headings and not headings[-1]:
        headings.pop()
    if len(headings) > MAX_COLUMNS:
        raise _refuse(ValidationFailed, f"has more than {MAX_COLUMNS} columns", "too_many")
    if len({heading_key(h) for h in headings if h}) < 2:
        raise _refuse(ValidationFailed, "has no heading row (Họ và tên, Ngày sinh, ...)", "no_headings")
    if row_count - (at + 1) > MAX_ROWS:
        raise _refuse(FileTooLarge, f"has more than {MAX_ROWS:,} rows", "too_many_rows")

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = at + 1
        for row in [*top[at + 1 :], *raw]:
            number += 1
            if number - (at + 1) > MAX_ROWS:
                raise _refuse(FileTooLarge, f"has more than {MAX_ROWS:,} rows", "too_many_rows")
            cells = list(row[: len(headings)])
            if any(_text(v) for v in cells):
                yield number, cells + [None] * (len(headings) - len(cells))

    return Table(headings, at + 1, rows(), max(row_count - (at + 1), 0))


def _xlsx_rows(data: bytes) -> tuple[Iterator[list[Cell]], int]:
    try:
        rows, size = read_xlsx(data)
    except NotAWorkbook as exc:
        raise _refuse(UnsupportedType, "is not a readable XLSX workbook", "unsupported_type") from exc

    def checked() -> Iterator[list[Cell]]:
        try:
            yield from rows
        except NotAWorkbook as exc:
            raise _refuse(UnsupportedType, "is not a readable XLSX workbook", "unsupported_type") from exc

    return checked(), size


def _csv_rows(data: bytes) -> tuple[Iterator[list[Cell]], int]:
    content = decode_text(data)
    sample = content[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = content.count("\n") + 1
    reader = csv.reader(io.StringIO(content, newline=""), dialect)

    def rows() -> Iterator[list[Cell]]:
        try:
            for row in reader:
                yield list(row)
        except csv.Error as exc:
            raise _refuse(ValidationFailed, f"is not a well-formed CSV file ({exc})", "malformed") from exc

    return rows(), lines


def open_table(data: bytes, fmt: str) -> Table:
    """The file's heading row and an iterator over its data rows."""
    raw, count = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    return _table(raw, count)
