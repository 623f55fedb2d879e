"""Shapes of the registry API's answers: a child, its history, the reference codes (same JSON as the
dicts of ``portal.registry.serialize``; days are ``yyyy-mm-dd``, moments ISO 8601 text)."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from portal.shapes import Out, UnitNameOut


class PeriodOut(Out):
    code: str
    subgroup: str | None
    since: str
    until: str | None
    note: str | None


class GuardianOut(Out):
    full_name: str
    relationship: str
    phone: str | None
    lives_with_child: bool


class ChildOut(Out):
    id: str
    full_name: str
    date_of_birth: str
    sex: str
    ethnicity: str
    hamlet_id: int
    national_id: str | None
    birth_province_code: str | None
    birth_registered: bool
    household_code: str | None
    address: str | None
    school_status: str
    status: str
    notes: str | None
    groups: list[PeriodOut]
    at_risk: list[PeriodOut]
    supports: list[PeriodOut]
    guardians: list[GuardianOut]
    version: int
    created_at: str
    updated_at: str


class HistoryOut(Out):
    """One change of a record: the fields before and after (snapshot keys), who and when."""

    id: int
    changed_at: str
    actor: str | None
    action: str
    hamlet_id: int
    before: dict[str, Any] | None
    after: dict[str, Any]
    changed_fields: list[str]


class ReferenceCodeOut(Out):
    code: str
    parent_code: str | None
    name_vi: str
    name_en: str
    legal_basis: str | None


class BirthProvinceOut(Out):
    """A code of ``birth_province_code``: one of the 63 of Circular 07/2016/TT-BCA (the personal id's first
    three digits), with the 2025 province it went into (Resolution 202/2025/QH15): the 34 appear there."""

    code: str
    name: str
    province_2025_code: str
    province_2025_name: str


class ReferenceOut(Out):
    """The codes of child records by kind (a kind with no codes is absent), and the fixed lists."""

    group: list[ReferenceCodeOut] | UnsetType = UNSET
    risk: list[ReferenceCodeOut] | UnsetType = UNSET
    subgroup: list[ReferenceCodeOut] | UnsetType = UNSET
    support: list[ReferenceCodeOut] | UnsetType = UNSET
    ethnicities: list[str] = []
    school_statuses: list[str] = []
    relationships: list[str] = []
    birth_provinces: list[BirthProvinceOut] = []


class MoveChildOut(Out):
    """The child of a move, shown only to a side that reads its record."""

    id: str
    full_name: str
    date_of_birth: str
    sex: str
    national_id: str | None


class MoveOut(Out):
    """A child's move to another commune (``portal.registry.moves``): its two sides and its decision."""

    id: int
    state: str
    asked_by: str
    side: str
    moved_on: str
    from_hamlet: UnitNameOut | None
    from_commune: UnitNameOut | None
    to_commune: UnitNameOut | None
    to_hamlet: UnitNameOut | None
    destination_note: str | None
    reason: str | None
    opened_at: str
    decided_at: str | None
    decision_note: str | None
    child: MoveChildOut | None


class MoveDetailOut(Out):
    """A move, with the child's whole record when the caller reads it."""

    move: MoveOut
    record: ChildOut | None
