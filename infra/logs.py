"""Logs carry no personal data: database errors are logged without their values.

PostgreSQL puts the offending values in its error messages ("Key (national_id)=(...) already
exists", "Failing row contains (..., Nguyễn Thị Hoa, ...)"), and SQLAlchemy would add the
statement's parameters (the engines set ``hide_parameters``). The record factory installed here
formats every logged exception whose chain holds a database error with the error's class, SQLSTATE,
constraint, table and the SQL text only, for every logger (the portal's, uvicorn's, Celery's).
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

from sqlalchemy.exc import StatementError

_installed = False


def _is_database_error(exc: BaseException) -> bool:
    if isinstance(exc, StatementError):
        return True
    module = type(exc).__module__ or ""
    return module.startswith("psycopg")


def _describe(exc: BaseException) -> str:
    """What a database error says without any value from a row."""
    orig = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    parts = [f"{type(exc).__module__}.{type(exc).__qualname__}"]
    if orig is not exc:
        parts.append(f"({type(orig).__module__}.{type(orig).__qualname__})")
    diag = getattr(orig, "diag", None)
    for label, attr in (
        ("sqlstate", "sqlstate"),
        ("constraint", "constraint_name"),
        ("table", "table_name"),
        ("column", "column_name"),
    ):
        value = getattr(diag, attr, None) if diag is not None else None
        if value:
            parts.append(f"{label}={value}")
    text = " ".join(parts) + ": values withheld from the log"
    statement = getattr(exc, "statement", None)
    if statement:
        text += f"\n[SQL: {statement}]"
    return text


def format_exception_safely(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> str:
    """The traceback of every exception in the chain; database errors without their messages."""
    chain: list[BaseException] = []
    exc: BaseException | None = exc_info[1]
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    blocks = []
    for item in reversed(chain):
        frames = "".join(traceback.format_tb(item.__traceback__))
        message = (
            _describe(item)
            if _is_database_error(item)
            else "".join(traceback.format_exception_only(type(item), item)).rstrip()
        )
        blocks.append(f"Traceback (most recent call last):\n{frames}{message}")
    return "\n\nThe above exception was the direct cause of the following exception:\n\n".join(blocks)


def _holds_database_error(exc: BaseException | None) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if _is_database_error(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def install_log_filter() -> None:
    """Install the record factory once per process (the app, workers, scripts)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None and _holds_database_error(exc_info[1]):
            record.exc_text = format_exception_safely(exc_info)
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
