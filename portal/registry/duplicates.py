"""Likely duplicates of a child record: who in the caller's area may be the same child.

A stored active record is a likely duplicate of a candidate (a record about to be created, edited or
imported) when it holds the same personal identification number, or when its accent-folded name is the
candidate's and a guardian's folded name is one of the candidate's guardians', with the same date of
birth or, failing that, the same birth year and sex. Only the caller's records scope is searched (the
unique index on active personal ids catches a number held elsewhere, and a registration then opens a
move: ``portal.registry.moves``). Pairs a user confirmed as different children are never raised again.

Per chunk of candidates, one statement reads the active records of the area with one of the candidates'
folded names (a probe of ``ix_children_duplicate_probe`` per name, migration 0027), and one those with
one of their personal ids, each with its guardians' folded names (``app_fold``); the rules are then
applied here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import ARRAY, Text, func, literal, literal_column, or_, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.registry.access import children_for
from portal.registry.duplicate_models import ChildDistinctPair
from portal.registry.models import Child
from portal.registry.text import fold

Reason = Literal["national_id", "name_dob_guardian", "name_year_sex_guardian"]
SCORES: dict[str, float] = {"national_id": 1.0, "name_dob_guardian": 0.9, "name_year_sex_guardian": 0.7}
SAME_HAMLET_BONUS = 0.05
CHUNK = 1000

_GUARDIAN_NAMES: Any = literal_column(
    "(SELECT coalesce(array_agg(app_fold(g.full_name)), '{}') "
    "FROM guardians g WHERE g.child_id = children.id)"
)


@dataclass(frozen=True)
class Candidate:
    """A child as typed: what the rules compare. ``hamlet_id``: where it would be recorded (a suspect
    in the same hamlet ranks first); ``child_id``: the record itself, when an edit is checked (it is
    not its own duplicate, and the pairs confirmed for it are left out)."""

    full_name: str
    date_of_birth: date
    sex: str
    national_id: str | None = None
    guardian_names: Sequence[str] = ()
    hamlet_id: int | None = None
    child_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Match:
    child_id: uuid.UUID
    reason: Reason
    score: float


@dataclass
class _Stored:
    id: uuid.UUID
    hamlet_id: int
    date_of_birth: date
    sex: str
    guardians: set[str] = field(default_factory=set)


def likely_duplicates(session: Session, caller: Caller, candidates: Sequence[Candidate]) -> list[list[Match]]:
    """For each candidate, the active records of the caller's area that are likely the same child,
    strongest first (empty when none). Reads no personal data out: ids, reasons and scores only."""
    out: list[list[Match]] = []
    for start in range(0, len(candidates), CHUNK):
        out.extend(_chunk(session, caller, candidates[start : start + CHUNK]))
    return out


def _stored(session: Session, caller: Caller, names: set[str], ids: set[str]) -> list[Any]:
    """The area's active records with one of the folded ``names`` or personal ``ids``.

    The names are joined as a list (``unnest``), not matched with ``= ANY``: with a long array the
    planner chose the trigram index of ``search_name`` and one chunk of 1,000 names took 13 s in an
    8,000-child commune (bench/bench_duplicates.py); joined, each name is one probe of the btree index.
    """
    columns = (
        Child.id,
        Child.hamlet_id,
        Child.search_name,
        Child.date_of_birth,
        Child.sex,
        Child.national_id,
        _GUARDIAN_NAMES.label("guardians"),
    )
    base = children_for(caller).with_only_columns(*columns).where(Child.status == "active")
    wanted = func.unnest(literal(sorted(names), ARRAY(Text))).table_valued("name").alias("wanted")
    rows = list(session.execute(base.join(wanted, Child.search_name == wanted.c.name)).all())
    if ids:
        rows += session.execute(base.where(Child.national_id.in_(sorted(ids)))).all()
    return rows


def _chunk(session: Session, caller: Caller, candidates: Sequence[Candidate]) -> list[list[Match]]:
    names = {fold(c.full_name) for c in candidates}
    ids = {c.national_id for c in candidates if c.national_id}
    rows = _stored(session, caller, names, ids)
    by_name: dict[str, list[_Stored]] = {}
    by_id: dict[str, list[_Stored]] = {}
    for row in rows:
        stored = _Stored(row.id, row.hamlet_id, row.date_of_birth, row.sex, set(row.guardians))
        by_name.setdefault(row.search_name, []).append(stored)
        if row.national_id:
            by_id.setdefault(row.national_id, []).append(stored)
    partners = distinct_partners(session, [c.child_id for c in candidates if c.child_id])
    return [
        _matches(c, by_name, by_id, partners.get(c.child_id, set()) if c.child_id else set())
        for c in candidates
    ]


def _matches(
    candidate: Candidate,
    by_name: dict[str, list[_Stored]],
    by_id: dict[str, list[_Stored]],
    excluded: set[uuid.UUID],
) -> list[Match]:
    found: dict[uuid.UUID, tuple[Reason, int]] = {}
    for stored in by_id.get(candidate.national_id or "", []):
        found[stored.id] = ("national_id", stored.hamlet_id)
    guardians = {fold(name) for name in candidate.guardian_names if name.strip()}
    born = candidate.date_of_birth
    for stored in by_name.get(fold(candidate.full_name), []):
        if stored.id in found or not guardians & stored.guardians:
            continue
        if stored.date_of_birth == born:
            found[stored.id] = ("name_dob_guardian", stored.hamlet_id)
        elif stored.date_of_birth.year == born.year and stored.sex == candidate.sex:
            found[stored.id] = ("name_year_sex_guardian", stored.hamlet_id)
    matches = [
        Match(
            child_id, reason, SCORES[reason] + (SAME_HAMLET_BONUS if hamlet == candidate.hamlet_id else 0.0)
        )
        for child_id, (reason, hamlet) in found.items()
        if child_id != candidate.child_id and child_id not in excluded
    ]
    return sorted(matches, key=lambda m: (-m.score, str(m.child_id)))


def distinct_partners(session: Session, child_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """For each of ``child_ids``, the records confirmed as a different child (row-level security shows
    the pairs with a readable side)."""
    wanted = set(child_ids)
    partners: dict[uuid.UUID, set[uuid.UUID]] = {i: set() for i in wanted}
    if not wanted:
        return partners
    pairs = session.execute(
        select(ChildDistinctPair.child_a, ChildDistinctPair.child_b).where(
            or_(ChildDistinctPair.child_a.in_(wanted), ChildDistinctPair.child_b.in_(wanted))
        )
    )
    for a, b in pairs:
        if a in partners:
            partners[a].add(b)
        if b in partners:
            partners[b].add(a)
    return partners
