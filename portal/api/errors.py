"""One place that turns domain errors into HTTP answers and audits every refusal."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from portal.api.error_messages import CODE_OF_STATUS, caller_language, error_code, localised
from portal.audit.service import ANONYMOUS, record
from portal.auth.client_address import client_address
from portal.errors import DomainError, TooManyAttempts, ValidationFailed

log = logging.getLogger("portal")


def _client(request: Request[Any, Any, Any]) -> str | None:
    return client_address(request)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, ValidationFailed):
        body["errors"] = [e.as_dict() for e in exc.errors]
    body.update(exc.extra)
    if isinstance(exc, TooManyAttempts):
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
    lang = caller_language(request.headers)
    body = localised(body, error_code(exc), lang, **values)
    return Response(body, status_code=exc.status_code, headers=headers, media_type=MediaType.JSON)


_AT = re.compile(r"at `\$\.?([^`]*)`")
_UNKNOWN = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def _field_of(message: str, key: str) -> str:
    """The field a msgspec/Litestar decoding message is about (``$.guardians[0].phone`` -> that path)."""
    at = _AT.search(message)
    path = at.group(1) if at else ""
    unknown = _UNKNOWN.search(message)
    if unknown:
        return f"{path}.{unknown.group(1)}" if path else unknown.group(1)
    if path:
        return path
    return key if key and key != "data" else "body"


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Malformed input (wrong type, bad date, unknown field): 400 naming the field."""
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            message = str(item.get("message") or "")
            errors.append(
                {
                    "field": _field_of(message, str(item.get("key") or "")),
                    "message": message,
                    "code": "malformed",
                }
            )
    body = {"status_code": 400, "detail": exc.detail, "errors": errors}
    return Response(
        localised(body, "malformed", caller_language(request.headers)),
        status_code=400,
        media_type=MediaType.JSON,
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    body = {"status_code": exc.status_code, "detail": exc.detail}
    code = CODE_OF_STATUS.get(exc.status_code, "error")
    return Response(
        localised(body, code, caller_language(request.headers)),
        status_code=exc.status_code,
        headers=exc.headers or {},
        media_type=MediaType.JSON,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {"status_code": 500, "detail": "internal error"}
    return Response(
        localised(body, "internal_error", caller_language(request.headers)),
        status_code=500,
        media_type=MediaType.JSON,
    )
