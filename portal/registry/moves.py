"""Moving a child to another commune or province: a move with two sides. Never commits.

The origin (the child's hamlet or commune) records the move-out with a destination commune, or with
none when it is not known yet; the destination's ward officer accepts the child into one of its hamlets
or refuses with a reason, and the origin may cancel while it is open. A commune that registers a child
whose personal identification number an active record holds elsewhere asks the origin for it instead
(``claim_by_national_id``): the origin releases it or refuses. Until a move is decided the child stays
in its hamlet and in its figures; once completed only the new side reads the record, its history
included, and the old side keeps its past figures.

The decisions cross the two sides' scopes, which row-level security keeps apart: they are the
database's ``child_move_decide`` and ``child_move_claim`` (migration 0021), which check the caller's
scope themselves. Every step is audited on both sides (an entry at each side's unit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import today
from infra.db import savepoint
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed, refused_as
from portal.audit.service import record as audit
from portal.registry.access import children_for, move_shows_child, moves_for, side_of
from portal.registry.models import Child, ChildHistory, ChildMove
from portal.registry.records import record_columns, record_json
from portal.registry.schemas import MoveDecisionIn, MoveOutIn
from tenancy.models import Unit

MAX_NOTE = 2000
STATES = ("open", "completed", "refused", "cancelled")
DECISIONS = {
    # decision -> (Casbin action when the origin asked, when the destination asked, the database's word)
    "accept": ("accept", None, "complete"),
    "release": (None, "release", "complete"),
    "refuse": ("refuse", "refuse", "refuse"),
    "cancel": ("cancel", "cancel", "cancel"),
}
_SQLSTATE_REFUSALS = {"P0002": "gone", "42501": "side", "23514": "hamlet", "40001": "changed"}


@dataclass(frozen=True)
class MovePage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def _text(errors: list[FieldError], field: str, value: str | None) -> str | None:
    value = value.strip() if value else None
    if value and len(value) > MAX_NOTE:
        errors.append(FieldError(field, f"must be at most {MAX_NOTE} characters"))
    return value or None


def _moved_on(errors: list[FieldError], value: date, born: date) -> None:
    if value > today():
        errors.append(FieldError("moved_on", "is in the future", "future_date"))
    elif value < born:
        errors.append(FieldError("moved_on", "is before the child's date of birth"))


def move_out(session: Session, caller: Caller, child_id: uuid.UUID, data: MoveOutIn) -> dict[str, Any]:
    """Record that a child of the caller's area leaves for another commune (or for a place not known yet)."""
    authorize_action(caller, "child_move", "open")
    child = session.scalars(children_for(caller).where(Child.id == child_id).with_for_update()).one_or_none()
    if child is None:
        raise NotVisible("child not found", resource="child", action="move", resource_ids=[str(child_id)])
    errors: list[FieldError] = []
    _moved_on(errors, data.moved_on, child.date_of_birth)
    note = _text(errors, "destination_note", data.destination_note)
    reason = _text(errors, "reason", data.reason)
    destination = None
    if data.to_unit_id is not None:
        destination = session.get(Unit, data.to_unit_id)
        hamlet = session.get(Unit, child.hamlet_id)
        if destination is None or destination.level != "commune":
            errors.append(FieldError("to_unit_id", f"{data.to_unit_id} is not a commune", "not_a_commune"))
        elif destination.valid_to is not None and destination.valid_to <= today():
            errors.append(FieldError("to_unit_id", f"{destination.name} no longer exists", "closed"))
        elif hamlet is not None and hamlet.parent_id == destination.id:
            errors.append(
                FieldError(
                    "to_unit_id", "is the child's own commune: change the hamlet instead", "same_commune"
                )
            )
    elif note is None:
        errors.append(
            FieldError(
                "destination_note", "say where the child went when the commune is not known", "required"
            )
        )
    if child.status != "active":
        errors.append(FieldError("status", f"the child is {child.status}, not active", "not_active"))
    if errors:
        raise ValidationFailed(errors)
    move = ChildMove(
        child_id=child.id,
        asked_by="origin",
        from_hamlet_id=child.hamlet_id,
        to_unit_id=destination.id if destination else None,
        moved_on=data.moved_on,
        destination_note=note,
        reason=reason,
        opened_by=caller.user_id,
    )
    # one open move per child (uq_child_moves_open): a second one, or one opened meanwhile, is a 409
    already = Conflict("a move of this child is already open: decide or cancel it first")
    with refused_as({}, already), savepoint(session):
        session.add(move)
    session.refresh(move)
    session.add(
        ChildHistory(
            child_id=child.id,
            actor_id=caller.user_id,
            actor_username=caller.username,
            action="move_out",
            hamlet_id=child.hamlet_id,
            before=None,
            after={"move": {"to_unit_id": move.to_unit_id, "moved_on": move.moved_on.isoformat()}},
        )
    )
    _audit_both(caller, "move_out", move)
    return _move_json(session, caller, move, child)


