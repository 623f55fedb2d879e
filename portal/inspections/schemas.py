"""Shapes of the inspections API's input (msgspec decodes and type-checks; the services check meaning,
naming each field at fault)."""

from __future__ import annotations

from datetime import date

import msgspec


class InspectionPlanIn(msgspec.Struct, forbid_unknown_fields=True):
    """An inspection of units below the caller's unit over whole ended months, with a team of its staff."""

    title: str
    period_start: date
    period_end: date
    unit_ids: list[int]
    """The audited districts and communes (may be empty when facilities are given)."""
    team: list[str] = []
    facility_ids: list[int] = []
    """Child-assistance facilities to inspect (managed by the caller's unit or a unit below it)."""
    legal_basis: str | None = None
    visit_from: date | None = None
    visit_to: date | None = None


class ChecksIn(msgspec.Struct, forbid_unknown_fields=True):
    """The audited unit whose checks to run; none: every audited unit of the plan."""

    unit_id: int | None = None


class FindingIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    severity: str = "medium"
    item: str | None = None


class RecommendationIn(msgspec.Struct, forbid_unknown_fields=True):
    """``responsible_unit_id`` left out: the audited unit itself (null is refused as no unit), unless
    ``addressee_id`` names an addressee outside the tree (a department, a People's Committee) instead."""

    text: str
    deadline: date
    responsible_unit_id: int | None | msgspec.UnsetType = msgspec.UNSET
    addressee_id: int | msgspec.UnsetType = msgspec.UNSET


class TextIn(msgspec.Struct, forbid_unknown_fields=True):
    """An answer, an acceptance or the reason to re-open a recommendation."""

    text: str


class AddresseeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A department (``kind`` department, at a province) or a People's Committee (peoples_committee, at a
    district or commune), kept under ``unit_id``: the unit whose area it serves."""

    unit_id: int
    kind: str
    name: str


class AddresseePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    """An addressee's reply as the issuing side records it: what it says, the day of its letter and the
    letter's number (e.g. 123/SYT-NVY)."""

    text: str
    reply_on: date
    reply_reference: str | None = None
