"""Meaning checks for child data; every problem is reported with its field, all at once."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from infra.errors import FieldError
from portal.registry.national_id import ID_PROVINCES, blocking, mismatches
from portal.registry.reference import ETHNICITIES, PERIOD_KINDS, RELATIONSHIPS, SCHOOL_STATUSES
from portal.registry.schemas import GuardianIn, PeriodIn
from portal.registry.text import clean_name, fold

CHILD_AGE_LIMIT = 16  # Law on Children 2016, Art. 1: a child is a person under 16
_ETHNICITY = {fold(e): e for e in ETHNICITIES}
_NATIONAL_ID = re.compile(r"^[0-9]{12}$")
_PHONE = re.compile(r"^\+?[0-9 .-]{8,15}$")
MAX_GUARDIANS = 10
MAX_PERIODS = 30
"""Of one kind (groups, risks or supports) for one child: a child under 16 does not enter and leave more."""


def sixteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + CHILD_AGE_LIMIT)
    except ValueError:  # born on 29 February
        return date(born.year + CHILD_AGE_LIMIT, 3, 1)


class Checker:
    """Collects field errors; ``value`` helpers return the cleaned value."""

    def __init__(self, today: date, codes: dict[str, set[str]], subgroups: dict[str, str]) -> None:
        self.today = today
        self.codes = codes  # kind -> allowed codes
        self.subgroups = subgroups  # subgroup code -> group code
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field, message, code))

    def full_name(self, value: str) -> str:
        name = clean_name(value)
        if not name:
            self.fail("full_name", "is required", "required")
        elif len(name) > 120:
            self.fail("full_name", "must be at most 120 characters")
        return name

    def date_of_birth(self, value: date) -> date:
        if value > self.today:
            self.fail("date_of_birth", "is in the future", "future_date")
        elif sixteenth_birthday(value) <= self.today:
            self.fail(
                "date_of_birth",
                f"the person is {CHILD_AGE_LIMIT} or older: not a child under the Law on Children 2016",
                "too_old",
            )
        return value

    def sex(self, value: str) -> str:
        if value not in ("male", "female"):
            self.fail("sex", "must be 'male' or 'female'")
        return value

    def ethnicity(self, value: str) -> str:
        found = _ETHNICITY.get(fold(value))
        if found is None:
            self.fail("ethnicity", f"unknown ethnic group {value!r}")
            return value
        return found

    def national_id(self, value: str | None) -> str | None:
        if value is not None and not _NATIONAL_ID.match(value):
            self.fail("national_id", "must be the 12-digit personal identification number")
        return value

    def birth_province_code(self, value: str | None) -> str | None:
        if value is not None and value not in ID_PROVINCES:
            self.fail(
                "birth_province_code",
                f"{value!r} is not a province code of Circular 07/2016/TT-BCA",
                "unknown_code",
            )
        return value

    def id_fits(self, number: str | None, born: date, sex: str, birth_province: str | None) -> None:
        """The personal identification number's parts against the record: each part that disagrees is
        a ``national_id`` error named for it (``id_province``, ``id_century_sex``, ``id_year``). Only a
        well-formed number on an otherwise valid date of birth, sex and birth province is read."""
        if number is None or any(
            e.field in ("national_id", "date_of_birth", "sex", "birth_province_code") for e in self.errors
        ):
            return
        for part in blocking(mismatches(number, born, sex, birth_province)):
            self.fail("national_id", part.message, part.code)

    def school_status(self, value: str) -> str:
        if value not in SCHOOL_STATUSES:
            self.fail("school_status", f"must be one of {', '.join(SCHOOL_STATUSES)}")
        return value

    def status(self, value: str) -> str:
        if value not in ("active", "moved_away", "deceased"):
            self.fail("status", "must be 'active', 'moved_away' or 'deceased'")
        return value

    def periods(self, field: str, items: list[PeriodIn], born: date | None) -> list[dict[str, Any]]:
        kind = PERIOD_KINDS[field]
        if len(items) > MAX_PERIODS:
            self.fail(field, f"must have at most {MAX_PERIODS} periods", "too_many")
            return []
        out = []
        seen: set[tuple[str, str | None, date]] = set()
        for i, p in enumerate(items):
            where = f"{field}[{i}]"
            if (p.code, p.subgroup, p.since) in seen:
                self.fail(where, "repeats an earlier period (same code and start)", "duplicate_period")
            seen.add((p.code, p.subgroup, p.since))
            code = "dd" if p.code == "đ" else p.code
            if code not in self.codes.get(kind, set()):
                self.fail(f"{where}.code", f"unknown {kind} code {p.code!r}", "unknown_code")
            if p.subgroup is not None and self.subgroups.get(p.subgroup) != code:
                self.fail(
                    f"{where}.subgroup", f"{p.subgroup!r} is not a sub-group of {p.code!r}", "unknown_code"
                )
            if p.since > self.today:
                self.fail(f"{where}.since", "is in the future", "future_date")
            if born is not None and p.since < born:
                self.fail(f"{where}.since", "is before the date of birth")
            if p.until is not None and p.until < p.since:
                self.fail(f"{where}.until", "is before 'since'")
            out.append(
                {
                    "kind": kind,
                    "code": code,
                    "subgroup": p.subgroup,
                    "since": p.since,
                    "until": p.until,
                    "note": p.note,
                }
            )
        return out

    def guardians(self, items: list[GuardianIn]) -> list[dict[str, Any]]:
        if len(items) > MAX_GUARDIANS:
            self.fail("guardians", f"must have at most {MAX_GUARDIANS} guardians", "too_many")
            return []
        out = []
        for i, g in enumerate(items):
            name = clean_name(g.full_name)
            if not name:
                self.fail(f"guardians[{i}].full_name", "is required", "required")
            if g.relationship not in RELATIONSHIPS:
                self.fail(f"guardians[{i}].relationship", f"must be one of {', '.join(RELATIONSHIPS)}")
            if g.phone is not None and not _PHONE.match(g.phone):
                self.fail(f"guardians[{i}].phone", "is not a phone number")
            out.append(
                {
                    "full_name": name,
                    "relationship": g.relationship,
                    "phone": g.phone,
                    "lives_with_child": g.lives_with_child,
                }
            )
        return out
