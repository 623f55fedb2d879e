"""Hamlets (thôn, ấp, bản, tổ dân phố) of a commune: create, rename, close. Never commits.

Hamlets have no official code; a commune's staff keep the list. Names are unique within the
commune whatever the accents or case ("Thôn Đông" and "thon dong" are one name). A hamlet that
still has active children or active staff cannot be closed. The database repeats the rule: the
application role may insert or update only hamlets, only inside the caller's scope (see 0008).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.registry.text import clean_name, fold
from portal.staff.access import in_force
from portal.staff.schemas import HamletIn, HamletPatch
from tenancy.models import Unit

RESOURCE = "hamlet"
KINDS = (
    "Thôn",
    "Tổ dân phố",
    "Ấp",
    "Bản",
    "Buôn",
    "Làng",
    "Xóm",
    "Khu",
    "Khu phố",
    "Khối",
    "Sóc",
    "Plei",
    "Tổ",
)
_KIND = {fold(k): k for k in KINDS}


def _state(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }


def _audit(caller: Caller, action: str, unit: Unit, before: dict[str, Any] | None) -> None:
    audit(
        caller.actor,
        action,
        RESOURCE,
        "allowed",
        resource_ids=[unit.id],
        unit_id=unit.parent_id,
        detail={"before": before, "after": _state(unit), "path": unit.path},
    )


def _name(value: str, errors: list[FieldError]) -> str:
    name = clean_name(value)
    if not name:
        errors.append(FieldError("name", "is required", "required"))
    elif len(name) > 100:
        errors.append(FieldError("name", "must be at most 100 characters"))
    return name


def _kind(value: str | None, errors: list[FieldError]) -> str | None:
    if value is None:
        return None
    found = _KIND.get(fold(value))
    if found is None:
        errors.append(FieldError("kind", f"must be one of {', '.join(KINDS)}"))
    return found


def _lock_names(session: Session, commune_id: int) -> None:
    """Serialise name checks per commune, so two concurrent creations cannot both pass the folded check."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('hamlet-names'), CAST(:c AS integer))"),
        {"c": commune_id % 2**31},
    )


def _check_unique(session: Session, commune: Unit, name: str, except_id: int | None = None) -> None:
    wanted = fold(name)
    for other_id, other in session.execute(
        select(Unit.id, Unit.name).where(Unit.parent_id == commune.id, Unit.level == "hamlet")
    ).tuples():
        if other_id != except_id and fold(other) == wanted:
            raise Conflict(f"{commune.name} already has a hamlet named {other!r} (hamlet {other_id})")


def _flush(session: Session, commune: Unit, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{commune.name} already has a hamlet named {name!r}") from exc


def create_hamlet(session: Session, caller: Caller, commune: Unit, body: HamletIn) -> Unit:
    authorize(caller, RESOURCE, "create", commune)
    errors: list[FieldError] = []
    name = _name(body.name, errors)
    kind = _kind(body.kind, errors)
    if commune.level != "commune":
        errors.append(
            FieldError("unit_id", f"hamlets are created under a commune; {commune.name} is a {commune.level}")
        )
    if errors:
        raise ValidationFailed(errors)
    if not in_force(commune):
        raise Conflict(
            f"{commune.name} is not in force today: hamlets go under a commune of today's structure"
        )
    _lock_names(session, commune.id)
    _check_unique(session, commune, name)
    new_id = session.execute(text("SELECT nextval(pg_get_serial_sequence('units', 'id'))")).scalar_one()
    path = f"{commune.path}{new_id}/"
    hamlet = Unit(
        id=new_id,
        parent_id=commune.id,
        level="hamlet",
        code=None,
        name=name,
        kind=kind or ("Tổ dân phố" if commune.kind == "Phường" else "Thôn"),
        path=path,
        depth=commune.depth + 1,
        valid_from=today(),
        valid_to=None,
    )
    session.add(hamlet)
    _flush(session, commune, name)
    _audit(caller, "create", hamlet, None)
    return hamlet


def _hamlet(session: Session, caller: Caller, hamlet_id: int, action: str) -> tuple[Unit, Unit]:
    authorize_action(caller, RESOURCE, action)
    hamlet = session.get(Unit, hamlet_id)
    if hamlet is None or hamlet.level != "hamlet" or hamlet.parent_id is None:
        raise NotVisible("hamlet not found", resource=RESOURCE, action=action, resource_ids=[hamlet_id])
    authorize(caller, RESOURCE, action, hamlet)
    commune = session.get(Unit, hamlet.parent_id)
    assert commune is not None
    return hamlet, commune


def update_hamlet(session: Session, caller: Caller, hamlet_id: int, changes: HamletPatch) -> Unit:
    hamlet, commune = _hamlet(session, caller, hamlet_id, "update")
    errors: list[FieldError] = []
    name = hamlet.name if changes.name is UNSET else _name(changes.name, errors)
    kind = hamlet.kind if changes.kind is UNSET else _kind(changes.kind, errors)
    if errors:
        raise ValidationFailed(errors)
    if hamlet.valid_to is not None and hamlet.valid_to <= today():
        raise Conflict(f"{hamlet.name} was closed on {hamlet.valid_to:%d/%m/%Y}: it can no longer be changed")
    before = _state(hamlet)
    if name != hamlet.name:
        _lock_names(session, commune.id)
        _check_unique(session, commune, name, except_id=hamlet.id)
    hamlet.name, hamlet.kind = name, kind
    _flush(session, commune, name)
    if _state(hamlet) != before:
        _audit(caller, "update", hamlet, before)
    return hamlet


def close_hamlet(session: Session, caller: Caller, hamlet_id: int) -> Unit:
    """From today the hamlet no longer exists. Refused (409) while children or staff are still there."""
    hamlet, _commune = _hamlet(session, caller, hamlet_id, "close")
    day = today()
    if hamlet.valid_to is not None and hamlet.valid_to <= day:
        raise Conflict(f"{hamlet.name} is already closed (since {hamlet.valid_to:%d/%m/%Y})")
    if hamlet.valid_from is not None and hamlet.valid_from >= day:
        raise Conflict(f"{hamlet.name} opened today: it can be closed from tomorrow (or renamed now)")
    children = session.execute(text("SELECT hamlet_open_children(:h)"), {"h": hamlet.id}).scalar_one()
    staff = list(
        session.scalars(
            select(User.username)
            .where(User.unit_id == hamlet.id, User.is_active.is_(True))
            .order_by(User.username)
        )
    )
    if children or staff:
        error = Conflict(
            f"{hamlet.name} still has {children} active children and {len(staff)} active staff: "
            "move them to another hamlet (or mark the children moved away) first"
        )
        error.extra = {"active_children": children, "active_staff": staff}
        raise error
    before = _state(hamlet)
    hamlet.valid_to = day
    session.flush()
    _audit(caller, "close", hamlet, before)
    return hamlet
