"""The reporting rates as the API answers them (``GET /api/v1/reporting-rates``)."""

from __future__ import annotations

import msgspec


class CountsOut(msgspec.Struct, forbid_unknown_fields=True):
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    pending: int
    completeness_pct: float | None
    timeliness_pct: float | None


class RatesUnitOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    name: str
    level: str


class SubUnitRatesOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    name: str
    level: str
    levels: dict[str, CountsOut]


class OutstandingOut(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    name: str
    level: str
    state: str
    due: str
    submitted_on: str | None
    status: str | None


class RatesOut(msgspec.Struct, forbid_unknown_fields=True):
    """Reports expected, received and received on time: per level of the unit's part of the tree, per
    sub-unit, and the reports still missing, late or not yet due (worst first)."""

    definition: str
    period: str
    unit: RatesUnitOut
    due: dict[str, str]
    levels: dict[str, CountsOut]
    units: list[SubUnitRatesOut]
    outstanding: list[OutstandingOut]
