"""Shapes of the registers' input (msgspec decodes and type-checks; the services check meaning, naming
each field at fault)."""

from __future__ import annotations

from datetime import date

import msgspec
from msgspec import UNSET, UnsetType


class WaterPointIn(msgspec.Struct, forbid_unknown_fields=True):
    """A hazardous water point of a hamlet. ``signed``/``fenced`` true need the day it was put up."""

    hamlet_id: int
    kind: str
    description: str
    listed_on: date
    latitude: float | None = None
    longitude: float | None = None
    signed: bool = False
    signed_on: date | None = None
    fenced: bool = False
    fenced_on: date | None = None


class WaterPointPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``version`` (the one read) refuses a lost update."""

    version: int | None = None
    kind: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    listed_on: date | UnsetType = UNSET
    latitude: float | None | UnsetType = UNSET
    longitude: float | None | UnsetType = UNSET
    signed: bool | UnsetType = UNSET
    signed_on: date | None | UnsetType = UNSET
    fenced: bool | UnsetType = UNSET
    fenced_on: date | None | UnsetType = UNSET


class CheckIn(msgspec.Struct, forbid_unknown_fields=True):
    """A visit: the day, what was found, and who checked (blank: the caller)."""

    checked_on: date
    result: str
    checked_by: str | None = None


class RemoveIn(msgspec.Struct, forbid_unknown_fields=True):
    """A point filled in or gone (a facility closed): the day and the reason. Never deleted."""

    on: date
    reason: str


class FacilityIn(msgspec.Struct, forbid_unknown_fields=True):
    """A child-assistance facility managed by ``unit_id`` (a commune, district or province)."""

    unit_id: int
    name: str
    kind: str
    licence_number: str | None = None
    licence_date: date | None = None
    licence_issuer: str | None = None
    capacity: int | None = None
    children_total: int = 0
    children_girls: int = 0
    children_disabled: int = 0
    counted_on: date | None = None
    address: str | None = None
    contact: str | None = None


class FacilityPatch(msgspec.Struct, forbid_unknown_fields=True):
    version: int | None = None
    name: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    licence_number: str | None | UnsetType = UNSET
    licence_date: date | None | UnsetType = UNSET
    licence_issuer: str | None | UnsetType = UNSET
    capacity: int | None | UnsetType = UNSET
    children_total: int | UnsetType = UNSET
    children_girls: int | UnsetType = UNSET
    children_disabled: int | UnsetType = UNSET
    counted_on: date | None | UnsetType = UNSET
    address: str | None | UnsetType = UNSET
    contact: str | None | UnsetType = UNSET


class RegisterFilter(msgspec.Struct, forbid_unknown_fields=True):
    """A list's filters: the area (a unit of the caller's), the kind, the status."""

    unit_id: int | None = None
    kind: str | None = None
    status: str | None = None
