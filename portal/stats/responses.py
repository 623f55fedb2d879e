"""Shapes of a unit and its statistics in the API."""

from __future__ import annotations

from portal.shapes import DisclosureOut, Out, Shown, UnitRefOut


class UnitOut(Out):
    """A unit with its parent and the days it is in force (``null``: open-ended)."""

    id: int
    code: str | None
    name: str
    level: str
    path: str
    kind: str | None
    parent_id: int | None
    valid_from: str | None
    valid_to: str | None


class UnitStatsOut(Out):
    """Exact and live counts (``suppressed: false``), or a month end as published: small cells "<5",
    the others perturbed; ``entries`` and ``exits`` (the month's flows) only when published."""

    unit: UnitRefOut
    as_of: str
    structure: str
    suppressed: bool
    suppression_threshold: int | None
    disclosure: DisclosureOut | None
    total: Shown
    by_sex: dict[str, Shown]
    by_age_band: dict[str, Shown]
    by_group: dict[str, Shown]
    in_special_circumstances: Shown
    at_risk: Shown
    by_risk: dict[str, Shown]
    receiving_support: Shown
    by_support: dict[str, Shown]
    entries: Shown | None
    exits: Shown | None
