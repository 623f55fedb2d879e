"""One row of a register file checked by the registry's own rules (``check_new_child``, ``check_hamlet``):
its problems by column, the record it would make, and its key (what makes a re-import add nothing)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from portal.imports.cells import Cell, names, read_date, read_groups, read_national_id, read_phone, read_sex
from portal.imports.cells import text as cell_text
from portal.imports.columns import REQUIRED, Column
from portal.imports.duplicates import Candidate
from portal.imports.reading import MAX_CELL
from portal.registry.schemas import ChildCreate, GuardianIn, PeriodIn
from portal.registry.service import NewChild, check_hamlet, check_new_child, checker
from portal.registry.text import fold
from portal.registry.validation import Checker
from tenancy.models import Unit
from tenancy.service import units_below

_INDEX = re.compile(r"\[\d+\]")
_HAMLET_WORDS = re.compile(r"^(thon|to dan pho|to|ap|ban|khu pho|khu|xom|so)\s+")


@dataclass
class Problem:
    row: int
    column: int | None
    field: str
    code: str
    message: str
    severity: str = "error"
    """``error`` (the row cannot be imported), ``warning`` (imported, with a note) or ``duplicate`` (a
    suspected duplicate: imported only if the officer says so)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class Row:
    number: int
    cells: list[Cell]
    problems: list[Problem] = field(default_factory=list)
    new: NewChild | None = None
    hamlet: Unit | None = None
    key: str = ""
    name_key: str = ""
    """The folded name (the registry's ``search_name``)."""
    candidate: Candidate | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def suspected(self) -> bool:
        return any(p.severity == "duplicate" for p in self.problems)


def _hamlet_key(name: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(name)).split())


class Area:
    """The hamlets a file's rows may name: those of the import's unit (and, to tell "outside your area"
    from "does not exist", the other hamlets of its commune)."""

    def __init__(self, session: Session, unit: Unit, commune: Unit) -> None:
        self.unit = unit
        inside = {h.id for h in units_below(session, unit, level="hamlet")}
        self.by_key: dict[str, list[Unit]] = {}
        for hamlet in units_below(session, commune, level="hamlet"):
            self.by_key.setdefault(_hamlet_key(hamlet.name), []).append(hamlet)
            short = _HAMLET_WORDS.sub("", _hamlet_key(hamlet.name))
            if short != _hamlet_key(hamlet.name):
                self.by_key.setdefault(short, []).append(hamlet)
        self.inside = inside
        self.found: dict[str, tuple[Unit | None, str]] = {}

    def find(self, name: str) -> tuple[Unit | None, str]:
        """The hamlet a cell names, or why not: ``unknown_hamlet``, ``out_of_scope`` (each name is looked
        up once: a register names its few hamlets on every row)."""
        if name not in self.found:
            self.found[name] = self._find(name)
        return self.found[name]

    def _find(self, name: str) -> tuple[Unit | None, str]:
        if not name:
            if self.unit.level == "hamlet":
                return self.unit, ""
            return None, "required"
        key = _hamlet_key(name)
        found = self.by_key.get(key) or self.by_key.get(_HAMLET_WORDS.sub("", key)) or []
        found = list({h.id: h for h in found}.values())
        if len(found) != 1:
            return None, "unknown_hamlet"
        if found[0].id not in self.inside:
            return None, "out_of_scope"
        return found[0], ""


def _field_of(registry_field: str) -> str:
    """The file's field for a field the registry names (``guardians[0].phone`` -> ``guardian_phone``)."""
    base = _INDEX.sub("", registry_field)
    if base.startswith("guardians"):
        return "guardian_phone" if base.endswith("phone") else "guardian_name"
    if base.startswith("groups"):
        return "groups"
    return "hamlet" if base == "hamlet_id" else base


def row_key(hamlet_id: int, name_key: str, values: dict[str, Any], guardians: list[dict[str, Any]]) -> str:
    """A digest of what identifies the row's record: its hamlet, folded name, date of birth, sex,
    personal id and guardians' folded names. The same row imported again has the same key."""
    parts = [
        str(hamlet_id),
        name_key,
        values["date_of_birth"].isoformat(),
        values["sex"],
        values["national_id"] or "",
        "/".join(sorted(fold(g["full_name"]) for g in guardians)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class RowChecker:
    """Checks rows of one file against the registry's rules for the caller."""

    def __init__(self, session: Session, caller: Caller, columns: list[Column], area: Area) -> None:
        self.caller = caller
        self.area = area
        self.base = checker(session)
        self.today = today()
        self.at = {c.field: c.index for c in columns if c.field}

    def _cell(self, cells: list[Cell], name: str) -> Cell:
        index = self.at.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def check(self, number: int, cells: list[Cell]) -> Row:
        row = Row(number, cells)

        def problem(name: str, code: str, message: str, severity: str = "error") -> None:
            row.problems.append(Problem(number, self.at.get(name), name, code, message, severity))

        for name, index in self.at.items():
            value = cells[index]
            if isinstance(value, str) and len(value) > MAX_CELL:
                problem(name, "too_long", f"is longer than {MAX_CELL} characters")
        for name in REQUIRED:
            if not cell_text(self._cell(cells, name)):
                problem(name, "required", "is required")
        born, date_code = read_date(self._cell(cells, "date_of_birth"))
        if date_code == "year_only":
            problem("date_of_birth", "year_only", "only the year was given: recorded as 1 January", "warning")
        elif date_code and cell_text(self._cell(cells, "date_of_birth")):
            problem("date_of_birth", "bad_date", "is not a date (dd/mm/yyyy)")
        hamlet, hamlet_code = self.area.find(cell_text(self._cell(cells, "hamlet")))
        if hamlet_code:
            problem("hamlet", hamlet_code, "is not a hamlet of your area")
        guardian_names = names(self._cell(cells, "guardian_name"))
        phone = read_phone(self._cell(cells, "guardian_phone"))
        if phone and not guardian_names:
            guardian_names = [""]
        data = ChildCreate(
            full_name=cell_text(self._cell(cells, "full_name")),
            date_of_birth=born or self.today,
            sex=read_sex(self._cell(cells, "sex")),
            ethnicity=cell_text(self._cell(cells, "ethnicity")),
            hamlet_id=hamlet.id if hamlet else 0,
            national_id=read_national_id(self._cell(cells, "national_id")),
            address=cell_text(self._cell(cells, "address")) or None,
            notes=cell_text(self._cell(cells, "notes")) or None,
            groups=[PeriodIn(code=c, since=self.today) for c in read_groups(self._cell(cells, "groups"))],
            guardians=[
                GuardianIn(full_name=n, relationship="other", phone=phone if i == 0 else None)
                for i, n in enumerate(guardian_names)
            ],
        )
        check = Checker(self.base.today, self.base.codes, self.base.subgroups)
        values, periods, guardians = check_new_child(check, data)
        if hamlet is not None:
            hamlet = check_hamlet(self.caller, hamlet, hamlet.id, check)
        named = {p.field for p in row.problems}
        for error in check.errors:
            name = _field_of(error.field)
            if name not in named and not (name == "date_of_birth" and born is None):
                problem(name, error.code, error.message)
                named.add(name)
        if row.has_errors or hamlet is None:
            return row
        row.new, row.hamlet = (values, periods, guardians), hamlet
        row.name_key = fold(values["full_name"])
        row.key = row_key(hamlet.id, row.name_key, values, guardians)
        row.candidate = Candidate(number, values["national_id"], row.name_key, values["date_of_birth"])
        return row
