"""Database engines, the declarative base, and how a transaction starts and ends.

Every transaction of an application session starts by writing the caller's scope into
transaction-local settings (``app.scope`` for personal data, ``app.agg_scope`` for
aggregates). Row-level security policies read those settings, so a query that forgot its
filter still returns only rows in the caller's subtree. A session with no scope sets both
to '' and sees nothing (default deny).

Round trips: the application engine's connections are in the driver's autocommit mode, and the
transaction is opened by one message that carries ``BEGIN``, the scope and, when the session asks
for it, one more statement (the request's caller check, ``PREFACE_KEY``): one round trip where the
driver would take three. :func:`commit` likewise sends statements the session wants written last
(the request's audit rows) together with ``COMMIT``. Any other connection of the engine that
begins a transaction (``engine.begin()``, a lock connection) gets its ``BEGIN`` before its first
statement, as the driver would send it, so nothing ever runs outside a transaction by accident.
Connections are not pinged at checkout: they are recycled after ``db_pool_recycle`` seconds, and
one that died is replaced when its first statement fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

from psycopg import sql
from psycopg.pq import TransactionStatus
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from infra.errors import Busy
from infra.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RowScope(Protocol):
    """What row-level security reads: subtree roots for personal data and for aggregates.

    ``tenancy.scope.Scope`` is the one implementation; infra only needs these two paths.
    """

    @property
    def records(self) -> str | None: ...

    @property
    def aggregates(self) -> str | None: ...


SCOPE_KEY = "portal_scope"
USER_KEY = "portal_user_id"  # the caller's user id, as app.user_id (case visibility); None: a system session
PREFACE_KEY = "portal_preface"
"""``session.info``: SQL (quoted with :func:`literal`) sent in the same message as BEGIN and the scope."""
PREFACE_ROWS = "portal_preface_rows"
"""``session.info``: the rows the preface returned (its last statement's)."""
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE lock_not_available
LOCK_TIMEOUT_KEY = "portal_lock_timeout"
"""``session.info``: seconds a transaction waits for a lock (``lock_timeout``); None: no limit."""
_DEFERRED = "portal_deferred_begin"  # connection.info: BEGIN not sent yet


def _sized_engine(url: str, **options: Any) -> Engine:
    settings = get_settings()
    # hide_parameters: a failed statement's message never carries the values (names, addresses).
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=False,
        future=True,
        hide_parameters=True,
        **options,
    )


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """The application engine for ``url``: autocommit driver, BEGIN sent with the scope (module doc)."""
    engine = _sized_engine(url, isolation_level="AUTOCOMMIT")
    event.listen(engine, "begin", _defer_begin)
    event.listen(engine, "before_cursor_execute", _begin_if_deferred)
    event.listen(engine, "handle_error", _lock_wait_is_busy)
    return engine


@lru_cache(maxsize=4)
def owner_engine_for(url: str) -> Engine:
    """A plain engine (the driver sends BEGIN): migrations, seeding and the owner's maintenance."""
    return create_engine(
        url, pool_size=2, max_overflow=4, pool_pre_ping=True, future=True, hide_parameters=True
    )


def app_engine() -> Engine:
    return engine_for(get_settings().database_url)


def admin_engine() -> Engine:
    return owner_engine_for(get_settings().database_admin_url)


def _defer_begin(connection: Connection) -> None:
    connection.info[_DEFERRED] = True


def _begin_if_deferred(connection: Connection, cursor: Any, *_args: Any) -> None:
    if connection.info.pop(_DEFERRED, False):
        cursor.execute("BEGIN")


def literal(value: object) -> str:
    """``value`` as an SQL literal, quoted by the driver (for the statements sent with BEGIN/COMMIT)."""
    return sql.Literal(value).as_string()


