"""Errors on pages: an HTML answer in the reader's language, audited exactly as the API audits them."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException

from infra.errors import (
    Busy,
    DomainError,
    FieldError,
    Forbidden,
    NotVisible,
    Unauthenticated,
    ValidationFailed,
)
from portal.boundary.answers import BodyTooLarge, InputRefused
from portal.boundary.errors import domain_error_handler
from portal.locale import translate
from portal.web import i18n
from portal.web.deps import NotLoggedIn, lang_of
from portal.web.render import is_fragment, page, see_other

log = logging.getLogger("portal.web")


def _error_page(request: Request[Any, Any, Any], status_code: int, key: str) -> Response[Any]:
    return page(request, "error.html", status_code=status_code, message_key=key)


def not_logged_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_fragment(request):
        return Response("", status_code=401)
    return see_other("/login")


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    domain_error_handler(request, exc)  # the same audit entry as the API writes; its JSON is not used
    if isinstance(exc, Unauthenticated):
        return not_logged_in(request, exc)
    if isinstance(exc, NotVisible):
        return _error_page(request, 404, "not_found")
    if isinstance(exc, Forbidden):
        return _error_page(request, 403, "forbidden")
    if isinstance(exc, Busy):
        answer = _error_page(request, exc.status_code, "busy")
        answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    return _error_page(request, exc.status_code, "error")


def _label(error: FieldError, lang: str) -> str:
    name = i18n.form_field(error.field)
    return i18n.message(name, lang) if name in i18n.MESSAGES else error.field


def _message(error: FieldError, lang: str) -> str:
    marked = i18n.ERRORS.get(f"input_{error.code}") or i18n.ERRORS.get(error.code)
    return error.message if marked is None else translate(lang, marked)


def _back(request: Request[Any, Any, Any]) -> str:
    """The page the form was on, when the browser says it and it is ours; else the home page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


def input_refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """The input boundary's refusals (``InputRefused``, ``BodyTooLarge``) as a page in the reader's words."""
    lang = lang_of(request)
    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    return page(
        request,
        "input_error.html",
        status_code=exc.status_code,
        message_key="input_refused" if isinstance(exc, ValidationFailed) else "body_too_large",
        problems=[(_label(e, lang), _message(e, lang)) for e in errors],
        back=_back(request),
    )


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, "not_found")
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, "forbidden")
    return _error_page(request, exc.status_code, "error")


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_page(request, 500, "error")


INPUT_HANDLERS: dict[Any, Any] = {InputRefused: input_refused, BodyTooLarge: input_refused}
"""Pages answer the boundary's refusals with a page (the application's default answer is JSON)."""

EXCEPTION_HANDLERS: dict[Any, Any] = {
    **INPUT_HANDLERS,
    NotLoggedIn: not_logged_in,
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: internal_error,
}
