"""Shapes of the plans and steering committees API's input (msgspec decodes and type-checks; the services
check meaning and length, naming each field at fault)."""

from __future__ import annotations

from datetime import date

import msgspec
from msgspec import UNSET, UnsetType


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    """A plan document of ``unit_id`` (left out: the caller's own unit) for ``year``."""

    year: int
    number: str
    issued_on: date
    title: str
    issuing_body: str
    summary: str | None = None
    unit_id: int | None = None


class PlanPatch(msgspec.Struct, forbid_unknown_fields=True):
    number: str | UnsetType = UNSET
    issued_on: date | UnsetType = UNSET
    title: str | UnsetType = UNSET
    issuing_body: str | UnsetType = UNSET
    summary: str | None | UnsetType = UNSET


class ActivityIn(msgspec.Struct, forbid_unknown_fields=True):
    """What the plan asks, by whom (a unit of the plan's area, or an office such as "Công an quận") and
    by when."""

    title: str
    deadline: date
    owner_unit_id: int | None = None
    owner_office: str | None = None


class ActivityPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: str | UnsetType = UNSET
    deadline: date | UnsetType = UNSET
    owner_unit_id: int | None | UnsetType = UNSET
    owner_office: str | None | UnsetType = UNSET


class ProgressIn(msgspec.Struct, forbid_unknown_fields=True):
    """A dated progress note. ``status`` left out: done at 100%, in progress above 0, else not started."""

    progress: int
    text: str
    status: str | None = None
    noted_on: date | None = None


class PlanFilter(msgspec.Struct, forbid_unknown_fields=True):
    year: int | None = None
    unit_id: int | None = None


class CommitteeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A steering committee of ``unit_id`` (left out: the caller's own unit) and the decision that
    established it."""

    name: str
    decision_number: str
    decision_on: date
    issuing_body: str
    unit_id: int | None = None


class CommitteePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | UnsetType = UNSET
    decision_number: str | UnsetType = UNSET
    decision_on: date | UnsetType = UNSET
    issuing_body: str | UnsetType = UNSET
    ended_on: date | None | UnsetType = UNSET


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """An official on the committee: ``role`` head, deputy or member."""

    full_name: str
    position: str
    role: str = "member"


class MemberLeave(msgspec.Struct, forbid_unknown_fields=True):
    left_on: date


class MeetingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A meeting: ``attended`` lists the ids of the members present."""

    held_on: date
    agenda: str
    conclusions: str | None = None
    guests: str | None = None
    attended: list[int] = []
