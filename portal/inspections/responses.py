"""Shapes of the inspections API's answers, for the OpenAPI document and for checking what is sent.

Every key is always present (``None`` as JSON null). The plan, the check run's progress and the
recommendations are built as dictionaries by the views the pages and the PDF share, and converted at
the boundary with :func:`msgspec.convert` (``forbid_unknown_fields``: a key a view adds without its
field here fails loudly instead of being dropped).
"""

from __future__ import annotations

from typing import Any

import msgspec

from portal.inspections.checks import Item
from portal.inspections.models import Finding, InspectionDocument, InspectionPlan
from portal.reports.responses import UnitRef


class ChecklistItemOut(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name_vi: str
    name_en: str
    threshold: float
    higher_is_better: bool

    @classmethod
    def of(cls, item: Item) -> ChecklistItemOut:
        return cls(item.code, item.name_vi, item.name_en, item.threshold, item.higher_is_better)


class InspectionPlanSummary(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    title: str
    status: str
    period_start: str
    period_end: str

    @classmethod
    def of(cls, plan: InspectionPlan) -> InspectionPlanSummary:
        return cls(
            id=plan.id,
            title=plan.title,
            status=plan.status,
            period_start=plan.period_start.isoformat(),
            period_end=plan.period_end.isoformat(),
        )


class RecommendationResponseOut(msgspec.Struct, forbid_unknown_fields=True):
    """``reply_on``, ``reply_reference``: the date and number of an addressee's letter, when the issuing
    side records the reply of an addressee outside the tree."""

    kind: str
    text: str
    by: str | None
    at: str
    reply_on: str | None
    reply_reference: str | None


class AddresseeRef(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    kind: str
    name: str


class RecommendationOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    finding_id: int
    text: str
    responsible_unit: UnitRef | None
    addressee: AddresseeRef | None
    issuing_unit_id: int | None
    deadline: str
    status: str
    overdue: bool
    responses: list[RecommendationResponseOut]


class CheckOut(msgspec.Struct, forbid_unknown_fields=True):
    """One automated check as the reader may see it. ``value``: a rate or count, "<5", or null when
    withheld; ``evidence``: its counts (published or exact) and, for record keepers, anonymous ids."""

    item: str
    name_vi: str
    name_en: str
    outcome: str
    value: Any
    threshold: float | None
    evidence: dict[str, Any]


class FindingRef(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    item: str | None
    text: str
    severity: str


class FacilityRef(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    name: str


class AuditedUnitOut(msgspec.Struct, forbid_unknown_fields=True):
    """An audited unit (``disclosure``: "exact" where the reader keeps its records, else "published")."""

    id: int
    unit: UnitRef
    facility: FacilityRef | None
    """The audited child-assistance facility (its unit manages it), or none: the unit itself."""
    checked_at: str | None
    disclosure: str
    checks: list[CheckOut]
    findings: list[FindingRef]
    recommendations: list[RecommendationOut]


class TeamMemberOut(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    full_name: str
    lead: bool


class InspectionPlanOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    title: str
    status: str
    inspecting_unit: UnitRef | None
    period_start: str
    period_end: str
    visit_from: str | None
    visit_to: str | None
    legal_basis: str | None
    team: list[TeamMemberOut]
    targets: list[AuditedUnitOut]


class RunProgressOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    plan_id: int
    total: int
    done: int
    failed: int
    progress: float
    status: str


class FindingOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    target_id: int
    item: str | None
    text: str
    severity: str

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return msgspec.convert(finding, cls, from_attributes=True)


class InspectionDocumentOut(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    status: str
    attempts: int
    size_bytes: int | None
    sha256: str | None
    error: str | None
    created_at: str
    finished_at: str | None
    plan_id: int

    @classmethod
    def of(cls, doc: InspectionDocument) -> InspectionDocumentOut:
        return msgspec.convert(doc.as_json(), cls)
