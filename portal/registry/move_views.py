"""What the pages show of moves beside the API's answers (``portal.registry.moves``): a child's open
move, how many moves wait for the caller, the decisions the caller may take on a move, communes found
by code or name as a destination, and the places a history names. Never commits.

The unit tree is reference data (names and codes of communes and hamlets are public); which moves and
children the caller sees stays the access module's rule (``moves_for``, ``move_shows_child``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.clock import today
from portal.registry.access import moves_for
from portal.registry.models import ChildMove
from portal.registry.moves import DECISIONS, move_json
from portal.staff.search import folded
from tenancy.models import Unit

MAX_FOUND = 20
_CODE = re.compile(r"\d{5}")


def open_move_of(session: Session, caller: Caller, child_id: uuid.UUID) -> dict[str, Any] | None:
    """The open move of a child the caller reads (the API's dict), if there is one."""
    move = session.scalars(
        moves_for(caller).where(ChildMove.child_id == child_id, ChildMove.state == "open")
    ).one_or_none()
    return None if move is None else move_json(session, caller, move)


def may_move(caller: Caller) -> bool:
    """Whether the caller's role records moves out (Casbin)."""
    return allowed(caller.role, "child_move", "open")


def count_moves(session: Session, caller: Caller, side: str, state: str) -> int:
    """How many moves of the caller's area are on ``side`` (``in``/``out``) in ``state``: no child named."""
    authorize_action(caller, "child_move", "list")
    stmt = moves_for(caller, side).where(ChildMove.state == state)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def decisions_for(caller: Caller, move: dict[str, Any]) -> list[str]:
    """The decisions the caller may take on a move (the API's dict): its side's, that its role may."""
    if move["state"] != "open":
        return []
    opened_by_me = move["asked_by"] == move["side"]
    out = []
    for decision, (if_origin, if_destination, _word) in DECISIONS.items():
        action = if_origin if move["asked_by"] == "origin" else if_destination
        mine = opened_by_me if decision == "cancel" else not opened_by_me
        if action is not None and mine and allowed(caller.role, "child_move", action):
            out.append(decision)
    return out


def find_communes(session: Session, text: str) -> list[Unit]:
    """Communes in force today whose code is ``text`` (5 digits) or whose name holds it (accents and
    case ignored), in code order; at most ``MAX_FOUND``."""
    text = " ".join(text.split())[:100]
    if not text:
        return []
    on = today()
    stmt = select(Unit).where(
        Unit.level == "commune",
        or_(Unit.valid_to.is_(None), Unit.valid_to > on),
        or_(Unit.valid_from.is_(None), Unit.valid_from <= on),
    )
    if _CODE.fullmatch(text):
        stmt = stmt.where(Unit.code == text)
    else:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(folded(Unit.name).ilike(func.unaccent(f"%{escaped}%")))
    return list(session.scalars(stmt.order_by(Unit.code, Unit.name).limit(MAX_FOUND)))


def place_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """Each unit's name with its parent's ("Thôn 3, Xã Tân Lập"; a province alone)."""
    if not unit_ids:
        return {}
    parent = Unit.__table__.alias("parent")
    rows = session.execute(
        select(Unit.id, Unit.name, parent.c.name)
        .outerjoin(parent, parent.c.id == Unit.parent_id)
        .where(Unit.id.in_(unit_ids))
    ).tuples()
    return {uid: f"{name}, {above}" if above else name for uid, name, above in rows}


def province_of(session: Session, units: list[Unit]) -> dict[int, str]:
    """Each commune's province name, to tell apart communes of the same name."""
    roots = {u.id: int(u.path.strip("/").split("/")[0]) for u in units}
    names = dict(
        session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(roots.values())))).tuples().all()
    )
    return {uid: names.get(root, "") for uid, root in roots.items()}
