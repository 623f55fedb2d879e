"""Where an account's one-time code goes: to the manager (shown once), or to the person (outbox).

authz.delegation decides whether the manager may hold the code. When not, the code is made by
the worker and mailed (or sent by SMS) to the account's own address; the manager learns only
that it was sent, and to a masked address. Contact addresses are checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.delegation import may_hold_credential
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.auth.models import User
from portal.notifications import outbox
from portal.notifications.channels import sms_available
from portal.staff import codes
from tenancy.models import Unit

EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
PHONE = re.compile(r"^\+?[0-9]{9,15}$")
KIND = {"setup": "account_setup", "reset": "password_reset"}


@dataclass(frozen=True)
class Delivery:
    """Exactly one of ``shown`` (the code, for the manager) and ``sent`` (queued to the person)."""

    shown: codes.IssuedCode | None = None
    sent: outbox.Queued | None = None


def clean_email(value: object, errors: list[FieldError]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    email = str(value).strip()
    if len(email) > 254 or not EMAIL.match(email):
        errors.append(FieldError("email", "is not an e-mail address (name@example.vn)"))
        return None
    return email


def clean_phone(value: object, errors: list[FieldError]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    phone = re.sub(r"[ .-]", "", str(value).strip())
    if not PHONE.match(phone):
        errors.append(FieldError("phone", "is not a phone number (9 to 15 digits, optionally +84...)"))
        return None
    return phone


def channel_to(email: str | None, phone: str | None) -> tuple[str, str] | None:
    """The channel and address a code sent out of band takes: e-mail, else SMS if a gateway exists."""
    if email:
        return "email", email
    if phone and sms_available():
        return "sms", phone
    return None


def holds_credential(session: Session, caller: Caller, user: User, unit: Unit | None) -> bool:
    """May the caller see codes of ``user`` as it stands (its role, unit and cases)?"""
    return may_hold_credential(session, caller.scope, user.role, unit.path if unit else None, user.id)


def deliver_code(session: Session, caller: Caller, user: User, unit: Unit | None, purpose: str) -> Delivery:
    """Issue the account's code to the caller if they may hold it, else queue it to the person.

    Raises a 409 naming ``email`` when the code would have to go out of band and the account has
    no address to send it to."""
    if holds_credential(session, caller, user, unit):
        return Delivery(shown=codes.issue(session, user.id, purpose, caller.user_id))
    codes.cancel_open_codes(session, user.id)
    route = channel_to(user.email, user.phone)
    if route is None:
        refused = Conflict(
            "the account reads records you cannot, so its one-time code goes to the person, and it "
            "has no e-mail address" + (" or phone" if sms_available() else "") + " on file: the "
            "person records one on their account (PATCH /api/v1/me/contact)"
        )
        refused.extra["errors"] = [FieldError("email", "no address on file", "missing").as_dict()]
        raise refused
    channel, address = route
    return Delivery(sent=outbox.enqueue(session, user.id, KIND[purpose], channel, address, caller.user_id))


def check_reachable(
    session: Session, caller: Caller, role: str, unit: Unit | None, email: str | None, phone: str | None
) -> None:
    """Before creating an account: if its code must go out of band, an address is required."""
    if may_hold_credential(session, caller.scope, role, unit.path if unit else None):
        return
    if channel_to(email, phone) is None:
        raise ValidationFailed(
            [
                FieldError(
                    "email",
                    "this account will read records you cannot, so its one-time code is sent to the "
                    "person: give their e-mail address",
                    "required",
                )
            ]
        )
