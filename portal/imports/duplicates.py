"""Suspected duplicates of a file's rows: within the file, and against the registry by exact personal id
and by accent-folded name plus date of birth.

This is the import's one seam for duplicate detection (:func:`suspected_duplicates`); a richer detector
(guardians' names, a year with the same sex) can take its place behind the same signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.registry.access import children_for
from portal.registry.models import Child

CHUNK = 10_000


@dataclass(frozen=True)
class Candidate:
    """One row as compared: its number in the file, personal id, folded name, date of birth."""

    row: int
    national_id: str | None
    name_key: str
    born: date


@dataclass(frozen=True)
class Suspect:
    row: int
    reason: str
    """``national_id`` (the same number: the registry refuses it) or ``name_born`` (same folded name and
    date of birth: a likely duplicate to decide on)."""
    where: str
    """``file`` (an earlier row, ``other_row``), ``registry`` (a record the caller reads, ``child_id``) or
    ``elsewhere`` (an active record outside the caller's area holds the personal id)."""
    other_row: int | None = None
    child_id: uuid.UUID | None = None


def _in_file(candidates: Sequence[Candidate]) -> list[Suspect]:
    found: list[Suspect] = []
    first_id: dict[str, int] = {}
    first_name: dict[tuple[str, date], int] = {}
    for c in candidates:
        if c.national_id:
            earlier = first_id.setdefault(c.national_id, c.row)
            if earlier != c.row:
                found.append(Suspect(c.row, "national_id", "file", other_row=earlier))
                continue
        earlier = first_name.setdefault((c.name_key, c.born), c.row)
        if earlier != c.row:
            found.append(Suspect(c.row, "name_born", "file", other_row=earlier))
    return found


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def ids_held(session: Session, ids: Iterable[str]) -> set[str]:
    """Which of these personal ids an active record anywhere holds (``register_ids_held``, migration 0026)."""
    held: set[str] = set()
    for chunk in _chunks(sorted(set(ids))):
        held.update(session.scalars(text("SELECT register_ids_held(:ids)"), {"ids": chunk}))
    return held


def _in_registry(session: Session, caller: Caller, candidates: Sequence[Candidate]) -> list[Suspect]:
    """Active records the caller reads with the same personal id, or the same folded name and date of
    birth; and personal ids an active record outside the caller's area holds."""
    by_id: dict[str, uuid.UUID] = {}
    by_name: dict[tuple[str, date], uuid.UUID] = {}
    rows = session.execute(
        children_for(caller)
        .with_only_columns(Child.id, Child.national_id, Child.search_name, Child.date_of_birth)
        .where(Child.status == "active")
        .execution_options(yield_per=5000)
    )
    for child_id, national_id, name_key, born in rows:
        if national_id:
            by_id[national_id] = child_id
        by_name.setdefault((name_key, born), child_id)
    elsewhere = ids_held(session, (c.national_id for c in candidates if c.national_id)) - by_id.keys()
    found = []
    for c in candidates:
        if c.national_id and c.national_id in by_id:
            found.append(Suspect(c.row, "national_id", "registry", child_id=by_id[c.national_id]))
        elif c.national_id and c.national_id in elsewhere:
            found.append(Suspect(c.row, "national_id", "elsewhere"))
        elif (c.name_key, c.born) in by_name:
            found.append(Suspect(c.row, "name_born", "registry", child_id=by_name[c.name_key, c.born]))
    return found


def suspected_duplicates(session: Session, caller: Caller, candidates: Sequence[Candidate]) -> list[Suspect]:
    """Every suspected duplicate among ``candidates``: within the file (a later row repeating an earlier
    row's personal id, or its folded name and date of birth) and against the registry. The registry is
    read through the caller's scope (and row-level security); only the personal id is checked
    nationally, as the registry's unique index is."""
    return _in_file(candidates) + _in_registry(session, caller, candidates)


def keys_seen(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these row keys were imported before (``register_import_keys_seen``, migration 0026)."""
    seen: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        seen.update(session.scalars(text("SELECT register_import_keys_seen(:keys)"), {"keys": chunk}))
    return seen
