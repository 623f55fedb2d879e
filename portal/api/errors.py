"""The API's answers to malformed input, HTTP and internal errors (domain errors: portal.boundary.errors)."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = logging.getLogger("portal")


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
    return Response(
        {"status_code": 400, "detail": exc.detail, "errors": errors},
        status_code=400,
        media_type=MediaType.JSON,
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return Response(
        {"status_code": exc.status_code, "detail": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers or {},
        media_type=MediaType.JSON,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "internal error"}, status_code=500, media_type=MediaType.JSON
    )
