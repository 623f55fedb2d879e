"""How a page request gets its caller (from the session cookie) and its scoped database session.

The database session and the caller are the API's (``portal.boundary.deps.provide_db``): the cookie's
token is checked in the request's own transaction, the caller's scope is set on every transaction, RLS
applies, and the unit of work commits after the handler succeeded. ``web_caller`` resolves the cookie
on its own (the CSRF refusal, which is answered before any handler).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body

from authz.caller import Caller
from infra.db import new_session
from portal.auth.service import authenticate
from portal.boundary.deps import Credential
from portal.locale import DEFAULT_LANG, LANGS
from portal.web.session import LANG_COOKIE, session_token
from tenancy.scope import NO_SCOPE

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A posted form, as text values (the pages validate and convert them)."""


class NotLoggedIn(Exception):
    """No live session: the page answers with the login page (or 401 for a fragment)."""


def web_caller(request: Request[Any, Any, Any]) -> Caller | None:
    token = session_token(request)
    if token is None:
        return None
    session = new_session(NO_SCOPE)
    try:
        return authenticate(session, token)
    finally:
        session.close()


def provide_web_credential(request: Request[Any, Any, Any]) -> Credential:
    """The pages' credential: the session cookie (checked in the request's transaction, as the API's)."""
    token = session_token(request)
    if token is None:
        raise NotLoggedIn()
    return Credential(token, NotLoggedIn, "the session has ended")


def lang_of(request: Request[Any, Any, Any]) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGS else DEFAULT_LANG