def send(connection: Connection, statements: Sequence[str]) -> list[tuple[Any, ...]] | None:
    """Send ``statements`` as one message on the driver's connection; the last result's rows, if any."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute("; ".join(statements))
        rows = None
        while True:
            if cursor.description is not None:
                rows = list(cursor.fetchall())
            if not cursor.nextset():
                return rows
    finally:
        cursor.close()


@lru_cache(maxsize=1)
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=app_engine(), expire_on_commit=False, autoflush=True)


def new_session(
    scope: RowScope | None, user_id: int | None = None, lock_timeout: float | None = None
) -> Session:
    """A session of the application role whose every transaction carries ``scope`` (and ``user_id``),
    and waits at most ``lock_timeout`` seconds for a lock (:class:`Busy` after that)."""
    session = _session_factory()()
    session.info[SCOPE_KEY] = scope
    session.info[USER_KEY] = user_id
    session.info[LOCK_TIMEOUT_KEY] = lock_timeout
    return session


def _lock_wait_is_busy(context: Any) -> None:
    """``handle_error``: a lock not granted within ``lock_timeout`` is :class:`Busy` (503, try again)."""
    if getattr(context.original_exception, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        raise Busy(retry_after=1) from context.sqlalchemy_exception


def commit(session: Session, last: Sequence[str] = ()) -> None:
    """Commit, sending the statements ``last`` (quoted with :func:`literal`) in COMMIT's message.

    Pending changes are flushed first; the session's transaction starts if it has not yet.
    """
    if last:
        session.flush()
        send(session.connection(), [*last, "COMMIT"])
    session.commit()


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """Make changes and flush them inside a SAVEPOINT; a refusal undoes only these changes.

    Changes must be made *inside* the block (a savepoint begins by flushing what is already
    pending). On an error the objects added in the block leave the session and the changed
    ones are reloaded, so the request's transaction stays usable: a page can still render its
    409/422 answer, and nothing refused is flushed again by a later autoflush.
    """
    with session.begin_nested():
        yield
        session.flush()


@contextmanager
def scoped_session(scope: RowScope | None) -> Iterator[Session]:
    """Unit of work for code outside a request (tasks, scripts): commit on success, else roll back."""
    session = new_session(scope)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _scope_statement(session: Session) -> str:
    scope: RowScope | None = session.info[SCOPE_KEY]
    user_id = session.info.get(USER_KEY)
    records = (scope.records if scope else None) or ""
    aggregates = (scope.aggregates if scope else None) or ""
    user = str(user_id) if user_id is not None else ""
    lock_timeout = session.info.get(LOCK_TIMEOUT_KEY)
    limit = f", set_config('lock_timeout', '{round(lock_timeout * 1000)}ms', true)" if lock_timeout else ""
    return (
        f"SELECT set_config('app.scope', {literal(records)}, true), "
        f"set_config('app.agg_scope', {literal(aggregates)}, true), "
        f"set_config('app.user_id', {literal(user)}, true){limit}"
    )


def set_scope(session: Session) -> None:
    """Set the session's scope (``session.info``) again in its open transaction: a changed caller."""
    send(session.connection(), [_scope_statement(session)])


@contextmanager
def scope_switched(session: Session, scope: RowScope) -> Iterator[None]:
    """Run the block's statements under ``scope`` instead of the session's own (a caller's predecessor
    scope, ``tenancy.resolve.scope_before``): row-level security and the SECURITY DEFINER functions check
    it exactly as they check the caller's own. The session's scope is put back after the block, in the
    database too unless the transaction has already failed (it can then only roll back, and the next
    transaction starts from the session's own scope again)."""
    saved = session.info[SCOPE_KEY]
    session.info[SCOPE_KEY] = scope
    set_scope(session)
    try:
        yield
    finally:
        session.info[SCOPE_KEY] = saved
        raw = session.connection().connection.driver_connection
        if raw is not None and raw.info.transaction_status != TransactionStatus.INERROR:
            set_scope(session)


@event.listens_for(Session, "after_begin")
def _set_transaction_scope(session: Session, _transaction: Any, connection: Connection) -> None:
    deferred = connection.info.pop(_DEFERRED, False)
    statements = ["BEGIN"] if deferred else []
    if SCOPE_KEY in session.info:  # owner/admin sessions are opened explicitly without a scope marker
        statements.append(_scope_statement(session))
    preface = session.info.pop(PREFACE_KEY, None)
    if preface:
        statements.append(preface)
    if statements:
        rows = send(connection, statements)
        if preface:
            session.info[PREFACE_ROWS] = rows or []
