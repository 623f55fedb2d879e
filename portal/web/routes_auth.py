"""Logging in and out, choosing the language, and the home page each role lands on."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from authz.caller import Actor
from infra.db import scoped_session
from portal.audit.service import ANONYMOUS, record
from portal.auth.client_address import client_address
from portal.auth.service import LoginResult, attempt_login, revoke
from portal.locale import LANGS, N_, translate, translations
from portal.web.deps import lang_of, web_caller
from portal.web.render import page, see_other
from portal.web.session import expired_session_cookie, lang_cookie, session_cookie, session_token
from tenancy.scope import NO_SCOPE

HOME_BY_ROLE = {
    "collaborator": "/children",
    "ward_officer": "/ward",
    "commune_chairman": "/cases",
    "hotline_officer": "/intake",
    "district_officer": "/dashboard",
    "provincial_inspector": "/dashboard",
    "admin": "/admin",
}
UNITLESS = {"admin"}  # an administrator holds no unit: the whole tree


@get("/", sync_to_thread=False, include_in_schema=False)
def home(request: Request[Any, Any, Any]) -> Response[Any]:
    caller = web_caller(request)
    if caller is None:
        return see_other("/login")
    role = caller.role or ""
    target = HOME_BY_ROLE.get(role) if caller.unit is not None or role in UNITLESS else None
    if target is None:
        request.state.caller = caller
        return page(request, "no_home.html")
    return see_other(target)


@get("/login", sync_to_thread=False, include_in_schema=False)
def login_page(request: Request[Any, Any, Any]) -> Template:
    done = request.query_params.get("msg") == "password_set"
    notice = translate(lang_of(request), N_("Your password is set: log in with it.")) if done else None
    return page(request, "login.html", pre_session=True, username="", message=None, notice=notice)


def _attempt(username: str, password: str, client: str | None) -> LoginResult:
    with scoped_session(NO_SCOPE) as session:  # failures and the delays persist whatever the outcome
        return attempt_login(session, username, password, client)


@post("/login", include_in_schema=False)
async def login_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")
    client = client_address(request)
    result = await to_thread.run_sync(_attempt, username, password, client)
    lang = lang_of(request)
    if result.token is None or result.user is None:
        locked = result.retry_after is not None
        detail: dict[str, Any] = {"path": "/login", "username": username}
        if locked:
            detail["throttle"] = result.throttled_by
        await to_thread.run_sync(
            lambda: record(
                ANONYMOUS,
                "login",
                "session",
                "locked" if locked else "unauthenticated",
                status_code=429 if locked else 401,
                detail=detail,
                client=client,
            )
        )
        message = (
            translations(lang).ngettext(
                "Too many failed logins. Try again in %(n)s second.",
                "Too many failed logins. Try again in %(n)s seconds.",
                result.retry_after or 0,
            )
            % {"n": result.retry_after}
            if locked
            else translate(lang, N_("Wrong username or password."))
        )
        answer = page(
            request,
            "login.html",
            status_code=429 if locked else 401,
            pre_session=True,
            username=username,
            message=message,
            notice=None,
        )
        if locked:
            answer.set_header("Retry-After", str(result.retry_after))
        return answer
    user = result.user
    await to_thread.run_sync(
        lambda: record(
            Actor(user.id, user.username, user.role),
            "login",
            "session",
            "allowed",
            unit_id=user.unit_id,
            detail={"via": "web"},
            client=client,
        )
    )
    response = see_other("/")
    response.set_cookie(session_cookie(request, result.token))
    return response


def _revoke(token: str) -> None:
    with scoped_session(NO_SCOPE) as session:
        revoke(session, token)


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    token = session_token(request)
    if token:
        await to_thread.run_sync(_revoke, token)
    response = see_other("/login")
    response.set_cookie(expired_session_cookie(request))
    # What the offline app kept on this browser (its records, its queue, its caches) goes too.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@post("/lang", include_in_schema=False)
async def choose_language(request: Request[Any, Any, Any]) -> Redirect:
    form = await request.form()
    lang = str(form.get("lang") or "")
    back = str(form.get("next") or "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"  # only a path of this site
    response = see_other(back)
    if lang in LANGS:
        response.set_cookie(lang_cookie(request, lang))
    return response


ROUTES = [home, login_page, login_submit, logout, choose_language]
