"""Child records for the API's answers read as plain rows: the record's columns, and its guardians and
periods as JSON arrays PostgreSQL builds in the same statement.

The dicts are exactly those of :func:`portal.registry.serialize.child_json` (a test compares them),
without building ORM objects: loading a page of 20 children with their guardians into the session
cost more CPU than anything else the page did. Writes and the pages keep the ORM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, Select, literal_column

from portal.registry.models import Child
from portal.registry.serialize import LISTS, SCALARS

# Written as SQL text: a statement's cache key is computed on every execution by walking its whole
# tree, and these two subqueries were most of it. Correlated with the outer ``children`` (RLS applies
# inside as everywhere: guardians and periods are visible only with a visible child).
_GUARDIANS: ColumnClause[Any] = literal_column(
    "(SELECT coalesce(json_agg(json_build_object("
    "'full_name', g.full_name, 'relationship', g.relationship, 'phone', g.phone, "
    "'lives_with_child', g.lives_with_child) ORDER BY g.id), '[]'::json) "
    "FROM guardians g WHERE g.child_id = children.id)"
)

# Ordered as snapshot() sorts them: kind, code (byte order, as Python compares str), since; then load order.
_PERIODS: ColumnClause[Any] = literal_column(
    "(SELECT coalesce(json_agg(json_build_object("
    "'kind', p.kind, 'code', p.code, 'subgroup', p.subgroup, 'since', p.since, 'until', p.until, "
    "'note', p.note) ORDER BY p.kind COLLATE \"C\", p.code COLLATE \"C\", p.since, p.id), '[]'::json) "
    "FROM child_periods p WHERE p.child_id = children.id)"
)

_COLUMNS = (
    Child.id,
    *(getattr(Child, name) for name in SCALARS),
    Child.version,
    Child.created_at,
    Child.updated_at,
    _GUARDIANS.label("guardians"),
    _PERIODS.label("periods"),
)


def record_columns(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` (a scoped statement over ``children``) selecting what :func:`record_json` reads."""
    return stmt.with_only_columns(*_COLUMNS)


def record_json(row: Any) -> dict[str, Any]:
    """A row of :func:`record_columns` as the API's JSON-ready dict (``serialize.child_json``)."""
    out: dict[str, Any] = {"id": str(row.id)}
    for name in SCALARS:
        out[name] = getattr(row, name)
    out["date_of_birth"] = row.date_of_birth.isoformat()
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in LISTS.values()}
    for period in row.periods:
        lists[LISTS[period.pop("kind")]].append(period)
    out.update(lists)
    out["guardians"] = row.guardians
    out["version"] = row.version
    out["created_at"] = row.created_at.isoformat()
    out["updated_at"] = row.updated_at.isoformat()
    return out
