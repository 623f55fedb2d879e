"""Shapes of the reports API (msgspec decodes and type-checks; the services validate meaning).

Counts typed by hand arrive as free JSON so that a negative, fractional or misplaced count is
answered with the exact cell at fault (``values.injuries.drowning``), not a generic decode error.
"""

from __future__ import annotations

from typing import Any

import msgspec


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    definition: str
    unit_id: int
    period: str


class PrepareIn(msgspec.Struct, forbid_unknown_fields=True):
    definition: str
    period: str


class ValuesIn(msgspec.Struct, forbid_unknown_fields=True):
    values: dict[str, Any]
    version: int | None = None
    # why a typed cell of a longer period differs from its months' figure: {indicator: {cell: text}}
    reasons: dict[str, Any] | None = None


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    version: int | None = None
    comment: str | None = None
    reason: str | None = None


class ConsolidateIn(msgspec.Struct, forbid_unknown_fields=True):
    with_missing: bool = False


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    format: str


class TargetIn(msgspec.Struct, forbid_unknown_fields=True):
    target: str
    year: int
    pct: float


class DashboardQuery(msgspec.Struct, forbid_unknown_fields=True):
    """The dashboard's query: the report (default monthly), its last period and how many periods."""

    definition: str | None = None
    period: str | None = None
    periods: int | None = None
