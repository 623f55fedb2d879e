"""Shapes of the cases API (msgspec decodes and type-checks; the services check meaning, naming fields)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from portal.registry.schemas import ChildCreate


class InformantIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who reported (optional on form 01). Stored apart; only the commune's ward officers read it."""

    anonymous: bool = False
    full_name: str | None = None
    phone: str | None = None
    relationship: str | None = None
    address: str | None = None


class IntakeIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 01: the channel and time, the child (``child_id`` of the registry, or ``new_child`` to record),
    what happened, and optionally the informant. ``assigned_to`` only for the commune's ward officer."""

    channel: str
    case_type: str
    description: str
    child_id: uuid.UUID | None = None
    new_child: ChildCreate | None = None
    received_at: datetime | None = None
    place: str | None = None
    family_situation: str | None = None
    caregiver: str | None = None
    actions_taken: str | None = None
    informant: InformantIn | None = None
    assigned_to: int | None = None


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    version: int | None = None


class AssessIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 02: the risk level; ``urgent`` opens the 12-hour emergency protection deadline."""

    risk_level: str
    summary: str
    version: int | None = None


class ProtectIn(msgspec.Struct, forbid_unknown_fields=True):
    measure: str
    note: str
    taken_at: datetime | None = None
    version: int | None = None


class PlanActionIn(msgspec.Struct, forbid_unknown_fields=True):
    description: str
    owner: str
    due_on: date


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 04: goals, actions with owners and dates, and the date the plan is reviewed."""

    goals: str
    review_on: date
    actions: list[PlanActionIn]
    version: int | None = None


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    version: int | None = None
    decision_ref: str | None = None
    comment: str | None = None


class ActionUpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    status: str
    result: str | None = None


class DetailedAssessmentIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 03: the child's state, family and caregivers, the needs a meeting decided (when, who)."""

    physical_state: str
    psychological_state: str
    family_situation: str
    caregiver_capacity: str
    needs: str
    meeting_on: date
    participants: str
    version: int | None = None


class ReviewActionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One action of the reviewed plan: ``done`` or ``not_done``, with its result (or why not)."""

    action_id: uuid.UUID
    status: str
    result: str | None = None


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 06: the outcome (``continue``, ``new_plan`` or ``close``: propose closing), what was found,
    the child's situation now and each action's evaluation (an action not listed is taken as the plan
    records it)."""

    outcome: str
    summary: str
    child_situation: str | None = None
    actions: list[ReviewActionIn] = msgspec.field(default_factory=list)
    next_review_on: date | None = None
    version: int | None = None


class CloseIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str
    note: str | None = None
    version: int | None = None


class ToldChildIn(msgspec.Struct, forbid_unknown_fields=True):
    """The child as the caller described them: a date of birth, or an age in years when it is not known."""

    full_name: str
    sex: str
    date_of_birth: date | None = None
    age_years: int | None = None


class HotlineIntakeIn(msgspec.Struct, forbid_unknown_fields=True):
    """Form 01 recorded by the 111 hotline or the province: for a hamlet of its area, routed at once."""

    channel: str
    case_type: str
    description: str
    hamlet_id: int
    child: ToldChildIn
    received_at: datetime | None = None
    place: str | None = None
    family_situation: str | None = None
    caregiver: str | None = None
    actions_taken: str | None = None
    informant: InformantIn | None = None


class ReferIn(msgspec.Struct, forbid_unknown_fields=True):
    """A referral (to another commune, or a service) or the transfer of the whole case to a commune."""

    kind: str
    reason: str
    to_unit_id: int | None = None
    service: str | None = None
    service_name: str | None = None
    version: int | None = None


class ReferralDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    hamlet_id: int | None = None
    response: str | None = None


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    case_id: uuid.UUID
    kind: str
    note: str | None = None


class IdentifyIn(msgspec.Struct, forbid_unknown_fields=True):
    child_id: uuid.UUID
    version: int | None = None


class ReopenIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str
    version: int | None = None


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    body: str


class GrantIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    reason: str
