"""The caller's scope: which part of the unit tree they may see.

Unit paths are opaque id chains with a trailing separator (``/1/23/456/``), so the subtree
of a unit is exactly the half-open text range ``[path, path[:-1] + '0')`` under the "C"
collation: every descendant path starts with ``path``, and ``'0'`` is the character right
after ``'/'``. This is the one place that rule is written in Python; the SQL functions
``app_subtree_end`` and the RLS policies in the first migration mirror it.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    Only :func:`tenancy.resolve.scope_for` builds these for callers; ``None`` means nothing.
    """

    records: str | None
    aggregates: str | None


NO_SCOPE = Scope(records=None, aggregates=None)
