"""The caller's scope: which part of the unit tree they may see.

Unit paths are opaque id chains with a trailing separator (``/1/23/456/``), so the subtree
of a unit is exactly the half-open text range ``[path, path[:-1] + '0')`` under the "C"
collation: every descendant path starts with ``path``, and ``'0'`` is the character right
after ``'/'``. This is the one place that rule is written in Python; the SQL functions
``app_subtree_end`` and the RLS policies in the first migration mirror it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, false
from sqlalchemy.orm import InstrumentedAttribute


def subtree_end(path: str) -> str:
    """First path after every descendant of ``path`` (exclusive upper bound)."""
    if not path.endswith("/"):
        raise ValueError(f"unit path must end with '/': {path!r}")
    return path[:-1] + "0"


def in_subtree(path: str, root: str | None) -> bool:
    """True when ``path`` is ``root`` itself or below it. ``None`` root: nothing."""
    return root is not None and root <= path < subtree_end(root)


def subtree_clause(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], root: str | None
) -> ColumnElement[bool]:
    """SQL predicate: ``column`` lies in the subtree of ``root`` (index-friendly range); no root: nothing."""
    if root is None:
        return false()
    return and_(column >= root, column < subtree_end(root))


@dataclass(frozen=True)
class Scope:
    """Subtree roots for personal data (``records``) and for aggregates (``aggregates``).

    Only :mod:`tenancy.resolve` builds these for callers; ``None`` means nothing. A caller's own scope
    has no ``until``. A *predecessor scope* (:func:`tenancy.resolve.scope_before`) has the roots of a
    unit that became the caller's (tenancy.succession) and ``until``, the day that unit closed: it is
    for reading that unit's history as of days before ``until``, never for acting
    (:func:`authz.guards.authorize` refuses every other action under it).
    """

    records: str | None
    aggregates: str | None
    until: date | None = None


NO_SCOPE = Scope(records=None, aggregates=None)
