"""How the boundary's refusals are answered: JSON on the API, a page in the reader's language on the web."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response

from portal.api.errors import domain_error_handler
from portal.errors import DomainError, FieldError, ValidationFailed
from portal.locale import translate
from portal.web import i18n
from portal.web.deps import lang_of
from portal.web.render import page

JSON_PREFIXES = ("/api/", "/schema", "/health")


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


def _page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    lang = lang_of(request)
    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    return page(  # type: ignore[return-value]
        request,
        "input_error.html",
        status_code=exc.status_code,
        message_key="input_refused" if isinstance(exc, ValidationFailed) else "body_too_large",
        problems=[(_label(e, lang), _message(e, lang)) for e in errors],
        back=_back(request),
    )


def refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """The answer to ``InputRefused`` and ``BodyTooLarge``: JSON on the API, a page on the web."""
    if request.url.path.startswith(JSON_PREFIXES):
        return domain_error_handler(request, exc)
    return _page(request, exc)
