"""Errors on pages: an HTML answer in the reader's language, audited exactly as the API audits them.

Every error page (404, 403, 500, ...) is the portal's own: its title, the page's ``lang``, the ``<main>``
landmark, what happened and what to do, and a way back (the page the reader came from, and home). A
browser never gets a JSON body or a stack trace: the application sends page paths here even for errors
raised outside the pages' router (``portal.app``), and :class:`PageFailsafe` answers the 500 page when
the request's COMMIT fails as the answer starts.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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
from portal.web.session import PAGE_HEADERS

log = logging.getLogger("portal.web")


def _error_page(request: Request[Any, Any, Any], status_code: int, key: str) -> Response[Any]:
    hint = f"{key}_hint"
    answer = page(
        request,
        "error.html",
        status_code=status_code,
        message_key=key,
        hint=hint if hint in i18n.MESSAGES else None,
        back=_back(request),
    )
    answer.headers.update(PAGE_HEADERS)  # an exception handler's answer gets no router headers
    return answer


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
    answer = page(
        request,
        "input_error.html",
        status_code=exc.status_code,
        message_key="input_refused" if isinstance(exc, ValidationFailed) else "body_too_large",
        problems=[(_label(e, lang), _message(e, lang)) for e in errors],
        back=_back(request),
    )
    answer.headers.update(PAGE_HEADERS)
    return answer


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, "not_found")
    if isinstance(exc, MethodNotAllowedException):  # an address that only takes a form's POST, typed in
        return _error_page(request, 405, "not_found")
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, "forbidden")
    return _error_page(request, exc.status_code, "error")


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_page(request, 500, "error")


class PageFailsafe(ASGIMiddleware):
    """The 500 page when a page's answer fails as it starts: the request's COMMIT runs in the
    application's ``before_send`` hook (``portal.boundary.deps.finish_unit_of_work``), after every
    exception handler has seen the answer begin, so without this the server would send its bare text.
    Nothing of the failed answer reaches the browser (the COMMIT fails before its first byte)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        failed = False

        async def guarded(message: Message) -> None:
            nonlocal failed
            if failed:
                return  # the rest of the answer that could not be kept
            try:
                await send(message)
            except Exception as exc:
                if message["type"] != "http.response.start":
                    raise
                failed = True
                request: Request[Any, Any, Any] = Request(scope, receive, send)
                answer = internal_error(request, exc)
                await answer.to_asgi_response(app=None, request=request)(scope, receive, send)

        await next_app(scope, receive, guarded)


INPUT_HANDLERS: dict[Any, Any] = {InputRefused: input_refused, BodyTooLarge: input_refused}
"""Pages answer the boundary's refusals with a page (the application's default answer is JSON)."""

EXCEPTION_HANDLERS: dict[Any, Any] = {
    **INPUT_HANDLERS,
    NotLoggedIn: not_logged_in,
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: internal_error,
}
