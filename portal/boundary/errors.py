"""The one answer to domain errors, shared by the API and the pages: JSON, and an audit entry for
every refusal (the pages write the same entry, then answer with a page)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response

from infra.errors import Busy, DomainError, TooManyAttempts, ValidationFailed
from portal.audit.service import ANONYMOUS, record
from portal.auth.client_address import client_address
from portal.boundary.messages import caller_language, error_code, localised


def _client(request: Request[Any, Any, Any]) -> str | None:
    return client_address(request)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, ValidationFailed):
        body["errors"] = [e.as_dict() for e in exc.errors]
    body.update(exc.extra)
    if isinstance(exc, TooManyAttempts | Busy):
        headers["Retry-After"] = str(exc.retry_after)
        body["retry_after"] = exc.retry_after
    if exc.audit_outcome:
        caller = request.state.get("caller")
        ctx = dict(exc.context)
        record(
            caller.actor if caller else ANONYMOUS,
            str(ctx.pop("action", request.method.lower())),
            str(ctx.pop("resource", "endpoint")),
            exc.audit_outcome,
            resource_ids=list(ctx.pop("resource_ids", None) or []),  # type: ignore[call-overload]
            unit_id=ctx.pop("unit_id", None),  # type: ignore[arg-type]
            status_code=exc.status_code,
            detail={"path": request.url.path, "method": request.method, "reason": exc.message, **ctx},
            client=_client(request),
        )
    values: dict[str, object] = {"n": exc.retry_after} if isinstance(exc, TooManyAttempts) else {}
    if isinstance(exc, ValidationFailed):
        values["fields"] = ", ".join(e.field for e in exc.errors)
    body = localised(body, error_code(exc), caller_language(request.headers), **values)
    return Response(body, status_code=exc.status_code, headers=headers, media_type=MediaType.JSON)
