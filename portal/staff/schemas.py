"""Shapes of the staff, hamlet and training API (msgspec decodes and type-checks; services check meaning)."""

from __future__ import annotations

from datetime import date

import msgspec
from msgspec import UNSET, UnsetType


class StaffCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    full_name: str
    role: str
    unit_id: int | None = None
    email: str | None = None
    """Where the setup code goes when the caller may not hold it (required then)."""
    phone: str | None = None


class StaffPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change. A new role or unit is a move: the account's sessions end."""

    full_name: str | UnsetType = UNSET
    role: str | UnsetType = UNSET
    unit_id: int | None | UnsetType = UNSET
    email: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET


class ContactIn(msgspec.Struct, forbid_unknown_fields=True):
    """The caller's own contact address (where their one-time codes go); null removes it."""

    email: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET


class SetPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    password: str


class HamletIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: str | None = None


class HamletPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET


class CourseIn(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    unit_id: int
    held_on: date
    place: str | None = None
    topic: str | None = None


class CoursePatch(msgspec.Struct, forbid_unknown_fields=True):
    title: str | UnsetType = UNSET
    held_on: date | UnsetType = UNSET
    place: str | None | UnsetType = UNSET
    topic: str | None | UnsetType = UNSET


class AttendeesIn(msgspec.Struct, forbid_unknown_fields=True):
    user_ids: list[int]


class StaffFilter(msgspec.Struct, kw_only=True):
    """The query of the staff list: filters and the page (a page or size of 0 means the default)."""

    unit_id: int | None = None
    role: str | None = None
    active: bool | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


class CourseFilter(msgspec.Struct, kw_only=True):
    unit_id: int | None = None
    year: int | None = None


class Period(msgspec.Struct, kw_only=True):
    """Days from ``since`` to ``until``, both included; an open end is any time."""

    since: date | None = None
    until: date | None = None


class AttendanceQuery(Period, kw_only=True):
    page: int = 1
    page_size: int = 50
