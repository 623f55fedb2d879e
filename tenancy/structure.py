"""The unit tree as it stood on a date.

A reorganisation moves hamlets (and with them their children and records); the path each hamlet
had before is kept in ``hamlet_placements``. So the tree on a date is the set of hamlet paths on
that date: a unit's place then is the prefix of any hamlet path that contains it, and its
sub-units then are the next segments below it. Units that never held a hamlet keep their current
place. When no hamlet has moved since the date, the tree is today's (the common, fast case).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tenancy.models import Unit
from tenancy.scope import subtree_end
from tenancy.service import display_order

_HAMLETS_ON = """
    SELECT hp.hamlet_id, hp.path
    FROM hamlet_paths_on(:on) hp JOIN units u ON u.id = hp.hamlet_id
    WHERE hp.path >= :p AND hp.path < :e
      AND (u.valid_from IS NULL OR u.valid_from <= :on) AND (u.valid_to IS NULL OR u.valid_to > :on)
"""


def valid_on(unit: Unit, on: date) -> bool:
    """Whether ``unit`` was in force on ``on`` (valid_from inclusive, valid_to exclusive)."""
    return (unit.valid_from is None or unit.valid_from <= on) and (
        unit.valid_to is None or unit.valid_to > on
    )


def moved_since(session: Session, on: date) -> bool:
    """Whether any hamlet has been moved by a reorganisation after ``on``."""
    moved: bool = session.execute(
        text("SELECT EXISTS (SELECT 1 FROM hamlet_placements WHERE valid_to > :on)"), {"on": on}
    ).scalar_one()
    return moved


def path_on(session: Session, unit: Unit, on: date) -> str:
    """``unit``'s path on ``on`` (its current path when nothing has moved it since)."""
    if not moved_since(session, on):
        return unit.path
    found: str | None
    if unit.level == "hamlet":
        found = session.execute(
            text(
                "SELECT path FROM hamlet_placements WHERE hamlet_id = :h "
                "AND (valid_from IS NULL OR valid_from <= :on) AND :on < valid_to ORDER BY valid_to LIMIT 1"
            ),
            {"h": unit.id, "on": on},
        ).scalar()
        return found or unit.path
    marker = f"/{unit.id}/"
    found = session.execute(
        text("SELECT hp.path FROM hamlet_paths_on(:on) hp WHERE strpos(hp.path, :m) > 0 LIMIT 1"),
        {"on": on, "m": marker},
    ).scalar()
    if found is None:
        return unit.path
    return str(found[: found.index(marker) + len(marker)])


def parent_on(session: Session, unit: Unit, on: date) -> Unit | None:
    """The unit ``unit`` hung under on ``on`` (None for a province)."""
    ids = [int(x) for x in path_on(session, unit, on).strip("/").split("/")]
    return session.get(Unit, ids[-2]) if len(ids) > 1 else None


def hamlets_on(session: Session, root: Unit, on: date) -> list[tuple[int, str]]:
    """(hamlet id, path on ``on``) of every hamlet under ``root`` on that date."""
    start = path_on(session, root, on)
    rows = session.execute(text(_HAMLETS_ON), {"on": on, "p": start, "e": subtree_end(start)}).tuples()
    return [(int(h), p) for h, p in rows]


def units_at_level_on(session: Session, root: Unit, on: date, level: str) -> list[Unit]:
    """The units of ``level`` under ``root`` on ``on`` (``root`` itself if it is of that level)."""
    if root.level == level:
        return [root]
    start = path_on(session, root, on)
    if not moved_since(session, on):
        return list(
            session.scalars(
                select(Unit)
                .where(Unit.path >= start, Unit.path < subtree_end(start), Unit.level == level)
                .where((Unit.valid_from.is_(None)) | (Unit.valid_from <= on))
                .where((Unit.valid_to.is_(None)) | (Unit.valid_to > on))
                .order_by(Unit.path)
            )
        )
    ids: set[int] = set()
    for hamlet_id, path in hamlets_on(session, root, on):
        segments = [int(x) for x in path.strip("/").split("/")]
        # the hamlet itself, or the unit of the wanted level among its ancestors then
        ids.update([hamlet_id] if level == "hamlet" else segments[:-1])
    units = (
        [u for u in session.scalars(select(Unit).where(Unit.id.in_(ids))) if u.level == level] if ids else []
    )
    return sorted(units + _never_held_hamlets(session, start, on, level, {u.id for u in units}), key=_order)


def children_on(session: Session, unit: Unit, on: date) -> list[Unit]:
    """The direct sub-units of ``unit`` on ``on``, in code and name order."""
    if unit.level == "hamlet":
        return []
    if not moved_since(session, on):
        below = session.scalars(select(Unit).where(Unit.parent_id == unit.id))
        return sorted((u for u in below if valid_on(u, on)), key=_order)
    start = path_on(session, unit, on)
    ids = {
        int(path[len(start) :].split("/", 1)[0])
        for _hamlet, path in hamlets_on(session, unit, on)
        if path != start
    }
    found = list(session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []
    extra = [
        u
        for u in session.scalars(select(Unit).where(Unit.parent_id == unit.id))
        if u.id not in ids and valid_on(u, on) and not _ever_held_hamlets(session, u)
    ]
    return sorted(found + extra, key=_order)


def _order(unit: Unit) -> tuple[str, tuple[tuple[int, int | str], ...], int]:
    """Official code order (GSO codes), then the name read naturally: the order of the paper forms."""
    return display_order(unit)


def _ever_held_hamlets(session: Session, unit: Unit) -> bool:
    marker = f"/{unit.id}/"
    held: bool = session.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM units WHERE level = 'hamlet' AND path >= :p AND path < :e) "
            "OR EXISTS (SELECT 1 FROM hamlet_placements WHERE strpos(path, :m) > 0)"
        ),
        {"p": unit.path, "e": subtree_end(unit.path), "m": marker},
    ).scalar_one()
    return held


def _never_held_hamlets(session: Session, start: str, on: date, level: str, known: set[int]) -> list[Unit]:
    return [
        u
        for u in session.scalars(
            select(Unit).where(Unit.path >= start, Unit.path < subtree_end(start), Unit.level == level)
        )
        if u.id not in known and valid_on(u, on) and not _ever_held_hamlets(session, u)
    ]
