"""The request's unit of work, as code deep in a service can reach it: statements written with its COMMIT.

A web request opens one (``open_request``) before its handler runs; the request's session is attached
to it once made. ``write_last(statement)`` then keeps a statement (an audit row) to be sent in the same
message as the session's COMMIT (``infra.db.commit``): written only with the request's own changes.
When the request rolls back, ``finish`` writes the kept statements in a transaction of their own, so
what was refused or failed is still recorded. Outside a request (workers, scripts), or once the
request's session has ended, nothing is kept: the caller writes at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session

from infra import db

log = logging.getLogger(__name__)


LAST_KEY = "portal_last_statements"  # session.info: what goes with its COMMIT


class UnitOfWork:
    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: Session | None = None


_current: ContextVar[UnitOfWork | None] = ContextVar("portal_unit_of_work", default=None)


@contextmanager
def open_request() -> Iterator[UnitOfWork]:
    """The unit of work of the request handled inside the block (handlers' threads see it too)."""
    work = UnitOfWork()
    token = _current.set(work)
    try:
        yield work
    finally:
        _current.reset(token)


def attach(session: Session) -> None:
    """Make ``session`` the current request's session (no-op outside a request)."""
    work = _current.get()
    if work is not None:
        work.session = session


def write_last(statement: str) -> bool:
    """Keep ``statement`` for the current request's COMMIT; False when there is no request session."""
    work = _current.get()
    if work is None or work.session is None:
        return False
    work.session.info.setdefault(LAST_KEY, []).append(statement)
    return True


def write_now(statements: list[str]) -> None:
    """Write ``statements`` in a transaction of their own on the application engine."""
    if statements:
        with db.app_engine().connect() as connection:
            db.send(connection, ["BEGIN", *statements, "COMMIT"])


def finish(session: Session, commit: bool) -> None:
    """End the request's session: commit with the kept statements, or roll back and write them alone."""
    work = _current.get()
    if work is not None and work.session is session:
        work.session = None
    last: list[str] = session.info.pop(LAST_KEY, [])
    try:
        if commit:
            try:
                db.commit(session, last)
                return
            except BaseException:
                session.rollback()
                write_now(last)
                raise
        session.rollback()
        write_now(last)
    finally:
        session.close()
