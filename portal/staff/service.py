"""Staff accounts: create, rename, move, change role, deactivate, reactivate, reset the password and
end sessions; setting a password with a one-time code. Never commits.

Every change is written to the audit log with the account's role and unit before and after; every
refusal raises (403 or 404), which the exception handler audits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from msgspec import UNSET
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from authz.caller import Actor, Caller
from authz.guards import authorize, authorize_action
from infra.clock import utcnow
from infra.db import savepoint
from infra.errors import Conflict, FieldError, Forbidden, Unauthenticated, ValidationFailed, refused_as
from portal.audit.service import record as audit
from portal.auth import throttle
from portal.auth.models import AuthToken, User
from portal.auth.passwords import hash_password
from portal.registry.text import clean_name, fold
from portal.staff import codes
from portal.staff.access import (
    RESOURCE,
    check_grant,
    known_role,
    managed_statement,
    managed_user,
    require_action,
    units_in,
)
from portal.staff.delivery import (
    Delivery,
    check_reachable,
    clean_email,
    clean_phone,
    deliver_code,
    holds_credential,
)
from portal.staff.password_policy import check_password, normalise
from portal.staff.ranks import ROLES, outranks
from portal.staff.schemas import ContactIn, StaffCreate, StaffFilter, StaffPatch
from portal.staff.search import folded
from tenancy.models import Unit

# A contact address is never one registered to another account (the manager's own included).
CONTACT_TAKEN = {
    f"uq_users_{field}": FieldError(field, "is already registered to another account", "taken")
    for field in ("email", "phone")
}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_PAGE_SIZE = 100


@lru_cache(maxsize=1)
def _unusable_hash() -> str:
    """The hash of a random secret nobody keeps: a new account cannot log in until its code is used,
    and checking a password against it costs as much as against a real one (no timing tell)."""
    return hash_password(secrets.token_urlsafe(32))


def snapshot(user: User, unit: Unit | None) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "role": user.role,
        "unit_id": user.unit_id,
        "unit_name": unit.name if unit else None,
        "unit_level": unit.level if unit else None,
        "is_active": user.is_active,
    }


def _changed(
    caller: Caller,
    action: str,
    user: User,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    **extra: Any,
) -> None:
    audit(
        caller.actor,
        action,
        RESOURCE,
        "allowed",
        resource_ids=[user.id],
        unit_id=user.unit_id,
        detail={"username": user.username, "before": before, "after": after, **extra},
    )


def revoke_sessions(session: Session, user_id: int) -> int:
    """End every live token of the account at once; returns how many were live."""
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None), AuthToken.expires_at > utcnow())
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _full_name(value: str, errors: list[FieldError]) -> str:
    name = clean_name(value)
    if not name:
        errors.append(FieldError("full_name", "is required", "required"))
    elif len(name) > 120:
        errors.append(FieldError("full_name", "must be at most 120 characters"))
    return name


def _unit(session: Session, unit_id: int | None, errors: list[FieldError]) -> Unit | None:
    if unit_id is None:
        return None
    found = session.get(Unit, unit_id)
    if found is None:
        errors.append(FieldError("unit_id", f"no unit has id {unit_id}", "unknown"))
    return found


@dataclass(frozen=True)
class Created:
    user: User
    unit: Unit | None
    delivery: Delivery


def create_account(session: Session, caller: Caller, data: StaffCreate) -> Created:
    """A new account of a lower role at a unit in the caller's subtree, with a one-time setup code:
    shown to the caller if they may hold it (authz.delegation), else sent to the person's address."""
    require_action(caller, "create", role=data.role, unit_id=data.unit_id, username=data.username[:64])
    errors: list[FieldError] = []
    username = data.username.strip()
    if not USERNAME.match(username):
        errors.append(
            FieldError(
                "username",
                "3 to 64 characters: lower-case letters a-z, digits, '.', '_' or '-', "
                "starting with a letter or digit",
            )
        )
    full_name = _full_name(data.full_name, errors)
    role = known_role(data.role, errors)
    unit = _unit(session, data.unit_id, errors)
    email = clean_email(data.email, errors)
    phone = clean_phone(data.phone, errors)
    if errors or role is None:
        raise ValidationFailed(errors)
    check_grant(caller, "create", role, unit, username=username)
    check_reachable(session, caller, role, unit, email, phone)
    user = User(
        username=username,
        full_name=full_name,
        password_hash=_unusable_hash(),
        role=role,
        unit_id=unit.id if unit else None,
        is_active=True,
        email=email,
        phone=phone,
    )
    taken = Conflict(f"the username {username!r} is taken: choose another")
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        raise taken
    with refused_as(CONTACT_TAKEN, otherwise=taken), savepoint(session):
        session.add(user)
    delivery = deliver_code(session, caller, user, unit, "setup")
    _changed(caller, "create", user, None, snapshot(user, unit), **_delivery_audit(delivery))
    return Created(user, unit, delivery)


