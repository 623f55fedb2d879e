"""The boundary's refusals, and their JSON answer; the pages answer them with a page of their own
(``portal.web.errors.input_refused``, registered on the pages' routers, which takes precedence there)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from infra.errors import DomainError, ValidationFailed
from portal.boundary.errors import domain_error_handler


class InputRefused(ValidationFailed):
    """Input that breaks ``portal.boundary.rules``: 422 naming every field at fault."""


class BodyTooLarge(DomainError):
    """A body over the route's ``request_max_body_size``: 413 (the body was read to its end first)."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the request body is larger than this operation accepts ({limit / 1_000_000:.1f} MB)"
        )
        self.extra = {"max_bytes": limit}


def refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """The answer to ``InputRefused`` and ``BodyTooLarge`` outside the pages: JSON naming every field."""
    return domain_error_handler(request, exc)
