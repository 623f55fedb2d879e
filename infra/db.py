"""Database engines, the declarative base, and the per-transaction scope hook.

Every transaction of an application session starts by writing the caller's scope into
transaction-local settings (``app.scope`` for personal data, ``app.agg_scope`` for
aggregates). Row-level security policies read those settings, so a query that forgot its
filter still returns only rows in the caller's subtree. A session with no scope sets both
to '' and sees nothing (default deny).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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


@lru_cache(maxsize=4)
def engine_for(url: str, pool_size: int = 10) -> Engine:
    # hide_parameters: a failed statement's message never carries the values (names, addresses).
    return create_engine(
        url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, future=True, hide_parameters=True
    )


def app_engine() -> Engine:
    return engine_for(get_settings().database_url)


def admin_engine() -> Engine:
    return engine_for(get_settings().database_admin_url, 2)


@lru_cache(maxsize=1)
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=app_engine(), expire_on_commit=False, autoflush=True)


def new_session(scope: RowScope | None, user_id: int | None = None) -> Session:
    """A session of the application role whose every transaction carries ``scope`` (and ``user_id``)."""
    session = _session_factory()()
    session.info[SCOPE_KEY] = scope
    session.info[USER_KEY] = user_id
    return session


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


@event.listens_for(Session, "after_begin")
def _set_transaction_scope(session: Session, _transaction: Any, connection: Connection) -> None:
    if SCOPE_KEY not in session.info:
        return  # owner/admin sessions opened explicitly without a scope marker
    scope: RowScope | None = session.info[SCOPE_KEY]
    user_id = session.info.get(USER_KEY)
    connection.execute(
        text(
            "SELECT set_config('app.scope', :records, true), set_config('app.agg_scope', :aggs, true), "
            "set_config('app.user_id', :user, true)"
        ),
        {
            "records": (scope.records if scope else None) or "",
            "aggs": (scope.aggregates if scope else None) or "",
            "user": str(user_id) if user_id is not None else "",
        },
    )
