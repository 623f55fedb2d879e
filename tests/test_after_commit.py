"""Tasks queued on a session leave with the outermost commit, never with a savepoint's.

SQLAlchemy fires ``after_commit`` when a savepoint is released and ``after_rollback`` when one is rolled
back. A task must not reach a worker before the request's data is committed (the worker would not see
it), and a savepoint rolled back (one change of a batch refused) must drop only what it queued.
The broker is replaced by a recorder: what is tested is when infra.after_commit sends, on a real
PostgreSQL session.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import infra.after_commit as after_commit
from infra.db import admin_engine


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Any]]] = []

    def send_task(self, name: str, args: list[Any]) -> None:
        self.sent.append((name, args))


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch, database: object) -> list[tuple[str, list[Any]]]:
    recorder = Recorder()
    monkeypatch.setattr(after_commit, "celery_app", lambda: recorder)
    return recorder.sent


def test_a_released_savepoint_sends_nothing_before_the_commit(sent):
    with Session(admin_engine()) as session:
        session.execute(text("SELECT 1"))
        after_commit.send_after_commit(session, "outer", 1)
        with session.begin_nested():
            after_commit.send_after_commit(session, "inside", 2)
        assert sent == []
        session.commit()
    assert sent == [("outer", [1]), ("inside", [2])]


def test_a_rolled_back_savepoint_drops_only_what_it_queued(sent):
    with Session(admin_engine()) as session:
        session.execute(text("SELECT 1"))
        after_commit.send_after_commit(session, "before", 1)
        with pytest.raises(ValueError), session.begin_nested():
            after_commit.send_after_commit(session, "refused", 2)
            with session.begin_nested():
                after_commit.send_after_commit(session, "deeper", 3)
            raise ValueError
        with session.begin_nested():
            after_commit.send_after_commit(session, "after", 4)
        session.commit()
    assert sent == [("before", [1]), ("after", [4])]


def test_a_rollback_of_the_transaction_drops_everything(sent):
    with Session(admin_engine()) as session:
        session.execute(text("SELECT 1"))
        after_commit.send_after_commit(session, "lost", 1)
        with session.begin_nested():
            after_commit.send_after_commit(session, "lost too", 2)
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
    assert sent == []