def _delivery_audit(delivery: Delivery) -> dict[str, Any]:
    if delivery.shown is not None:
        return {"code": "shown", "code_expires_at": delivery.shown.expires_at.isoformat()}
    assert delivery.sent is not None
    return {
        "code": "sent",
        "channel": delivery.sent.channel,
        "notification_id": delivery.sent.notification_id,
    }


def read_account(session: Session, caller: Caller, user_id: int) -> tuple[User, Unit | None]:
    if user_id == caller.user_id:
        authorize_action(caller, RESOURCE, "read")
        row = session.execute(
            select(User, Unit).outerjoin(Unit, Unit.id == User.unit_id).where(User.id == user_id)
        ).one()
        return row[0], row[1]
    return managed_user(session, caller, user_id, "read")


def update_account(
    session: Session, caller: Caller, user_id: int, changes: StaffPatch
) -> tuple[User, Unit | None]:
    """Rename, move to another unit, change the role, or record the contact address.

    A move or a new role ends the account's sessions and cancels its open codes (a code issued
    for the old access must not open the new one). The contact address decides where codes go,
    so only a manager who may hold the account's codes (authz.delegation) may change it.
    """
    user, unit = managed_user(session, caller, user_id, "update", lock=True)
    before = snapshot(user, unit)
    errors: list[FieldError] = []
    full_name = user.full_name if changes.full_name is UNSET else _full_name(changes.full_name, errors)
    role = user.role if changes.role is UNSET else known_role(changes.role, errors)
    new_unit = unit if changes.unit_id is UNSET else _unit(session, changes.unit_id, errors)
    email = user.email if changes.email is UNSET else clean_email(changes.email, errors)
    phone = user.phone if changes.phone is UNSET else clean_phone(changes.phone, errors)
    new_unit_id = new_unit.id if new_unit else None
    moved = role != user.role or new_unit_id != user.unit_id
    if moved and role is None and not errors:
        errors.append(FieldError("role", "give the account a role before moving it", "required"))
    if errors:
        raise ValidationFailed(errors)
    contact_changed = (email, phone) != (user.email, user.phone)
    if contact_changed and not holds_credential(session, caller, user, unit):
        raise Forbidden(
            "this account reads records you cannot, so its contact address (where its codes go) is "
            "changed only by the person or a manager who reads what it reads",
            resource=RESOURCE,
            action="update_contact",
            resource_ids=[user.id],
        )
    if moved:
        assert role is not None
        check_grant(
            caller, "update", role, new_unit, user_id=user.id, from_role=user.role, from_unit_id=user.unit_id
        )
    with refused_as(CONTACT_TAKEN), savepoint(session):
        user.full_name, user.role, user.unit_id = full_name, role, new_unit_id
        user.email, user.phone = email, phone
    after = snapshot(user, new_unit)
    if after != before or contact_changed:
        revoked = revoke_sessions(session, user.id) if moved else 0
        if moved:
            codes.cancel_open_codes(session, user.id)
        extra = {"contact_changed": True} if contact_changed else {}
        _changed(
            caller, "move" if moved else "update", user, before, after, revoked_sessions=revoked, **extra
        )
    return user, new_unit


def set_own_contact(session: Session, caller: Caller, changes: ContactIn) -> User:
    """The account holder records where their own codes go (e-mail, phone)."""
    user = session.scalars(select(User).where(User.id == caller.user_id).with_for_update()).one()
    errors: list[FieldError] = []
    email = user.email if changes.email is UNSET else clean_email(changes.email, errors)
    phone = user.phone if changes.phone is UNSET else clean_phone(changes.phone, errors)
    if errors:
        raise ValidationFailed(errors)
    with refused_as(CONTACT_TAKEN), savepoint(session):
        user.email, user.phone = email, phone
    audit(
        caller.actor,
        "update_contact",
        RESOURCE,
        "allowed",
        resource_ids=[user.id],
        unit_id=user.unit_id,
        detail={
            "username": user.username,
            "email_on_file": email is not None,
            "phone_on_file": phone is not None,
        },
    )
    return user


