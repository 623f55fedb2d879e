"""Shapes of the child registry API (msgspec decodes and type-checks; the service validates meaning)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType


class PeriodIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    since: date
    until: date | None = None
    subgroup: str | None = None
    note: str | None = None


class GuardianIn(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str
    relationship: str
    phone: str | None = None
    lives_with_child: bool = True


class ChildCreate(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    hamlet_id: int
    national_id: str | None = None
    birth_province_code: str | None = None
    """Where the birth was registered: the three digits of Circular 07/2016/TT-BCA (``/reference``)."""
    birth_registered: bool = True
    household_code: str | None = None
    address: str | None = None
    school_status: str = "unknown"
    notes: str | None = None
    groups: list[PeriodIn] = []
    at_risk: list[PeriodIn] = []
    supports: list[PeriodIn] = []
    guardians: list[GuardianIn] = []
    not_duplicate_of: list[uuid.UUID] = []
    """Records the caller confirms as a different child (else a likely duplicate is refused, 409)."""


class ChildPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; list fields given replace the whole list."""

    full_name: str | UnsetType = UNSET
    date_of_birth: date | UnsetType = UNSET
    sex: str | UnsetType = UNSET
    ethnicity: str | UnsetType = UNSET
    hamlet_id: int | UnsetType = UNSET
    national_id: str | None | UnsetType = UNSET
    birth_province_code: str | None | UnsetType = UNSET
    birth_registered: bool | UnsetType = UNSET
    household_code: str | None | UnsetType = UNSET
    address: str | None | UnsetType = UNSET
    school_status: str | UnsetType = UNSET
    status: str | UnsetType = UNSET
    notes: str | None | UnsetType = UNSET
    groups: list[PeriodIn] | UnsetType = UNSET
    at_risk: list[PeriodIn] | UnsetType = UNSET
    supports: list[PeriodIn] | UnsetType = UNSET
    guardians: list[GuardianIn] | UnsetType = UNSET
    version: int | UnsetType = UNSET
    """The version the client read; if given and stale, the update is refused (409)."""
    not_duplicate_of: list[uuid.UUID] | UnsetType = UNSET
    """Records the caller confirms as a different child (else a likely duplicate is refused, 409)."""

    def given(self) -> dict[str, Any]:
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if f not in ("version", "not_duplicate_of") and getattr(self, f) is not UNSET
        }


class MoveOutIn(msgspec.Struct, forbid_unknown_fields=True):
    """A child leaving for another commune: where to (a commune's id; none when it is not known yet)."""

    moved_on: date
    to_unit_id: int | None = None
    destination_note: str | None = None
    reason: str | None = None


class MoveDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """Accepting a child into a hamlet (``hamlet_id``), or a refusal's or cancellation's ``note``."""

    hamlet_id: int | None = None
    note: str | None = None


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    """The record to merge into the one named in the path (which survives)."""

    absorbed_id: uuid.UUID


class DistinctIn(msgspec.Struct, forbid_unknown_fields=True):
    """A record confirmed as a different child from the one named in the path."""

    other_id: uuid.UUID
