"""Passwords on the pages: activating an account (or resetting a password) with the one-time code a
manager gave, without being logged in; and changing one's own password. The same services as the API
(portal.staff.service.set_password_with_code, portal.staff.own_password); every session ends after."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from infra.db import scoped_session
from infra.errors import FieldError, Unauthenticated, ValidationFailed
from portal.auth.client_address import client_address
from portal.boundary.deps import CallerDep, DbDep
from portal.staff.own_password import change_own_password
from portal.staff.service import set_password_with_code
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.session import expired_session_cookie
from tenancy.scope import NO_SCOPE

MAX = 1024


def _activate_page(
    request: Request[Any, Any, Any], errors: list[FieldError] | None = None, status_code: int = 200
) -> Template:
    return page(
        request,
        "activate.html",
        status_code=status_code,
        pre_session=True,
        errors=field_errors(errors or [], lang_of(request)),
    )


@get("/activate", sync_to_thread=False, include_in_schema=False)
def activate_page(request: Request[Any, Any, Any]) -> Template:
    return _activate_page(request)


def _redeem(code: str, password: str, client: str | None) -> None:
    with scoped_session(NO_SCOPE) as session:
        set_password_with_code(session, code, password, client)


@post("/activate", include_in_schema=False)
async def activate_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    code = str(form.get("code") or "")[:64]
    password, again = str(form.get("password") or "")[:MAX], str(form.get("password_again") or "")[:MAX]
    if password != again:
        return _activate_page(
            request, [FieldError("password_again", "the two do not match", "mismatch")], 422
        )
    try:
        await to_thread.run_sync(_redeem, code, password, client_address(request))
    except Unauthenticated:  # audited by the service's caller chain as the API's is
        return _activate_page(request, [FieldError("code", "invalid, expired or used", "invalid_code")], 401)
    except ValidationFailed as exc:
        return _activate_page(request, exc.errors, 422)
    return see_other("/login?msg=password_set")


@get("/settings/password", sync_to_thread=False, include_in_schema=False)
def password_page(request: Request[Any, Any, Any], caller: CallerDep) -> Template:
    return page(request, "password.html", errors={})


@post("/settings/password", sync_to_thread=False, include_in_schema=False)
def password_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    current = str(data.get("current_password") or "")[:MAX]
    new, again = str(data.get("new_password") or "")[:MAX], str(data.get("new_password_again") or "")[:MAX]
    errors = [] if new == again else [FieldError("new_password_again", "the two do not match", "mismatch")]
    if not errors:
        try:
            change_own_password(db, caller, current, new, client_address(request))
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return page(request, "password.html", status_code=422, errors=field_errors(errors, lang_of(request)))
    answer = see_other("/login?msg=password_set")
    answer.set_cookie(expired_session_cookie(request))
    return answer


ROUTES = [activate_page, activate_submit, password_page, password_submit]
