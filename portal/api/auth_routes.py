"""Login, logout and "who am I"."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import Provide
from litestar.params import JSONBody

from authz.caller import Actor
from infra.errors import TooManyAttempts, Unauthenticated
from infra.settings import get_settings
from portal.audit.service import record
from portal.auth.client_address import client_address
from portal.auth.responses import MeOut, TokenOut
from portal.auth.service import attempt_login, revoke
from portal.boundary.deps import CallerDep, DbDep, bearer_token, provide_anonymous_db
from portal.shapes import UnitRefOut


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    password: str


@post(
    "/api/v1/auth/login",
    dependencies={"db": Provide(provide_anonymous_db)},
    sync_to_thread=True,
    status_code=200,
    tags=["auth"],
    summary="Exchange a username and password for a bearer token",
)
def login(data: JSONBody[LoginIn], db: DbDep, request: Request[Any, Any, Any]) -> TokenOut:
    client = client_address(request)
    result = attempt_login(db, data.username, data.password, client)
    db.commit()  # failures and the delays must persist although the answer is an error
    if result.retry_after is not None:
        raise TooManyAttempts(
            f"too many failed logins: try again in {result.retry_after} seconds",
            result.retry_after,
            resource="session",
            action="login",
            username=data.username[:64],
            throttle=result.throttled_by,
        )
    if result.token is None or result.user is None:
        raise Unauthenticated(
            "wrong username or password", resource="session", action="login", username=data.username[:64]
        )
    user = result.user
    record(
        Actor(user.id, user.username, user.role),
        "login",
        "session",
        "allowed",
        unit_id=user.unit_id,
        client=client,
    )
    return TokenOut(
        access_token=result.token, token_type="bearer", expires_in=get_settings().token_ttl_seconds
    )


@post(
    "/api/v1/auth/logout",
    sync_to_thread=False,
    status_code=204,
    tags=["auth"],
    summary="Revoke the current token",
)
def logout(caller: CallerDep, db: DbDep, request: Request[Any, Any, Any]) -> None:
    token = bearer_token(request)
    if token:
        revoke(db, token)


@get("/api/v1/me", sync_to_thread=False, tags=["auth"], summary="The current user, role and unit")
def me(caller: CallerDep) -> MeOut:
    return MeOut(
        id=caller.user_id,
        username=caller.username,
        full_name=caller.full_name,
        role=caller.role,
        unit=UnitRefOut.of(caller.unit.ref()) if caller.unit else None,
    )
