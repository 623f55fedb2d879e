"""Shapes of the briefings API (msgspec decodes and type-checks; the service checks meaning and lengths)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

MAX_ATTENDANCE = 500


class BriefingIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    held_on: date
    chaired_by: str
    place: str | None = None
    issues: str | None = None
    """The issues the collaborators raised (free text)."""


class BriefingPatch(msgspec.Struct, forbid_unknown_fields=True):
    held_on: date | UnsetType = UNSET
    chaired_by: str | UnsetType = UNSET
    place: str | None | UnsetType = UNSET
    issues: str | None | UnsetType = UNSET


class AttendanceEntry(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    present: bool
    absence_reason: str | None = None
    """Required when absent; must be empty when present."""


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    """Each collaborator's attendance: a row replaces the one recorded for that account."""

    entries: Annotated[list[AttendanceEntry], msgspec.Meta(min_length=1, max_length=MAX_ATTENDANCE)]


class ProposalIn(msgspec.Struct, forbid_unknown_fields=True):
    content: str
    owner: str | None = None
    """Who carries it (a person or an office)."""
    due_on: date | None = None
    status: str = "open"
    follow_up: str | None = None


class ProposalPatch(msgspec.Struct, forbid_unknown_fields=True):
    content: str | UnsetType = UNSET
    owner: str | None | UnsetType = UNSET
    due_on: date | None | UnsetType = UNSET
    status: str | UnsetType = UNSET
    follow_up: str | None | UnsetType = UNSET


class BriefingFilter(msgspec.Struct, kw_only=True):
    unit_id: int | None = None
    year: int | None = None
