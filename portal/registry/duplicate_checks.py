"""A likely duplicate is never stored silently: create and edit answer 409 with the suspects unless the
caller confirms each as "a different child" (``not_duplicate_of``), which is recorded as a distinct pair.

A suspect by personal identification number alone is left to the unique index and to the transfer of
``register_child`` (a number is one child's: confirming does not make it another's).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.access import children_for
from portal.registry.duplicate_models import ChildDistinctPair
from portal.registry.duplicates import Candidate, Match, likely_duplicates
from portal.registry.models import Child
from portal.registry.text import fold
from tenancy.models import Unit


def readable_ids(session: Session, caller: Caller, ids: Iterable[uuid.UUID], field: str) -> list[uuid.UUID]:
    """``ids`` when each is a child the caller reads; otherwise 422 naming ``field`` (no existence leaks)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(session.scalars(children_for(caller).with_only_columns(Child.id).where(Child.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            [FieldError(field, f"no child {missing[0]} that you may read", "unknown_child")]
        )
    return wanted


def refuse_likely_duplicates(
    session: Session, caller: Caller, candidate: Candidate, confirmed: Sequence[uuid.UUID], unit_id: int
) -> None:
    """409 with the suspects the caller has not confirmed as different children (the answer carries
    their ids, names, dates of birth and hamlets: records the caller reads; the read is audited)."""
    matches = [
        m
        for m in likely_duplicates(session, caller, [candidate])[0]
        if m.reason != "national_id" and m.child_id not in set(confirmed)
    ]
    if not matches:
        return
    shown = suspects(session, caller, matches)
    audit(
        caller.actor,
        "duplicates",
        "child",
        "allowed",
        resource_ids=[m.child_id for m in matches],
        unit_id=unit_id,
        detail={"suspects": len(shown)},
    )
    error = Conflict(
        "this child may already be recorded: merge the records, or confirm it is a different child "
        "(not_duplicate_of)"
    )
    error.extra = {"suspects": shown}
    raise error


def suspects(session: Session, caller: Caller, matches: Sequence[Match]) -> list[dict[str, Any]]:
    """The suspects as the 409 shows them, in the matches' order."""
    briefs = child_briefs(session, caller, [m.child_id for m in matches])
    return [
        briefs[m.child_id] | {"reason": m.reason, "score": round(m.score, 2)}
        for m in matches
        if m.child_id in briefs
    ]


def child_briefs(
    session: Session, caller: Caller, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Id, name, date of birth, sex, hamlet and guardians of the children of ``ids`` the caller reads."""
    if not ids:
        return {}
    rows = session.execute(
        children_for(caller)
        .with_only_columns(
            Child.id,
            Child.full_name,
            Child.date_of_birth,
            Child.sex,
            Child.hamlet_id,
            Unit.name.label("hamlet_name"),
            Child.status,
        )
        .join(Unit, Unit.id == Child.hamlet_id)
        .where(Child.id.in_(list(ids)))
    )
    return {
        row.id: {
            "id": str(row.id),
            "full_name": row.full_name,
            "date_of_birth": row.date_of_birth.isoformat(),
            "sex": row.sex,
            "hamlet_id": row.hamlet_id,
            "hamlet_name": row.hamlet_name,
            "status": row.status,
        }
        for row in rows
    }


def confirm_distinct(
    session: Session, caller: Caller, child_id: uuid.UUID, others: Iterable[uuid.UUID]
) -> None:
    """Record ``child_id`` and each of ``others`` as different children (both readable: row-level
    security checks it again). Confirming a pair twice changes nothing."""
    pairs = [
        {"child_a": min(child_id, o), "child_b": max(child_id, o), "confirmed_by": caller.user_id}
        for o in others
        if o != child_id
    ]
    if not pairs:
        return
    session.execute(insert(ChildDistinctPair).values(pairs).on_conflict_do_nothing())
    audit(
        caller.actor,
        "not_duplicate",
        "child",
        "allowed",
        resource_ids=[child_id, *(p["child_b"] if p["child_a"] == child_id else p["child_a"] for p in pairs)],
        unit_id=caller.unit.id if caller.unit is not None else None,
    )


def edited_identity(
    child: Child, given: dict[str, Any], born: Any, guardians: list[dict[str, Any]] | None
) -> Candidate | None:
    """The record as an edit leaves it, when its folded name, birth date, sex or guardians' folded names
    change (then it is checked for likely duplicates again); None otherwise."""
    now = [g.full_name for g in child.guardians]
    edited = Candidate(
        given.get("full_name", child.full_name),
        born,
        given.get("sex", child.sex),
        None,
        [g["full_name"] for g in guardians] if guardians is not None else now,
        child.hamlet_id,
        child.id,
    )

    def identity(name: str, dob: Any, sex: str, names: Sequence[str]) -> tuple[object, ...]:
        return fold(name), dob, sex, sorted(fold(n) for n in names)

    same = identity(edited.full_name, edited.date_of_birth, edited.sex, edited.guardian_names) == identity(
        child.full_name, child.date_of_birth, child.sex, now
    )
    return None if same else edited