def deactivate_account(session: Session, caller: Caller, user_id: int) -> tuple[User, Unit | None]:
    """Access ends at once (every session revoked, open codes cancelled); the records they made stay."""
    user, unit = managed_user(session, caller, user_id, "deactivate", lock=True)
    if not user.is_active:
        return user, unit
    before = snapshot(user, unit)
    user.is_active = False
    revoked = revoke_sessions(session, user.id)
    codes.cancel_open_codes(session, user.id)
    _changed(caller, "deactivate", user, before, snapshot(user, unit), revoked_sessions=revoked)
    return user, unit


def activate_account(session: Session, caller: Caller, user_id: int) -> tuple[User, Unit | None]:
    """Give a deactivated account its access back, if its role and unit could be granted today."""
    user, unit = managed_user(session, caller, user_id, "activate", lock=True)
    if user.is_active:
        return user, unit
    if user.role is None:
        raise ValidationFailed([FieldError("role", "give the account a role first", "required")])
    check_grant(caller, "activate", user.role, unit, user_id=user.id)
    before = snapshot(user, unit)
    user.is_active = True
    codes.cancel_open_codes(session, user.id)
    _changed(caller, "activate", user, before, snapshot(user, unit))
    return user, unit


def issue_reset_code(session: Session, caller: Caller, user_id: int) -> Delivery:
    """A one-time code with which the account sets a new password: shown once to the caller if they
    may hold it (authz.delegation), else sent to the person's own address."""
    user, unit = managed_user(session, caller, user_id, "reset_password", lock=True)
    if not user.is_active:
        raise Conflict("the account is deactivated: activate it before resetting its password")
    delivery = deliver_code(session, caller, user, unit, "reset")
    state = snapshot(user, unit)
    _changed(caller, "reset_password", user, state, state, **_delivery_audit(delivery))
    return delivery


def end_sessions(session: Session, caller: Caller, user_id: int) -> int:
    user, unit = managed_user(session, caller, user_id, "revoke_sessions", lock=True)
    revoked = revoke_sessions(session, user.id)
    state = snapshot(user, unit)
    _changed(caller, "revoke_sessions", user, state, state, revoked_sessions=revoked)
    return revoked


def set_password_with_code(session: Session, code: str, password: str, client: str | None) -> User:
    """Unauthenticated: the code proves who it is. The password must pass the policy; every session
    of the account ends, and a login lock on the username is lifted."""
    found = codes.redeemable(session, code)
    if found is None:
        raise Unauthenticated(
            "the code is invalid, expired or already used: ask your manager for a new one",
            resource=RESOURCE,
            action="set_password",
        )
    issued, user = found
    errors = check_password(password, user.username)
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(normalise(password))
    issued.used_at = utcnow()
    codes.cancel_open_codes(session, user.id)
    revoked = revoke_sessions(session, user.id)
    throttle.clear_for_account(session, user.username)
    audit(
        Actor(user.id, user.username, user.role),
        "set_password",
        RESOURCE,
        "allowed",
        resource_ids=[user.id],
        unit_id=user.unit_id,
        detail={"username": user.username, "purpose": issued.purpose, "revoked_sessions": revoked},
        client=client,
    )
    return user


@dataclass(frozen=True)
class Page:
    items: list[tuple[User, Unit | None]]
    total: int
    page: int
    page_size: int


def list_accounts(session: Session, caller: Caller, params: StaffFilter) -> Page:
    """Accounts the caller manages (SQL-filtered to their subtree and lower ranks), by unit then name."""
    authorize_action(caller, RESOURCE, "list")
    page, size = params.page or 1, params.page_size or 50
    errors = []
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be from 1 to {MAX_PAGE_SIZE}"))
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    role = params.role
    if role is not None:
        known_role(role, errors)
    if errors:
        raise ValidationFailed(errors)
    stmt = managed_statement(caller)
    if params.unit_id is not None:
        root = session.get(Unit, params.unit_id)
        if root is None:
            raise ValidationFailed([FieldError("unit_id", f"no unit has id {params.unit_id}", "unknown")])
        authorize(caller, RESOURCE, "list", root)
        stmt = stmt.where(units_in(root))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if params.active is not None:
        stmt = stmt.where(User.is_active.is_(params.active))
    q = (params.q or "").strip()
    if q:
        needle = f"%{fold(q)}%"
        stmt = stmt.where(folded(User.full_name).ilike(needle) | User.username.ilike(f"%{q.lower()}%"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Unit.path.nulls_first(), User.full_name, User.id).limit(size).offset((page - 1) * size)
    ).all()
    return Page([(u, n) for u, n in rows], total, page, size)


def manageable_roles(caller: Caller) -> list[str]:
    """The roles the caller may grant (for forms)."""
    return [r for r in ROLES if outranks(caller.role, r)]
