"""Background jobs run as the account that asked for them, as it is when the job runs.

A task carries the requester's user id, never a scope: the worker loads the account again and
resolves its scope (tenancy.resolve through portal.auth.service.caller_for_user). An account that
was deactivated, or whose role may no longer do the action, gets nothing done: the job's row is
marked failed with the reason, and the task ends without retrying.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.clock import utcnow
from infra.db import admin_engine, scoped_session
from portal.auth.service import caller_for_user
from tenancy.scope import NO_SCOPE

OUTSIDE = "refused: outside the requester's area now"
"""The reason recorded when the job's record is not visible under the requester's current scope."""


def requester(user_id: int | None, resource: str, action: str) -> Caller | str:
    """The requester now, or why the job must not run for them (the reason recorded on the job)."""
    if user_id is None:
        return "the job names no requester"
    with scoped_session(NO_SCOPE) as session:
        caller = caller_for_user(session, int(user_id))
    if caller is None:
        return "refused: the requester's account is inactive"
    if not allowed(caller.role, resource, action):
        return f"refused: the requester's role ({caller.role or 'none'}) may no longer {action} {resource}"
    return caller


def refuse(model: Any, where: ColumnElement[bool], reason: str) -> None:
    """Mark the job failed with ``reason`` unless it is already done.

    Runs on the owner connection: the refused requester's scope may no longer see the job's row,
    and the row must still end in a state its reader can see. Only this status update runs there.
    """
    with Session(admin_engine()) as session:
        session.execute(
            update(model)
            .where(where, model.status != "done")
            .values(status="failed", error=reason[:500], finished_at=utcnow())
        )
        session.commit()
