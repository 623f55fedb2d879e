"""The pages' session, CSRF tokens and security headers.

The session cookie carries an opaque login token issued by ``portal.auth.service.attempt_login``
(only its SHA-256 is stored server-side, in ``auth_tokens``): the same lockout, expiry and
revocation apply to the pages as to the API. It is HttpOnly, SameSite=Lax, and Secure when the
request came over https (``WEB_COOKIE_SECURE=1`` forces it, ``0`` allows plain http everywhere).

CSRF: every form carries a token derived from the session token (HMAC), so a page of another
site can neither read nor compute it; before login the form token is derived from a random
pre-session cookie instead. A POST whose token does not match, or whose Origin is another
site, is refused before the handler runs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

from infra.settings import get_settings

log = logging.getLogger("portal.web")

SESSION_COOKIE = "portal_session"
PRE_SESSION_COOKIE = "portal_presession"
LANG_COOKIE = "portal_lang"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null" on form posts
    "Cache-Control": "no-store",
}


def secure_cookies(request: Request[Any, Any, Any]) -> bool:
    mode = os.environ.get("WEB_COOKIE_SECURE", "auto").strip().lower()
    if mode in ("1", "true", "yes", "on"):
        return True
    if mode in ("0", "false", "no", "off"):
        return False
    return request.url.scheme == "https"


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int | None) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=max_age,
    )


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    return _cookie(request, SESSION_COOKIE, token, get_settings().token_ttl_seconds)


def expired_session_cookie(request: Request[Any, Any, Any]) -> Cookie:
    return _cookie(request, SESSION_COOKIE, "", 0)


def lang_cookie(request: Request[Any, Any, Any], lang: str) -> Cookie:
    return _cookie(request, LANG_COOKIE, lang, 365 * 24 * 3600)


def session_token(request: Request[Any, Any, Any]) -> str | None:
    value = request.cookies.get(SESSION_COOKIE, "").strip()
    return value or None


def csrf_secret(request: Request[Any, Any, Any], create: bool = False) -> str | None:
    """The secret this browser's form tokens derive from: the session token, else the pre-session cookie.

    Only the login page creates a pre-session (``create``): a page answering another request at the
    same time (an error page, say) must not replace the cookie the login form's token came from.
    """
    found = session_token(request) or request.cookies.get(PRE_SESSION_COOKIE)
    if not found and create:
        found = request.state.get("new_pre_session") or secrets.token_urlsafe(32)
        request.state.new_pre_session = found  # set as a cookie by with_pre_session()
    return found


def csrf_token(request: Request[Any, Any, Any], create: bool = False) -> str:
    secret = csrf_secret(request, create)
    if secret is None:
        return ""  # no form of this page can be sent before the browser has been given a secret
    return hmac.new(secret.encode(), b"portal-form", hashlib.sha256).hexdigest()


def with_pre_session(request: Request[Any, Any, Any], response: Response[Any]) -> Response[Any]:
    """Give an anonymous browser the random cookie its form tokens derive from."""
    fresh = request.state.get("new_pre_session")
    if fresh and not session_token(request):
        response.set_cookie(_cookie(request, PRE_SESSION_COOKIE, fresh, None))
    return response


def same_origin(request: Request[Any, Any, Any]) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


async def csrf_ok(request: Request[Any, Any, Any]) -> bool:
    """A state-changing request carries this browser's form token and comes from this site."""
    if request.method in SAFE_METHODS:
        return True
    if not same_origin(request):
        log.warning(
            "refused %s %s: Origin %s", request.method, request.url.path, request.headers.get("origin")
        )
        return False
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = csrf_token(request)
    if sent and expected and hmac.compare_digest(sent, expected):
        return True
    log.warning(
        "refused %s %s: form token %s", request.method, request.url.path, "wrong" if sent else "missing"
    )
    return False
