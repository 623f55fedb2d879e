"""Shapes of the reports API's answers, for the OpenAPI document and for checking what is sent.

Every key is always present (``None`` as JSON null), as the API has always answered. Answers built
as dictionaries by the views the pages share (a report, a dashboard) are converted at the boundary
with :func:`msgspec.convert`: a key the view adds without its field here fails loudly instead of
being dropped (``forbid_unknown_fields``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from portal.reports.models import ConsolidationRun, Report, ReportDocument

Cells = dict[str, dict[str, int | str]]
"""Indicator code -> cell key -> count, or "<5" when published to an aggregate-only reader."""


class UnitRef(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    code: str | None
    name: str
    level: str
    path: str


class IndicatorOut(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    source: str
    entry_level: str | None
    cells: list[dict[str, Any]]
    partitions: list[list[str]]
    rules: list[dict[str, Any]]
    legal_basis: str | None


class DefinitionOut(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    period_type: str
    lowest_level: str
    indicators: list[IndicatorOut]


class TargetDefinitionOut(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    numerator: str
    denominator: str
    default_pct: float
    legal_basis: str | None


class CampaignOut(msgspec.Struct, forbid_unknown_fields=True):
    """A yearly campaign: its days (month, day) on the ``solar`` or ``lunar`` calendar and this year's
    solar dates, the indicator holding its participation cells, its target if any."""

    code: str
    name_vi: str
    name_en: str
    indicator: str
    target: str | None
    calendar: str
    start: list[int]
    end: list[int]
    first_day: str
    last_day: str
    legal_basis: str | None


class DefinitionsOut(msgspec.Struct, forbid_unknown_fields=True):
    items: list[DefinitionOut]
    targets: list[TargetDefinitionOut]
    campaigns: list[CampaignOut]


class DueDaysOut(msgspec.Struct, forbid_unknown_fields=True):
    """A definition's working days after the period's end, per level, and the portal's defaults."""

    definition: str
    days: dict[str, int]
    defaults: dict[str, int]


class DefinitionRef(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    period_type: str
    lowest_level: str


class MissingUnit(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    code: str | None
    name: str
    status: str


class SubUnitStatus(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    report_id: int | None
    status: str
    version: int | None


class ConsolidationRunOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    report_id: int
    status: str
    with_missing: bool
    total_units: int | None
    done_units: int
    progress: float
    attempts: int
    error: str | None
    requested_at: str
    started_at: str | None
    finished_at: str | None

    @classmethod
    def of(cls, run: ConsolidationRun) -> ConsolidationRunOut:
        return msgspec.convert(run.as_json(), cls)


class ReportEventOut(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    from_: str | None = msgspec.field(name="from")
    to: str
    comment: str | None
    by: str | None
    at: str


class FromMonthsOut(msgspec.Struct, forbid_unknown_fields=True):
    values: Cells
    months: list[str]
    missing: list[str]


class ReportOut(msgspec.Struct, forbid_unknown_fields=True):
    """A report as its reader may see it (``suppressed``: published figures, not exact ones)."""

    id: int
    definition: DefinitionRef
    unit: UnitRef
    period: str
    period_start: str
    period_end: str
    due_date: str | None
    """The last day to submit (portal.reports.due: working days after the period's end, per level)."""
    status: str
    version: int
    suppressed: bool
    figures: Cells
    entered: Cells
    entry_indicators: list[str]
    from_months: FromMonthsOut | None
    """A longer period's report: what its typed cells took from the approved monthly reports."""
    reasons: dict[str, dict[str, str]]
    """Why a typed cell differs from its months' figure, by indicator and cell."""
    missing_units: list[MissingUnit]
    comment: str | None
    computed_at: str | None
    consolidated_at: str | None
    submitted_at: str | None
    approved_at: str | None
    sub_units: list[SubUnitStatus]
    consolidation: ConsolidationRunOut | None
    allowed_actions: list[str]
    events: list[ReportEventOut]


class ReportSummary(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit_id: int
    period: str
    status: str
    version: int
    updated_at: str

    @classmethod
    def of(cls, report: Report) -> ReportSummary:
        return cls(
            id=report.id,
            unit_id=report.unit_id,
            period=report.period,
            status=report.status,
            version=report.version,
            updated_at=report.updated_at.isoformat(),
        )


class PreparedOut(msgspec.Struct, forbid_unknown_fields=True):
    """The lowest-level drafts created under a unit for a period (existing ones are left alone)."""

    definition: str
    period: str
    created: int
    already_there: int
    report_ids: list[int]


class ReportDocumentOut(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    status: str
    attempts: int
    size_bytes: int | None
    sha256: str | None
    error: str | None
    created_at: str
    finished_at: str | None
    report_id: int
    format: str
    report_version: int
    suppressed: bool

    @classmethod
    def of(cls, doc: ReportDocument) -> ReportDocumentOut:
        return msgspec.convert(doc.as_json(), cls)


class RateRow(msgspec.Struct, forbid_unknown_fields=True):
    """One target: numerator and denominator (a count, "<5", or null when hidden or not applying)."""

    code: str
    name_vi: str
    name_en: str
    numerator: int | str | None
    denominator: int | str | None
    pct: float | None
    target_pct: float
    target_set_by: str | None
    met: bool | None
    applies: bool


class TrendPoint(msgspec.Struct, forbid_unknown_fields=True):
    period: str
    status: str | None
    rates: dict[str, float | None]
    totals: dict[str, int | str | None]


class RankingRow(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    status: str
    rates: dict[str, float | None]


class DashboardOut(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    definition: str
    period: str
    report_id: int | None
    status: str | None
    suppressed: bool
    targets: list[RateRow]
    trend: list[TrendPoint]
    ranking: list[RankingRow]


class TargetSetOut(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    target: str
    year: int
    pct: float
