"""Request dependencies shared by the API and the pages: the caller, and a session carrying their scope.

The session commits only when the answer is a 2xx or 3xx, and rolls back otherwise (services never
commit): see :func:`finish_unit_of_work`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.di import NamedDependency
from litestar.types import Message, Scope
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.db import new_session
from infra.errors import Unauthenticated
from portal.auth.service import caller_for_token
from tenancy.scope import NO_SCOPE

UOW_KEY = "portal_unit_of_work"


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated("missing bearer token: log in at /api/v1/auth/login")
    session = new_session(NO_SCOPE)
    try:
        caller = caller_for_token(session, token)
    finally:
        session.close()
    if caller is None:
        raise Unauthenticated("the token is invalid, expired or revoked: log in again")
    request.state.caller = caller
    return caller


@asynccontextmanager
async def _unit_of_work(session: Session, request: Request[Any, Any, Any]) -> AsyncIterator[Session]:
    """Roll back if the handler raised; otherwise the answer decides (:func:`finish_unit_of_work`).

    A page that catches a domain error and renders a 409/422 page returns normally, so "the
    handler did not raise" is not "the request succeeded": only a 2xx or 3xx status commits.
    """
    state = request.scope.setdefault("state", {})
    state[UOW_KEY] = session
    try:
        yield session
    except BaseException:
        await _finish(state, commit=False)
        raise


async def _finish(state: dict[str, Any], commit: bool) -> None:
    """End the request's session once (whichever of the three hooks gets there first)."""
    session = state.get(UOW_KEY)
    if session is None:
        return
    state[UOW_KEY] = None
    await to_thread.run_sync(_close, session, commit)


def _close(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def finish_unit_of_work(message: Message, scope: Scope) -> None:
    """``before_send`` hook: at the start of the answer, commit on 2xx/3xx and roll back otherwise.

    A failed commit raises before any byte is sent, so the client gets the error answer, never a
    success for data that was not kept.
    """
    if message["type"] == "http.response.start" and "state" in scope:
        await _finish(scope["state"], commit=200 <= message["status"] < 400)


async def close_unfinished(request: Request[Any, Any, Any]) -> None:
    """``after_response`` fallback: a request whose answer never started leaves no open session."""
    await _finish(request.scope.get("state") or {}, commit=False)


async def provide_db(
    caller: NamedDependency[Caller], request: Request[Any, Any, Any]
) -> AsyncGenerator[Session, None]:
    async with _unit_of_work(new_session(caller.scope, caller.user_id), request) as session:
        yield session


async def provide_anonymous_db(request: Request[Any, Any, Any]) -> AsyncGenerator[Session, None]:
    async with _unit_of_work(new_session(NO_SCOPE), request) as session:
        yield session


CallerDep = NamedDependency[Caller]
DbDep = NamedDependency[Session]
