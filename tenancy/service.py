"""Reading the unit tree (public administrative data: not scoped by RLS)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from tenancy.models import Unit
from tenancy.scope import Scope, subtree_clause

_DIGITS = re.compile(r"(\d+)")


def get_unit(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def unit_by_code(session: Session, level: str, code: str, era_from: object = None) -> Unit | None:
    stmt = select(Unit).where(Unit.level == level, Unit.code == code)
    stmt = stmt.where(Unit.valid_from.is_(None) if era_from is None else Unit.valid_from == era_from)
    return session.scalars(stmt).one_or_none()


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Names in the order people read them: "Tổ 2" before "Tổ 10" (numbers compared as numbers)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold()) for part in _DIGITS.split(name) if part
    )


def display_order(unit: Unit) -> tuple[str, tuple[tuple[int, int | str], ...], int]:
    """Official code order (GSO codes) where there are codes, then the name read naturally."""
    return (unit.code or "", natural_key(unit.name), unit.id)


def child_units(session: Session, parent_id: int) -> list[Unit]:
    return sorted(session.scalars(select(Unit).where(Unit.parent_id == parent_id)), key=display_order)


def unit_names(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    """Names of the given units, by id."""
    ids = set(unit_ids)
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).tuples().all())


def units_below(session: Session, unit: Unit, level: str | None = None, current: bool = False) -> list[Unit]:
    """``unit`` and the units below it, in path order; only those at ``level`` when given, only those
    not closed when ``current``."""
    stmt = select(Unit).where(subtree_clause(Unit.path, unit.path))
    if level is not None:
        stmt = stmt.where(Unit.level == level)
    if current:
        stmt = stmt.where(Unit.valid_to.is_(None))
    units = list(session.scalars(stmt.order_by(Unit.path)))
    return sorted(units, key=display_order) if level is not None else units


def visible_unit_ids(scope: Scope) -> Select[tuple[int]]:
    """Ids of the units whose records or aggregates ``scope`` covers (SQL ``app_unit_visible``)."""
    return select(Unit.id).where(
        or_(subtree_clause(Unit.path, scope.records), subtree_clause(Unit.path, scope.aggregates))
    )


def path_ids(path: str | None) -> list[int]:
    """Ids of the unit at ``path`` and of every unit above it, root first (paths are id chains)."""
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def provinces_in_force(session: Session) -> list[Unit]:
    """The provinces (units without a parent) in force, in official code order."""
    stmt = select(Unit).where(Unit.parent_id.is_(None), Unit.level == "province", Unit.valid_to.is_(None))
    return sorted(session.scalars(stmt), key=display_order)


def subtree_ids(root: Unit) -> Select[tuple[int]]:
    """Ids of ``root`` and every unit below it (any era), as a subquery to filter rows by."""
    return select(Unit.id).where(subtree_clause(Unit.path, root.path))
