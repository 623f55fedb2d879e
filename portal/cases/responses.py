"""Shapes of the cases API's answers (built from ``portal.cases.view``'s dicts, same keys and nulls).

Moments are ISO 8601 text as the serialisers write them (``datetime.isoformat``), days ``yyyy-mm-dd``.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from portal.shapes import DisclosureOut, Out, Shown, UnitNameOut, UnitRefOut


class PersonOut(Out):
    id: int
    username: str
    full_name: str
    role: str | None


class CaseChildOut(Out):
    """The child; ``id`` is null until the commune identifies the registry record of a hotline intake,
    and ``age_estimated`` says the date of birth was worked out from an age."""

    id: str | None
    full_name: str
    date_of_birth: str
    sex: str
    age_estimated: bool


class CaseSummaryOut(Out):
    """A case in a list."""

    id: str
    reference: str
    status: str
    case_type: str
    channel: str
    received_at: str | None
    risk_level: str | None
    hamlet_id: int
    child: CaseChildOut
    assigned_to: PersonOut | None
    next_due_at: str | None
    version: int


class AssessmentOut(Out):
    risk_level: str | None
    summary: str | None
    at: str | None


class ProtectionOut(Out):
    measure: str | None
    note: str | None
    at: str | None


class ClosureOut(Out):
    """A closure: proposed by the ward officer (``pending``) until the chairman approves it (``at``)."""

    reason: str | None
    note: str | None
    at: str | None
    pending: bool
    proposed_at: str | None


class ReferralOut(Out):
    """A referral or transfer. ``case_id`` is null in the sending commune's stub of an accepted transfer."""

    id: str
    case_id: str | None
    reference: str
    kind: str
    from_unit: UnitNameOut
    to_unit: UnitNameOut | None
    to_hamlet_id: int | None
    service: str | None
    service_name: str | None
    reason: str
    state: str
    opened_at: str | None
    decided_at: str | None
    response: str | None
    your_side: str | None


class LinkOut(Out):
    case_id: str
    reference: str
    status: str
    kind: str
    note: str | None
    at: str | None


class RoutedOut(Out):
    """A hotline intake's answer: where it went, never the case (the recorder keeps no access)."""

    reference: str
    hamlet: UnitNameOut
    commune: UnitNameOut
    ward_officers: int


class DeadlineOut(Out):
    step: str
    due_at: str | None
    met_at: str | None
    cancelled_at: str | None
    overdue: bool
    escalation_level: int


class PlanActionOut(Out):
    id: str
    description: str
    owner: str
    due_on: str
    status: str
    result: str | None
    completed_at: str | None


class PlanOut(Out):
    id: str
    number: int
    status: str
    goals: str
    review_on: str
    submitted_at: str | None
    approved_at: str | None
    decision_ref: str | None
    return_comment: str | None
    actions: list[PlanActionOut]


class ReviewActionOut(Out):
    """One action of the reviewed plan as the review found it: done, not_done or cancelled."""

    action_id: str
    status: str
    result: str | None


class ReviewOut(Out):
    """A review of the plan (form 06); ``child_situation`` is null on reviews recorded before form 06."""

    id: str
    outcome: str
    summary: str
    child_situation: str | None
    next_review_on: str | None
    actions: list[ReviewActionOut]
    at: str | None


class DetailedAssessmentOut(Out):
    """Form 03, one recording (``number`` 1, 2, ...; the last is current)."""

    number: int
    physical_state: str
    psychological_state: str
    family_situation: str
    caregiver_capacity: str
    needs: str
    meeting_on: str
    participants: str
    at: str | None


class FormLinkOut(Out):
    """A printable form: ``ready`` once its step happened (``missing`` names the step until then)."""

    number: str
    ready: bool
    missing: str | None
    url: str


class NoteOut(Out):
    id: str
    author: str
    body: str
    at: str | None


class AttachmentOut(Out):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: str | None


class EventOut(Out):
    action: str
    from_status: str | None
    to_status: str | None
    actor: str | None
    at: str | None
    detail: dict[str, Any] | None


class GrantOut(Out):
    id: str
    user: PersonOut | None
    reason: str
    granted_at: str | None
    revoked_at: str | None


class CaseOut(CaseSummaryOut):
    """One case as its readers see it (never the informant); grants only for the ward officer."""

    place: str | None
    description: str
    family_situation: str | None
    caregiver: str | None
    actions_taken: str | None
    assessment: AssessmentOut | None
    protection: ProtectionOut | None
    closure: ClosureOut | None
    deadlines: list[DeadlineOut]
    plans: list[PlanOut]
    detailed_assessments: list[DetailedAssessmentOut]
    reviews: list[ReviewOut]
    forms: list[FormLinkOut]
    notes: list[NoteOut]
    attachments: list[AttachmentOut]
    events: list[EventOut]
    grants: list[GrantOut]
    referrals: list[ReferralOut]
    links: list[LinkOut]
    created_at: str | None
    updated_at: str | None
    allowed_actions: list[str]


class InformantOut(Out):
    """Who reported; only ``recorded: false`` when nobody was recorded (the other keys are then absent)."""

    recorded: bool
    anonymous: bool | UnsetType = UNSET
    full_name: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET
    relationship: str | None | UnsetType = UNSET
    address: str | None | UnsetType = UNSET


class AlertOut(Out):
    id: str
    case_id: str
    reference: str
    unit_id: int
    step: str
    level: int
    due_at: str | None
    message: str
    created_at: str | None
    read_at: str | None


class CodeOut(Out):
    code: str
    name_vi: str
    name_en: str


class CaseReferenceOut(Out):
    legal_basis: str
    case_types: list[CodeOut]
    channels: list[CodeOut]
    risk_levels: list[CodeOut]
    protection_measures: list[CodeOut]
    closure_reasons: list[CodeOut]
    steps: list[CodeOut]
    statuses: list[CodeOut]


class CaseStatsOut(Out):
    """Exact counts (``suppressed: false``) or published ones (small cells as "<5")."""

    unit: UnitRefOut
    received_from: str | None
    received_to: str | None
    suppressed: bool
    suppression_threshold: int | None
    disclosure: DisclosureOut | None
    total: Shown
    by_status: dict[str, Shown]
    by_type: dict[str, Shown]
