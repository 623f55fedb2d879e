"""Which accounts a manager may see and change, and which role at which unit they may grant.

The rule, in one place: an account is managed by callers of a strictly higher rank whose unit's
subtree holds the account's unit (an administrator manages every account). Lists and look-ups are
filtered in SQL with the unit path range; nothing is loaded and then dropped in Python.

Trainings follow the same area: a course is visible in the subtree of the unit holding it, to the
units above it and wherever someone who attended it works now (:func:`visible_courses`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, aliased

from authz.caller import Caller
from authz.enforcer import allowed
from infra.clock import today
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.auth.models import User
from portal.staff.models import TrainingAttendance, TrainingCourse
from portal.staff.ranks import LEVEL_OF_ROLE, ROLES, outranks, roles_below
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause

RESOURCE = "staff"


def management_root(caller: Caller) -> str | None:
    """The subtree the caller manages: their unit's (an administrator's: the whole tree)."""
    return caller.scope.aggregates or caller.scope.records


def in_force(unit: Unit, on: date | None = None) -> bool:
    day = on or today()
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to > day
    )


def manages(caller: Caller, path: str | None) -> bool:
    """Is ``path`` (a unit's; None: no unit) in the subtree the caller manages?"""
    return in_subtree(path or "", management_root(caller))


def works_under(path: str | None, unit: Unit) -> bool:
    """Does someone working at ``path`` (None: no unit) work in ``unit`` or below it?"""
    return in_subtree(path or "", unit.path)


def managed_units(caller: Caller) -> ColumnElement[bool]:
    """SQL on ``Unit``: the unit lies in the subtree the caller manages."""
    return subtree_clause(Unit.path, management_root(caller))


def units_in(root: Unit) -> ColumnElement[bool]:
    """SQL on ``Unit``: the unit is ``root`` or below it (narrows a managed statement to one area)."""
    return subtree_clause(Unit.path, root.path)


def ancestor_ids(path: str | None) -> list[int]:
    """Ids of the units on ``path`` (the unit itself and those above it)."""
    return [int(x) for x in path.strip("/").split("/")] if path and path != "/" else []


def visible_courses(caller: Caller) -> Select[tuple[TrainingCourse, Unit]]:
    """Courses held in the caller's subtree or by one of the units above it, and courses attended by
    someone now working in the caller's subtree (held by a unit a reorganisation took them away from)."""
    root = management_root(caller)
    place = aliased(Unit)
    attended_here = (
        select(TrainingAttendance.course_id)
        .join(User, User.id == TrainingAttendance.user_id)
        .join(place, place.id == User.unit_id)
        .where(TrainingAttendance.course_id == TrainingCourse.id, subtree_clause(place.path, root))
        .exists()
    )
    return (
        select(TrainingCourse, Unit)
        .join(Unit, Unit.id == TrainingCourse.unit_id)
        .where(or_(subtree_clause(Unit.path, root), Unit.id.in_(ancestor_ids(root)), attended_here))
    )


def managed_statement(caller: Caller) -> Select[tuple[User, Unit]]:
    """Accounts the caller manages, with their unit (None for an administrator)."""
    stmt = select(User, Unit).outerjoin(Unit, Unit.id == User.unit_id)
    if caller.role == "admin":
        return stmt
    below = [r for r in roles_below(caller.role) if r is not None]
    return stmt.where(
        subtree_clause(Unit.path, management_root(caller)),
        or_(User.role.in_(below), User.role.is_(None)),
    )


def require_action(caller: Caller, action: str, **context: object) -> None:
    """Casbin: may the role manage staff at all? The refusal (audited) names what was asked."""
    if not allowed(caller.role, RESOURCE, action):
        raise Forbidden(
            f"your role ({caller.role or 'none'}) may not {action.replace('_', ' ')} staff accounts",
            resource=RESOURCE,
            action=action,
            **context,
        )


def refuse_self(caller: Caller, user_id: int, action: str) -> None:
    if user_id == caller.user_id:
        raise Forbidden(
            f"you may not {action.replace('_', ' ')} your own account: ask a manager above you",
            resource=RESOURCE,
            action=action,
            resource_ids=[user_id],
        )


def managed_user(
    session: Session, caller: Caller, user_id: int, action: str, lock: bool = False
) -> tuple[User, Unit | None]:
    """The account if the caller manages it; 404 otherwise (whether it exists does not leak)."""
    require_action(caller, action, resource_ids=[user_id])
    refuse_self(caller, user_id, action)
    stmt = managed_statement(caller).where(User.id == user_id)
    if lock:
        stmt = stmt.with_for_update(of=User)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise NotVisible("account not found", resource=RESOURCE, action=action, resource_ids=[user_id])
    return row[0], row[1]


def check_grant(caller: Caller, action: str, role: str, unit: Unit | None, **context: object) -> None:
    """May the caller give an account ``role`` at ``unit``? Refusals raise (403 audited, 422 naming a field).

    Order: the role must be below the caller's (403), the unit inside the caller's subtree (403),
    then the role must fit the unit's level and the unit must be in force today (422).
    """
    ctx = {
        "resource": RESOURCE,
        "action": action,
        "unit_id": unit.id if unit else None,
        "role": role,
        **context,
    }
    if not outranks(caller.role, role):
        raise Forbidden(f"you may not grant the role {role}: it is not below your own ({caller.role})", **ctx)
    if unit is not None and not manages(caller, unit.path):
        raise Forbidden(f"unit {unit.id} ({unit.name}) is outside your area", **ctx)
    level = LEVEL_OF_ROLE[role]
    if level is None and unit is not None:
        raise ValidationFailed([FieldError("unit_id", "an administrator holds no unit: leave it empty")])
    if level is not None and unit is None:
        raise ValidationFailed(
            [FieldError("unit_id", f"a {role} works at a {level}: give its id", "required")]
        )
    if unit is not None and unit.level != level:
        raise ValidationFailed(
            [
                FieldError(
                    "unit_id", f"a {role} works at a {level}, and {unit.name} is a {unit.level}", "level"
                )
            ]
        )
    if unit is not None and not in_force(unit):
        raise ValidationFailed(
            [FieldError("unit_id", f"{unit.name} is not in force today (closed or not yet open)", "closed")]
        )


def known_role(role: object, errors: list[FieldError]) -> str | None:
    if role not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
        return None
    return str(role)
