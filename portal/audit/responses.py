"""Shapes of the audit reader's answers (``portal.audit.reader``)."""

from __future__ import annotations

from msgspec import field

from portal.shapes import Out, UnitNameOut


class AccessEntryOut(Out):
    """One read or change of a child's record: who (name and role), what, and whether it was allowed."""

    at: str
    username: str | None
    full_name: str | None
    role: str | None
    action: str
    outcome: str


class AuditDayOut(Out):
    day: str
    unit: UnitNameOut
    reads: int
    changes: int
    refusals: int
    aggregate_reads: int


class AuditSummaryOut(Out):
    """Counts per acting unit and day in the unit's area (no names, no record ids)."""

    unit: UnitNameOut
    date_from: str = field(name="from")
    date_to: str = field(name="to")
    items: list[AuditDayOut]
    total: int
