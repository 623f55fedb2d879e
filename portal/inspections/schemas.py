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
    """``responsible_unit_id`` left out: the audited unit itself (null is refused as no unit)."""

    text: str
    deadline: date
    responsible_unit_id: int | None | msgspec.UnsetType = msgspec.UNSET


class TextIn(msgspec.Struct, forbid_unknown_fields=True):
    """An answer, an acceptance or the reason to re-open a recommendation."""

    text: str
