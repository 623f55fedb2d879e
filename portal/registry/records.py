"""Child records for the API's answers read as plain rows: the record's columns, and its guardians and
periods as JSON arrays PostgreSQL builds in the same statement.

The dicts are exactly those of :func:`portal.registry.serialize.child_json` (a test compares them),
without building ORM objects: loading a page of 20 children with their guardians into the session
cost more CPU than anything else the page did. Writes and the pages keep the ORM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from portal.registry.models import Child, ChildPeriod, Guardian
from portal.registry.serialize import LISTS, SCALARS

_EMPTY: ColumnClause[Any] = literal_column("'[]'::json")

_GUARDIANS = (
    select(
        func.coalesce(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_object(
                        "full_name",
                        Guardian.full_name,
                        "relationship",
                        Guardian.relationship,
                        "phone",
                        Guardian.phone,
                        "lives_with_child",
                        Guardian.lives_with_child,
                    ),
                    Guardian.id,
                )
            ),
            _EMPTY,
        )
    )
    .where(Guardian.child_id == Child.id)
    .scalar_subquery()
)

# Ordered as snapshot() sorts them: kind, code (byte order, as Python compares str), since; then load order.
_PERIODS = (
    select(
        func.coalesce(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_object(
                        "kind",
                        ChildPeriod.kind,
                        "code",
                        ChildPeriod.code,
                        "subgroup",
                        ChildPeriod.subgroup,
                        "since",
                        ChildPeriod.since,
                        "until",
                        ChildPeriod.until,
                        "note",
                        ChildPeriod.note,
                    ),
                    ChildPeriod.kind.collate("C"),
                    ChildPeriod.code.collate("C"),
                    ChildPeriod.since,
                    ChildPeriod.id,
                )
            ),
            _EMPTY,
        )
    )
    .where(ChildPeriod.child_id == Child.id)
    .scalar_subquery()
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
