"""The case page's sharing form: whom to share the case with (a collaborator of its hamlet chosen from a
list, or another account by its username, e.g. a ward officer of the commune the child moved to) and
why. The person is resolved here; whether they may hold the grant, and whether the caller may give
it, is ``portal.cases.grants``' to say (the same service as ``POST /api/v1/cases/{id}/grants``): a grant
never lets anyone read more than the ward officer who gives it.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.cases import grants
from portal.cases.models import Case
from portal.cases.people import account_id
from portal.cases.schemas import GrantIn
from portal.staff.schemas import StaffFilter
from portal.staff.service import list_accounts


class GrantForm(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int | None = None
    username: str | None = None
    reason: str | None = None


def grant(session: Session, caller: Caller, case_id: uuid.UUID, form: GrantForm) -> str:
    """Share the case; the page to go to then (the case, with the confirmation naming the person)."""
    username = (form.username or "").strip()
    errors = []
    if form.user_id is None and not username:
        errors.append(FieldError("user_id", "choose the person, or type their username", "required"))
    elif form.user_id is not None and username:
        errors.append(
            FieldError("username", "choose from the list or type a username, not both", "choose_one")
        )
    if not (form.reason or "").strip():
        errors.append(FieldError("reason", "is required", "required"))
    user_id = form.user_id
    if not errors and user_id is None:
        user_id = account_id(session, username)
        if user_id is None:
            errors.append(FieldError("username", "no account has this username", "no_account"))
    if errors:
        raise ValidationFailed(errors)
    assert user_id is not None
    try:
        row = grants.grant(session, caller, case_id, GrantIn(user_id=user_id, reason=form.reason or ""))
    except ValidationFailed as exc:
        if form.user_id is None:  # the problem is with the account typed by its username
            for error in exc.errors:
                error.field = "username" if error.field == "user_id" else error.field
        raise
    return f"/cases/{case_id}?msg=grant&item={row.id}"


def grantee_options(
    session: Session, caller: Caller, case: Case, view: dict[str, Any]
) -> list[tuple[str, str]]:
    """The collaborators of the case's hamlet who do not read it yet (active accounts the ward officer
    manages), as (id, name) choices; other accounts are typed by username."""
    holding = {g["user"]["id"] for g in view["grants"] if g["revoked_at"] is None and g["user"]}
    if case.assigned_to is not None:
        holding.add(case.assigned_to)
    found = list_accounts(
        session, caller, StaffFilter(unit_id=case.hamlet_id, role="collaborator", active=True, page_size=100)
    )
    return [(str(user.id), user.full_name) for user, _unit in found.items if user.id not in holding]
