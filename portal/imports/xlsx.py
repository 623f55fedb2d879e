"""A streaming reader of an XLSX workbook's first sheet, on the C expat parser: cell values only.

openpyxl builds an object per cell and, for a sheet without a stated size, reads the whole sheet once
more to find it; a 100,000-row register took most of an import's time there. This reader takes what an
import needs: shared and inline strings, numbers, booleans, and dates (cells whose number format is a
date format, in the 1900 or 1904 date system). Formulas give their cached value.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

Cell = str | int | float | date | datetime | None

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 1 << 20
_DATE_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_NOT_DATE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_COLUMN = re.compile(r"^([A-Z]+)(\d+)$")


class NotAWorkbook(Exception):
    """The bytes are not a readable XLSX workbook."""


def _xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(book.read(name))
    except KeyError:
        return None


def _first_sheet(book: zipfile.ZipFile) -> tuple[str, bool]:
    """The first sheet's part name, and whether the workbook counts dates from 1904."""
    workbook = _xml(book, "xl/workbook.xml")
    rels = _xml(book, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        raise NotAWorkbook("no workbook part")
    sheet = workbook.find(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
    if sheet is None:
        raise NotAWorkbook("no sheet")
    target = next(
        (
            r.get("Target", "")
            for r in rels.iter(f"{{{PKG_REL}}}Relationship")
            if r.get("Id") == sheet.get(f"{{{REL}}}id")
        ),
        "",
    )
    if not target:
        raise NotAWorkbook("the sheet has no part")
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    props = workbook.find(f"{{{MAIN}}}workbookPr")
    return path, props is not None and props.get("date1904") in ("1", "true")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    """The shared strings; a rich-text string is its runs' text (phonetic guides left out)."""
    root = _xml(book, "xl/sharedStrings.xml")
    if root is None:
        return []
    t, run = f"{{{MAIN}}}t", f"{{{MAIN}}}r"
    out = []
    for item in root.iter(f"{{{MAIN}}}si"):
        parts = [child.text or "" for child in item if child.tag == t]
        parts += [piece.text or "" for child in item if child.tag == run for piece in child if piece.tag == t]
        out.append("".join(parts))
    return out


def _date_styles(book: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats that show a number as a date (or time)."""
    root = _xml(book, "xl/styles.xml")
    if root is None:
        return set()
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{{{MAIN}}}numFmt")}
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    dated = set()
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0"))
        code = _NOT_DATE.sub("", custom.get(fmt, "")).lower()
        if fmt in _DATE_IDS or (fmt in custom and any(ch in code for ch in "dmyh")):
            dated.add(index)
    return dated


_LETTERS: dict[str, int] = {}
_DIGITS = "0123456789"


def _index(ref: str) -> int | None:
    """The 0-based column of a cell reference ("C12" -> 2), letters cached (a sheet has few columns)."""
    letters = ref.rstrip(_DIGITS)
    found = _LETTERS.get(letters)
    if found is None:
        if not letters.isalpha() or not letters.isupper() or len(letters) > 3:
            return None
        found = 0
        for ch in letters:
            found = found * 26 + ord(ch) - 64
        found = _LETTERS.setdefault(letters, found - 1)
    return found


def _column(ref: str | None) -> tuple[int, int] | None:
    m = _COLUMN.match(ref or "")
    if m is None:
        return None
    index = 0
    for ch in m[1]:
        index = index * 26 + ord(ch) - 64
    return int(m[2]), index - 1


class _Sheet:
    """expat handlers collecting complete rows as the sheet's XML is fed."""

    def __init__(self, shared: list[str], dated: set[int], epoch: datetime) -> None:
        self.shared, self.dated, self.epoch = shared, dated, epoch
        self.rows: list[tuple[int, list[Cell]]] = []
        self.size = 0
        self.row: list[Cell] = []
        self.row_number = 0
        self.cell: dict[str, str] = {}
        self.text: list[str] = []
        self.in_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]  # a prefixed namespace ("x:c") reads as the default one
        if name == "c":
            self.cell, self.text = attrs, []
        elif name in ("v", "t"):
            self.in_value = True
        elif name == "row":
            self.row_number = int(attrs.get("r") or self.row_number + 1)
            self.row = []
        elif name == "dimension":
            last = _column(attrs.get("ref", "").split(":")[-1])
            self.size = last[0] if last else 0

    def end(self, name: str) -> None:
        name = name[name.find(":") + 1 :]
        if name in ("v", "t"):
            self.in_value = False
        elif name == "c":
            ref = self.cell.get("r")
            found = _index(ref) if ref else None
            index = len(self.row) if found is None else found
            if index >= len(self.row):
                self.row.extend([None] * (index + 1 - len(self.row)))
            self.row[index] = self._value("".join(self.text))
        elif name == "row":
            self.rows.append((self.row_number, self.row))

    def chars(self, data: str) -> None:
        if self.in_value:
            self.text.append(data)

    def _value(self, raw: str) -> Cell:
        kind = self.cell.get("t", "n")
        if kind == "s":
            return self.shared[int(raw)] if raw.isdigit() and int(raw) < len(self.shared) else None
        if kind in ("inlineStr", "str"):
            return raw
        if kind == "b":
            return int(raw == "1")
        if kind == "e" or raw == "":
            return None
        if kind == "d":
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                return raw
        try:
            number = float(raw)
        except ValueError:
            return raw
        style = self.cell.get("s")
        if style and int(style) in self.dated and 0 <= number < 2_958_466:
            return self.epoch + timedelta(days=number)
        return int(number) if number.is_integer() else number


def read_xlsx(data: bytes) -> tuple[Iterator[list[Cell]], int]:
    """The first sheet's rows (a gap in the numbering gives empty rows), and its stated row count
    (0 when the sheet does not state its size)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        path, in_1904 = _first_sheet(book)
        shared, dated = _shared_strings(book), _date_styles(book)
        stream = book.open(path)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    sheet = _Sheet(shared, dated, datetime(1904, 1, 1) if in_1904 else datetime(1899, 12, 30))
    parser: Any = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = sheet.start, sheet.end
    parser.CharacterDataHandler = sheet.chars
    _feed(parser, stream, sheet)  # the first chunk: the stated size comes before the rows

    def rows() -> Iterator[list[Cell]]:
        number = 0
        while True:
            pending, sheet.rows = sheet.rows, []
            for row_number, cells in pending:
                while number + 1 < row_number:
                    number += 1
                    yield []
                number = row_number
                yield cells
            if not _feed(parser, stream, sheet):
                return

    return rows(), sheet.size


def _feed(parser: Any, stream: Any, sheet: _Sheet) -> bool:
    """Feed the next chunk; False once the sheet has been read to its end."""
    try:
        chunk = stream.read(CHUNK)
        parser.Parse(chunk, not chunk)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    return bool(chunk)
