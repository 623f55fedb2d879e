"""Shapes of the duplicate and merge answers (``portal.registry.duplicate_checks``, ``merges``)."""

from __future__ import annotations

from portal.shapes import Out


class ChildBriefOut(Out):
    """A record as a suspect or a side of a merge: enough to tell two children apart."""

    id: str
    full_name: str
    date_of_birth: str
    sex: str
    hamlet_id: int
    hamlet_name: str
    status: str


class DuplicatePairOut(Out):
    first: ChildBriefOut
    second: ChildBriefOut
    reason: str
    """``name_dob_guardian`` or ``name_year_sex_guardian``."""
    score: float


class MergeOut(Out):
    """A merge: the survivor, the absorbed record, how many rows of each kind moved, and the undo."""

    id: int
    survivor: ChildBriefOut
    absorbed: ChildBriefOut
    merged_at: str
    moved: dict[str, int]
    undone_at: str | None
