"""Domain errors every service raises; one exception handler turns them into HTTP answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as struct_field

from sqlalchemy.exc import IntegrityError


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"
    params: dict[str, str] = struct_field(default_factory=dict)
    """Values for the placeholders of the code's message on the pages (a typed day read as dd/mm/yyyy,
    say); never part of the API's answer."""

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


class DomainError(Exception):
    status_code = 400
    audit_outcome: str | None = None  # set for refusals that must be written to the audit log

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context  # resource, action, unit_id, resource_ids: for the audit entry
        self.extra: dict[str, object] = {}  # more of the answer's body (e.g. the accounts to review)


class ValidationFailed(DomainError):
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        fields = ", ".join(e.field for e in errors)
        super().__init__(f"invalid input: {fields}")
        self.errors = errors


class Unauthenticated(DomainError):
    status_code = 401
    audit_outcome = "unauthenticated"


class Forbidden(DomainError):
    status_code = 403
    audit_outcome = "denied"


class NotVisible(DomainError):
    """404 where even the existence of the record must not leak."""

    status_code = 404
    audit_outcome = "denied"


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429
    audit_outcome = "locked"

    def __init__(self, message: str, retry_after: int, **context: object) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class Busy(DomainError):
    """More requests than the process admits (``portal.boundary.admission``), or a row lock another
    request holds for longer than ``REQUEST_LOCK_TIMEOUT`` (``infra.db``): 503, try again shortly.

    Not a refusal of the caller: nothing is written to the audit log (an overloaded server must not
    take on more writes)."""

    status_code = 503

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(f"the portal is busy: try again in {retry_after} second(s)")
        self.retry_after = retry_after


@contextmanager
def refused_as(constraints: dict[str, FieldError], otherwise: DomainError | None = None) -> Iterator[None]:
    """Turn a database refusal by one of ``constraints`` (name -> the field error it means) into a
    422 naming that field; any other integrity refusal becomes ``otherwise`` if given. Wrap a
    ``infra.db.savepoint`` block with it, so the session is usable again when the error is raised."""
    try:
        yield
    except IntegrityError as exc:
        message = str(exc.orig)
        for name, error in constraints.items():
            if name in message:
                raise ValidationFailed([error]) from exc
        if otherwise is not None:
            raise otherwise from exc
        raise
