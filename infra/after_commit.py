"""Send Celery tasks only after the transaction that makes their input visible has committed.

Tasks queued on a session are dropped if it rolls back. A savepoint (``begin_nested``) is not the
commit: SQLAlchemy fires its commit and rollback events for savepoints too, so a task queued before or
inside a savepoint waits for the outermost commit, and a savepoint rolled back drops only the tasks
queued since it began. A broker failure at send time is logged and leaves the record "queued", from
where the user (or a retry) can send it again.
Tasks are sent by name through ``infra.broker``: a service queues work without importing
``tasks`` (which imports the services).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from infra.broker import celery_app

log = logging.getLogger(__name__)
_KEY = "tasks_after_commit"
_MARKS = "tasks_after_commit_marks"


def send_after_commit(session: Session, task_name: str, *args: Any) -> None:
    """Queue ``task_name(*args)`` on ``session``: sent once it commits, forgotten if it rolls back."""
    session.info.setdefault(_KEY, []).append((task_name, args))


@event.listens_for(Session, "after_transaction_create")
def _mark(session: Session, transaction: Any) -> None:
    """A savepoint begins: remember how many tasks were queued before it."""
    if transaction.nested:
        session.info.setdefault(_MARKS, []).append(len(session.info.get(_KEY, [])))


@event.listens_for(Session, "after_transaction_end")
def _unmark(session: Session, transaction: Any) -> None:
    marks = session.info.get(_MARKS)
    if transaction.nested and marks:
        marks.pop()


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its tasks go with the outermost commit
    pending = session.info.pop(_KEY, [])
    if not pending:
        return
    app = celery_app()
    for name, args in pending:
        try:
            app.send_task(name, args=list(args))
        except Exception:  # noqa: BLE001 - the broker being down must not fail a committed request
            log.exception("could not send task %s%r; it stays queued", name, args)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    marks = session.info.get(_MARKS)
    if session.in_nested_transaction() and marks:
        del session.info.get(_KEY, [])[marks[-1] :]  # only what the rolled-back savepoint queued
        return
    session.info.pop(_KEY, None)