def claim_by_national_id(
    session: Session, caller: Caller, national_id: str, hamlet: Unit
) -> tuple[str, ChildMove | None]:
    """What registering ``national_id`` in ``hamlet`` means when an active record may hold the number:
    ``none`` (register it), ``own`` (the caller's own record), ``incoming`` (already on its way here),
    ``claimed`` (a move with no destination now comes here), ``requested`` (the origin is asked for it)
    or ``elsewhere`` (it is moving to another commune). Audited when a move is opened or claimed."""
    row = session.execute(
        select(
            func.child_move_claim(national_id, hamlet.id, today()).table_valued(
                "outcome", "move_id", "child_id"
            )
        )
    ).one()
    outcome, move_id, _child_id = row
    move = session.get(ChildMove, move_id) if move_id is not None else None
    if move is not None:
        session.refresh(move)
        if outcome in ("claimed", "requested"):
            _audit_both(caller, f"move_{outcome}", move)
    return outcome, move


def list_moves(
    session: Session,
    caller: Caller,
    side: str | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> MovePage:
    """Moves with a side in the caller's area, newest first; ``side`` ``in`` or ``out``, ``state`` one of
    ``STATES``. A child is named only where the caller reads its record."""
    authorize_action(caller, "child_move", "list")
    errors = []
    if side not in (None, "in", "out"):
        errors.append(FieldError("side", "must be in or out"))
    if state not in (None, *STATES):
        errors.append(FieldError("state", f"must be one of {', '.join(STATES)}"))
    if errors:
        raise ValidationFailed(errors)
    stmt = moves_for(caller, side)
    if state is not None:
        stmt = stmt.where(ChildMove.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.add_columns(Child)
        .outerjoin(Child, (Child.id == ChildMove.child_id) & move_shows_child(caller))
        .order_by(ChildMove.opened_at.desc(), ChildMove.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    items = [_move_json(session, caller, move, child) for move, child in rows]
    shown = [child.id for _, child in rows if child is not None]
    if shown:
        audit(caller.actor, "list", "child", "allowed", resource_ids=shown, unit_id=_home(caller))
    return MovePage(items, total, page, page_size)


def read_move(session: Session, caller: Caller, move_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One move of the caller's area, and the child's whole record (the API's dict) when the caller reads
    it: the origin until the move completes, the destination while the origin's move is open and after."""
    authorize_action(caller, "child_move", "read")
    row = session.execute(
        moves_for(caller)
        .where(ChildMove.id == move_id)
        .add_columns(Child)
        .outerjoin(Child, (Child.id == ChildMove.child_id) & move_shows_child(caller))
    ).one_or_none()
    if row is None:
        raise NotVisible("move not found", resource="child_move", action="read", resource_ids=[str(move_id)])
    move, child = row
    record = None
    if child is not None:
        record = record_json(session.execute(record_columns(_child_of(caller, move.id))).one())
        audit(caller.actor, "read", "child", "allowed", resource_ids=[child.id], unit_id=child.hamlet_id)
    return _move_json(session, caller, move, child), record


def decide(
    session: Session, caller: Caller, move_id: int, decision: str, data: MoveDecisionIn
) -> dict[str, Any]:
    """Accept (into a hamlet), release, refuse or cancel an open move of the caller's area."""
    authorize_action(caller, "child_move", "read")
    move = session.scalars(moves_for(caller).where(ChildMove.id == move_id)).one_or_none()
    if move is None:
        raise NotVisible(
            "move not found", resource="child_move", action=decision, resource_ids=[str(move_id)]
        )
    actions = DECISIONS[decision]
    action = actions[0] if move.asked_by == "origin" else actions[1]
    if action is None:
        other = "accept" if move.asked_by == "origin" else "release"
        raise Conflict(f"this move is decided with {other}, not {decision}")
    context = {"resource": "child_move", "action": action, "resource_ids": [str(move.id)]}
    authorize_action(caller, "child_move", action)
    errors: list[FieldError] = []
    note = _text(errors, "note", data.note)
    if decision == "accept" and data.hamlet_id is None:
        errors.append(FieldError("hamlet_id", "choose the hamlet the child joins", "required"))
    if decision == "refuse" and note is None:
        errors.append(FieldError("note", "give the reason for the refusal", "required"))
    if errors:
        raise ValidationFailed(errors)
    if move.state != "open":
        raise Conflict(f"this move is already {move.state}")
    try:
        with savepoint(session):
            session.execute(select(func.child_move_decide(move.id, actions[2], data.hamlet_id, note)))
    except DBAPIError as exc:
        refusal = _refusal(getattr(exc.orig, "sqlstate", None), decision, context)
        if refusal is None:
            raise
        raise refusal from exc
    session.refresh(move)
    _audit_both(caller, f"move_{decision}", move)
    child = session.scalars(
        _child_of(caller, move.id).execution_options(populate_existing=True)
    ).one_or_none()
    return _move_json(session, caller, move, child)


def _child_of(caller: Caller, move_id: int) -> Select[tuple[Child]]:
    """The child of a move, if the caller reads its record (``move_shows_child``)."""
    return (
        select(Child)
        .join(ChildMove, ChildMove.child_id == Child.id)
        .where(ChildMove.id == move_id, move_shows_child(caller))
    )


def _refusal(sqlstate: str | None, decision: str, context: dict[str, Any]) -> Exception | None:
    """The answer to the database's refusal of a decision (None: not a refusal, a fault)."""
    kind = _SQLSTATE_REFUSALS.get(sqlstate or "")
    if kind == "side":
        error: Exception = Forbidden(
            f"this move is not yours to {decision}: the other side decides", **context
        )
    elif kind == "hamlet":
        error = ValidationFailed(
            [
                FieldError(
                    "hamlet_id",
                    "must be an open hamlet of the commune the child moves to",
                    "not_destination_hamlet",
                )
            ]
        )
    elif kind == "changed":
        error = Conflict("the child's record changed (it left the hamlet or is no longer active): reload it")
    elif kind == "gone":
        error = Conflict("this move was decided meanwhile: reload it")
    else:
        return None
    return error


def _home(caller: Caller) -> int | None:
    unit = caller.unit
    return unit.id if unit is not None else None


def _audit_both(caller: Caller, action: str, move: ChildMove) -> None:
    """One entry at each side's unit, so each side's audit shows the step."""
    units = [move.from_hamlet_id]
    if move.to_unit_id is not None:
        units.append(move.to_hamlet_id or move.to_unit_id)
    for unit_id in units:
        audit(
            caller.actor,
            action,
            "child",
            "allowed",
            resource_ids=[move.child_id],
            unit_id=unit_id,
            detail={"move": move.id, "state": move.state},
        )


def move_json(session: Session, caller: Caller, move: ChildMove) -> dict[str, Any]:
    """A move as the API shows it to the caller (the child named only if the caller reads its record)."""
    return _move_json(session, caller, move, session.scalars(_child_of(caller, move.id)).one_or_none())


def _ref(unit: Unit | None) -> dict[str, object] | None:
    return None if unit is None else unit.name_ref()


def _move_json(session: Session, caller: Caller, move: ChildMove, child: Child | None) -> dict[str, Any]:
    from_hamlet = session.get(Unit, move.from_hamlet_id)
    from_commune = session.get(Unit, from_hamlet.parent_id) if from_hamlet and from_hamlet.parent_id else None
    return {
        "id": move.id,
        "state": move.state,
        "asked_by": move.asked_by,
        "side": side_of(caller, move),
        "moved_on": move.moved_on.isoformat(),
        "from_hamlet": _ref(from_hamlet),
        "from_commune": _ref(from_commune),
        "to_commune": _ref(session.get(Unit, move.to_unit_id) if move.to_unit_id else None),
        "to_hamlet": _ref(session.get(Unit, move.to_hamlet_id) if move.to_hamlet_id else None),
        "destination_note": move.destination_note,
        "reason": move.reason,
        "opened_at": move.opened_at.isoformat(),
        "decided_at": move.decided_at.isoformat() if move.decided_at else None,
        "decision_note": move.decision_note,
        "child": None
        if child is None
        else {
            "id": str(child.id),
            "full_name": child.full_name,
            "date_of_birth": child.date_of_birth.isoformat(),
            "sex": child.sex,
            "national_id": child.national_id,
        },
    }
