"""A person changes their own password: the current one proves it is them, the new one must pass the
policy, and every session of the account ends (the person logs in again; a stolen session ends too)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.auth.passwords import hash_password, verify_password
from portal.staff.access import RESOURCE
from portal.staff.password_policy import check_password, normalise
from portal.staff.service import revoke_sessions


def change_own_password(
    session: Session, caller: Caller, current: str, new: str, client: str | None = None
) -> int:
    """Set the caller's new password; the number of sessions ended (the caller's own included)."""
    user = session.get(User, caller.user_id, with_for_update=True)
    assert user is not None
    current, new = current[:1024], new[:1024]
    if not verify_password(user.password_hash, current):
        audit(
            caller.actor,
            "change_password",
            RESOURCE,
            "denied",
            resource_ids=[user.id],
            unit_id=user.unit_id,
            detail={"reason": "wrong current password"},
            client=client,
        )
        raise ValidationFailed([FieldError("current_password", "is not your current password", "invalid")])
    errors = check_password(new, user.username, field="new_password")
    if normalise(new) == normalise(current):
        errors.append(FieldError("new_password", "is the same as the current one", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(normalise(new))
    ended = revoke_sessions(session, user.id)
    audit(
        caller.actor,
        "change_password",
        RESOURCE,
        "allowed",
        resource_ids=[user.id],
        unit_id=user.unit_id,
        detail={"revoked_sessions": ended},
        client=client,
    )
    return ended
