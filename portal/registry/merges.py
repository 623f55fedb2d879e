"""Merging two records of one child, and undoing it (the database's ``child_merge``/``child_unmerge``,
migration 0027). Ward officers only (Casbin ``child``: ``merge``, ``unmerge``), inside their commune,
both records readable.

The survivor keeps its own fields (and takes the absorbed record's personal id when it had none); it
gains the absorbed record's history, cases, moves, and the guardians and group/risk/support periods it
lacked. The absorbed record stays, with status ``merged``
and ``merged_into`` the survivor; its residence spells are removed so the statistics layer counts the
child once (the layer's triggers mark the hamlets for recount). An undo puts every moved row back and
the absorbed record's status and spells as they were. It is refused (409) once the survivor changed
after the merge (any edit, move or merge raises its version) or while a move of it is open: later work
could otherwise be undone with it. Both records' versions move forward at each step, so a form read
before is refused as stale.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.db import savepoint
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.access import merges_for
from portal.registry.duplicate_checks import child_briefs, confirm_distinct, readable_ids
from portal.registry.duplicate_models import ChildMerge
from portal.registry.models import Child
from portal.registry.service import get_child


def merge_children(
    session: Session, caller: Caller, survivor_id: uuid.UUID, absorbed_id: uuid.UUID
) -> ChildMerge:
    """Merge ``absorbed_id`` into ``survivor_id`` (the ward officer's choice); returns the merge."""
    authorize_action(caller, "child", "merge")
    if survivor_id == absorbed_id:
        raise ValidationFailed(
            [FieldError("absorbed_id", "is the record it would be merged into", "invalid")]
        )
    survivor = get_child(session, caller, survivor_id, "merge")
    absorbed = get_child(session, caller, absorbed_id, "merge")
    context: dict[str, Any] = {
        "resource": "child",
        "action": "merge",
        "resource_ids": [survivor_id, absorbed_id],
    }
    merge_id = _call(session, func.child_merge(survivor_id, absorbed_id), context)
    merge = session.get_one(ChildMerge, merge_id)
    session.expire(survivor)
    session.expire(absorbed)
    audit(
        caller.actor,
        "merge",
        "child",
        "allowed",
        resource_ids=[survivor_id, absorbed_id],
        unit_id=survivor.hamlet_id,
        detail={"merge_id": merge_id, "moved": {k: len(v) for k, v in merge.moved.items()}},
    )
    return merge


def unmerge(session: Session, caller: Caller, merge_id: int) -> ChildMerge:
    """Undo merge ``merge_id``: both records as they were before it (409 when no longer safe)."""
    merge = read_merge(session, caller, merge_id, "unmerge")
    context: dict[str, Any] = {"resource": "child", "action": "unmerge", "resource_ids": [str(merge_id)]}
    if merge.undone_at is not None:
        raise Conflict("this merge was already undone")
    _call(session, func.child_unmerge(merge_id), context)
    session.refresh(merge)
    for child_id in (merge.survivor_id, merge.absorbed_id):
        stale = session.get(Child, child_id)
        if stale is not None:
            session.expire(stale)
    audit(
        caller.actor,
        "unmerge",
        "child",
        "allowed",
        resource_ids=[merge.survivor_id, merge.absorbed_id],
        unit_id=caller.unit.id if caller.unit is not None else None,
        detail={"merge_id": merge_id},
    )
    return merge


def merge_preview(
    session: Session, caller: Caller, survivor_id: uuid.UUID, absorbed_id: uuid.UUID
) -> tuple[Child, Child]:
    """Both records, side by side before a merge (each read is audited); only for those who may merge."""
    authorize_action(caller, "child", "merge")
    return get_child(session, caller, survivor_id), get_child(session, caller, absorbed_id)


def mark_distinct(session: Session, caller: Caller, child_id: uuid.UUID, other_id: uuid.UUID) -> None:
    """ "A different child": the pair leaves the commune's list of suspected duplicates for good."""
    get_child(session, caller, child_id, "duplicates")
    confirm_distinct(session, caller, child_id, readable_ids(session, caller, [other_id], "other_id"))


def read_merge(session: Session, caller: Caller, merge_id: int, action: str = "merge") -> ChildMerge:
    """A merge of the caller's commune, or 404."""
    authorize_action(caller, "child", action)
    merge = session.scalars(merges_for(caller).where(ChildMerge.id == merge_id)).one_or_none()
    if merge is None:
        raise NotVisible("merge not found", resource="child", action=action, resource_ids=[str(merge_id)])
    return merge


def merge_json(session: Session, caller: Caller, merge: ChildMerge) -> dict[str, Any]:
    """The merge as the API shows it: both records in brief, what moved (counts), and whether undone."""
    briefs = child_briefs(session, caller, [merge.survivor_id, merge.absorbed_id])
    return {
        "id": merge.id,
        "survivor": briefs.get(merge.survivor_id, {"id": str(merge.survivor_id)}),
        "absorbed": briefs.get(merge.absorbed_id, {"id": str(merge.absorbed_id)}),
        "merged_at": merge.merged_at.isoformat(),
        "moved": {kind: len(ids) for kind, ids in merge.moved.items()},
        "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
    }


_REFUSALS = {
    "42501": "scope",
    "P0002": "state",
    "22023": "commune",
    "55000": "unsafe",
    "23505": "taken",
}


def _call(session: Session, call: Any, context: dict[str, Any]) -> int:
    try:
        with savepoint(session):
            return int(session.execute(select(call)).scalar_one())
    except DBAPIError as exc:
        kind = _REFUSALS.get(getattr(exc.orig, "sqlstate", None) or "")
        if kind is None:
            raise
        raise _refusal(kind, exc, context) from exc


def _refusal(kind: str, exc: DBAPIError, context: dict[str, Any]) -> Exception:
    if kind == "scope":
        return NotVisible("child not found", **context)
    if kind == "commune":
        return ValidationFailed(
            [FieldError("absorbed_id", "both records must be of one commune of your area", "invalid")]
        )
    if kind == "taken":
        return Conflict("the absorbed record's personal identification number is now held by another record")
    if kind == "state":
        return Conflict("both records must be active, and a merge can be undone once only")
    diag = getattr(exc.orig, "diag", None)
    return Conflict(str(getattr(diag, "message_primary", None) or "the merge cannot be undone now"))
