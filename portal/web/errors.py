"""Errors on pages: an HTML answer in the reader's language, audited exactly as the API audits them."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException

from infra.errors import DomainError, Forbidden, NotVisible, Unauthenticated
from portal.api.errors import domain_error_handler
from portal.web.deps import NotLoggedIn
from portal.web.render import is_fragment, page, see_other

log = logging.getLogger("portal.web")


def _error_page(request: Request[Any, Any, Any], status_code: int, key: str) -> Response[Any]:
    return page(request, "error.html", status_code=status_code, message_key=key)  # type: ignore[return-value]


def not_logged_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_fragment(request):
        return Response("", status_code=401)
    return see_other("/login")  # type: ignore[return-value]


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    domain_error_handler(request, exc)  # the same audit entry as the API writes; its JSON is not used
    if isinstance(exc, Unauthenticated):
        return not_logged_in(request, exc)
    if isinstance(exc, NotVisible):
        return _error_page(request, 404, "not_found")
    if isinstance(exc, Forbidden):
        return _error_page(request, 403, "forbidden")
    return _error_page(request, exc.status_code, "error")


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, "not_found")
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, "forbidden")
    return _error_page(request, exc.status_code, "error")


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_page(request, 500, "error")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotLoggedIn: not_logged_in,
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: internal_error,
}
