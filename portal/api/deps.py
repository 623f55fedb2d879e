"""Request-scoped dependencies: the caller, and a database session carrying their scope.

The session commits when the handler succeeds and rolls back otherwise (services never commit).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from anyio import to_thread
from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.orm import Session

from infra.db import new_session
from portal.auth.caller import Caller
from portal.auth.service import caller_for_token
from portal.errors import Unauthenticated
from tenancy.scope import NO_SCOPE


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def provide_caller(request: Request) -> Caller:
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


async def _unit_of_work(session: Session) -> AsyncGenerator[Session, None]:
    """Commit after the handler succeeded, roll back otherwise; the blocking calls run off the event loop."""
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(session.rollback)
        raise
    else:
        await to_thread.run_sync(session.commit)
    finally:
        await to_thread.run_sync(session.close)


async def provide_db(caller: NamedDependency[Caller]) -> AsyncGenerator[Session, None]:
    async for session in _unit_of_work(new_session(caller.scope, caller.user_id)):
        yield session


async def provide_anonymous_db() -> AsyncGenerator[Session, None]:
    async for session in _unit_of_work(new_session(NO_SCOPE)):
        yield session


CallerDep = NamedDependency[Caller]
DbDep = NamedDependency[Session]
