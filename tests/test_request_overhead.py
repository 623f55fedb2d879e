"""What a request costs beyond its work: round trips counted on the wire, and what they must still do.

The round trips are read from libpq's protocol trace of every connection the request checks out
(one ``ReadyForQuery`` per round trip); the work is the statements SQLAlchemy executes for it. The
caller's check travels with BEGIN and the scope, the audit rows with COMMIT, and neither may cost
its safety: a revoked token, a deactivated account or a moved account is seen by the next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from psycopg.pq import Trace
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from infra.db import app_engine
from tests.e2e.site import web_tree
from tests.support import audit_rows, login


class Wire:
    """Traces every connection the application engine hands out, and counts SQLAlchemy's statements."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.statements: list[str] = []
        self._files: dict[int, Any] = {}

    def checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        trace = open(self.folder / f"{uuid.uuid4().hex}.trace", "w")  # noqa: SIM115 - closed at checkin
        self._files[id(dbapi_connection)] = trace
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)

    def checkin(self, dbapi_connection: Any, _record: Any) -> None:
        trace = self._files.pop(id(dbapi_connection), None)
        if trace is not None:
            dbapi_connection.pgconn.untrace()
            trace.close()

    def execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def messages(self) -> list[str]:
        """Every message the client sent, in order within each connection."""
        sent: list[str] = []
        for path in sorted(self.folder.glob("*.trace"), key=lambda p: p.stat().st_mtime_ns):
            sent += [line for line in path.read_text().splitlines() if line.startswith("F\t")]
        return sent

    def round_trips(self) -> int:
        return sum(path.read_text().count("\tReadyForQuery\t") for path in self.folder.glob("*.trace"))

    def reset(self) -> None:
        for path in self.folder.glob("*.trace"):
            path.unlink()
        self.statements.clear()


@pytest.fixture()
def wire(tmp_path: Path) -> Iterator[Wire]:
    engine = app_engine()
    watcher = Wire(tmp_path)
    event.listen(engine.pool, "checkout", watcher.checkout)
    event.listen(engine.pool, "checkin", watcher.checkin)
    event.listen(engine, "before_cursor_execute", watcher.execute)
    engine.pool.dispose()  # connections made before the trace started are not reused
    try:
        yield watcher
    finally:
        event.remove(engine.pool, "checkout", watcher.checkout)
        event.remove(engine.pool, "checkin", watcher.checkin)
        event.remove(engine, "before_cursor_execute", watcher.execute)
        engine.pool.dispose()


@pytest.fixture()
def tree(owner: Session) -> dict[str, Any]:
    return web_tree(owner)


def _page(client: TestClient, headers: dict[str, str], tree: dict[str, Any]) -> Any:  # type: ignore[type-arg]
    return client.get(f"/api/v1/units/{tree['hamlet'].id}/children?page=1&page_size=20", headers=headers)


def test_a_collaborators_first_page_costs_two_round_trips_beyond_its_work(
    client: TestClient,  # type: ignore[type-arg]
    tree: dict[str, Any],
    wire: Wire,
) -> None:
    headers = login(client, tree["users"]["collab"])
    first = _page(client, headers, tree)  # this process learns the token's scope
    assert first.status_code == 200, first.text
    assert first.json()["total"] == len(tree["children"])
    wire.reset()

    again = _page(client, headers, tree)

    assert again.status_code == 200
    assert again.json()["total"] == len(tree["children"])
    work = len(wire.statements)
    assert work == 1, wire.statements  # the page with its total (the hamlet came with the caller)
    assert wire.round_trips() - work <= 2, wire.messages()
    sent = [m for m in wire.messages() if "\tQuery\t" in m or "\tParse\t" in m]
    opening, closing = sent[0], sent[-1]
    assert opening.split("\t")[3].strip().startswith('"BEGIN; SELECT set_config(')
    assert "token_caller(" in opening  # the caller's check, in the same message
    assert "INSERT INTO audit_log" in closing and closing.endswith('; COMMIT"')


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE auth_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = :u)",
        "UPDATE users SET is_active = false WHERE username = :u",
    ],
    ids=["revoked token", "deactivated account"],
)
def test_a_revoked_token_or_a_deactivated_account_is_refused_by_the_very_next_request(
    client: TestClient,  # type: ignore[type-arg]
    tree: dict[str, Any],
    owner: Session,
    change: str,
) -> None:
    headers = login(client, tree["users"]["collab"])
    assert _page(client, headers, tree).status_code == 200  # this process now knows the token's scope
    before = len(audit_rows(owner, None, "unauthenticated"))
    owner.execute(text(change), {"u": tree["users"]["collab"]})
    owner.commit()

    refused = _page(client, headers, tree)

    assert refused.status_code == 401
    # the refusal is written although the request's transaction is not
    assert len(audit_rows(owner, None, "unauthenticated")) == before + 1


def test_an_account_moved_to_another_hamlet_reads_with_its_new_scope_at_once(
    client: TestClient,  # type: ignore[type-arg]
    tree: dict[str, Any],
    owner: Session,
) -> None:
    username = tree["users"]["collab"]
    headers = login(client, username)
    assert _page(client, headers, tree).status_code == 200
    owner.execute(
        text("UPDATE users SET unit_id = :h WHERE username = :u"), {"h": tree["hamlet2"].id, "u": username}
    )
    owner.commit()

    old = _page(client, headers, tree)
    new = client.get(f"/api/v1/units/{tree['hamlet2'].id}/children?page=1&page_size=20", headers=headers)

    assert old.status_code == 403  # the hamlet it kept until a moment ago
    assert new.status_code == 200 and new.json()["total"] == 0
    assert client.get(f"/api/v1/children/{tree['children'][0].id}", headers=headers).status_code == 404


def test_the_read_is_audited_with_the_requests_commit_and_a_refusal_on_its_own(
    client: TestClient,  # type: ignore[type-arg]
    tree: dict[str, Any],
    owner: Session,
) -> None:
    username = tree["users"]["collab"]
    headers = login(client, username)
    child = tree["children"][0]
    assert client.get(f"/api/v1/children/{child.id}", headers=headers).status_code == 200
    outsider = tree["outsider"]
    assert client.get(f"/api/v1/children/{outsider.id}", headers=headers).status_code == 404

    rows = audit_rows(owner, username)
    reads = [r for r in rows if r["resource"] == "child" and r["outcome"] == "allowed"]
    denied = [r for r in rows if r["outcome"] == "denied"]
    assert [r["resource_ids"] for r in reads] == [[str(child.id)]]
    assert [r["resource_ids"] for r in denied] == [[str(outsider.id)]]
    assert all(r["actor_unit_id"] == tree["hamlet"].id for r in reads + denied)
