"""Request dependencies shared by the API and the pages: the credential, the scoped session, the caller.

The caller is resolved in the request's own transaction: the session's first message carries BEGIN,
the scope and the token check together (``portal.auth.service.authenticate``). The session commits
only when the answer is a 2xx or 3xx, with the request's audit rows in COMMIT's message, and rolls
back otherwise (services never commit): see :func:`finish_unit_of_work` and ``infra.unit_of_work``.

These round trips, like the handlers' own (``sync_to_thread=False``), run on the process's event loop:
a web process works like a synchronous worker, one request's database work at a time, and the
server runs one process per core (``infra.sizing``). Handing each step to a thread cost more CPU
than the step and made the event loop and the threads queue for the GIL (``bench/README.md``).
Only handlers with long work that is not the database (password hashing, file transfer, the XLSX
register, reorganisations) keep ``sync_to_thread=True``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.types import Message, Scope
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra import unit_of_work
from infra.db import new_session
from infra.errors import Unauthenticated
from infra.settings import get_settings
from portal.auth.service import authenticate
from tenancy.scope import NO_SCOPE

UOW_KEY = "portal_unit_of_work"


@dataclass(frozen=True)
class Credential:
    """The token a request presents, and what answers a token that is not (or no longer) valid."""

    token: str
    refused: type[Exception]
    message: str


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def provide_credential(request: Request[Any, Any, Any]) -> Credential:
    """The API's credential: a bearer token."""
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated("missing bearer token: log in at /api/v1/auth/login")
    return Credential(token, Unauthenticated, "the token is invalid, expired or revoked: log in again")


@asynccontextmanager
async def _unit_of_work(session: Session, request: Request[Any, Any, Any]) -> AsyncIterator[Session]:
    """Roll back if the handler raised; otherwise the answer decides (:func:`finish_unit_of_work`).

    A page that catches a domain error and renders a 409/422 page returns normally, so "the
    handler did not raise" is not "the request succeeded": only a 2xx or 3xx status commits.
    """
    state = request.scope.setdefault("state", {})
    state[UOW_KEY] = session
    unit_of_work.attach(session)
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
    unit_of_work.finish(session, commit)


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


def _authenticated(session: Session, credential: Credential) -> Caller:
    try:
        caller = authenticate(session, credential.token)
    except BaseException:
        session.close()
        raise
    if caller is None:
        session.close()  # rolls back: nothing was read under the check's scope
        raise credential.refused(credential.message)
    return caller


async def provide_db(
    credential: NamedDependency[Credential], request: Request[Any, Any, Any]
) -> AsyncGenerator[Session, None]:
    """The caller's scoped session; the caller, checked in its first round trip, goes to request.state."""
    session = new_session(NO_SCOPE, lock_timeout=get_settings().request_lock_timeout)
    request.state.caller = _authenticated(session, credential)
    async with _unit_of_work(session, request) as session:
        yield session


def provide_caller(db: NamedDependency[Session], request: Request[Any, Any, Any]) -> Caller:
    """The caller ``provide_db`` authenticated in the request's transaction."""
    caller: Caller = request.state.caller
    return caller


async def provide_anonymous_db(request: Request[Any, Any, Any]) -> AsyncGenerator[Session, None]:
    session = new_session(NO_SCOPE, lock_timeout=get_settings().request_lock_timeout)
    async with _unit_of_work(session, request) as session:
        yield session


CallerDep = NamedDependency[Caller]
DbDep = NamedDependency[Session]
