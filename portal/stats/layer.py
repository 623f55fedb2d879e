"""The statistics layer: counts per hamlet and month, with rollups, kept current by triggers.

Aggregate-only callers read precomputed cells instead of recounting the registry (migration 0016).
A cell is ``(n, keysum)``: how many records and the sum of their random ``stat_key`` (the input of
cell-key perturbation in ``portal.stats.disclosure``). Months are first days; the figures of a month
are as of its last day. The layer keeps the open month and the ``stats_months`` complete months
before it.

Everything goes through SECURITY DEFINER functions: the application role cannot read the tables,
and the functions check the caller's scope (aggregate or record) as ``child_stats`` does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today
from infra.settings import get_settings
from portal.stats.months import add_months, month_start
from tenancy.models import Unit

Cell = tuple[int, int]  # (n, keysum)


def open_month() -> date:
    """The first day of the current month (Vietnam date)."""
    return month_start(today())


def window_start() -> date:
    """The first day of the earliest month the layer keeps."""
    return add_months(open_month(), -get_settings().stats_months)


def read(session: Session, unit: Unit, months: list[date]) -> dict[date, dict[str, dict[str, Cell]]]:
    """Cells of ``unit`` (today's structure) for the given months: month -> dimension -> key -> cell.

    Every asked month is present (empty when nothing was counted); absent cells are zero. Raises
    the database's 42501 error when the unit is outside the caller's scope.
    """
    wanted = sorted({month_start(m) for m in months})
    if not wanted:
        return {}
    result: dict[date, dict[str, dict[str, Cell]]] = {m: {} for m in wanted}
    rows = session.execute(
        text("SELECT month, dimension, key, n, keysum FROM stat_read(:unit, :first, :last)"),
        {"unit": unit.id, "first": wanted[0], "last": wanted[-1]},
    )
    for month, dimension, key, n, keysum in rows:
        if month in result:
            result[month].setdefault(dimension, {})[key] = (int(n), int(keysum))
    return result


def read_placed(session: Session, unit: Unit, month: date) -> dict[str, dict[str, Cell]]:
    """Cells of one month under the structure in force on its last day (hamlets then under ``unit``)."""
    result: dict[str, dict[str, Cell]] = {}
    rows = session.execute(
        text("SELECT dimension, key, n, keysum FROM stat_read_placed(:path, :month)"),
        {"path": unit.path, "month": month_start(month)},
    )
    for dimension, key, n, keysum in rows:
        result.setdefault(dimension, {})[key] = (int(n), int(keysum))
    return result


def refresh_dirty(session: Session, limit: int | None = None) -> int:
    """Recompute stale hamlets (at most ``limit``); returns how many were refreshed.

    Commits after each hamlet (and after a month rollover, done first when due), so give it a
    session of its own: short transactions keep the rollup rows that every hamlet of a province
    shares locked only briefly, and several workers can refresh side by side (each takes a stale
    hamlet no one else holds).
    """
    if open_new_month(session):
        session.commit()
    first, current = window_start(), open_month()
    done = 0
    while limit is None or done < limit:
        hamlet = session.execute(
            text("SELECT stat_refresh_next(:first, :open)"), {"first": first, "open": current}
        ).scalar()
        session.commit()
        if hamlet is None:
            break
        done += 1
    return done


def open_new_month(session: Session) -> bool:
    """Build the open month for every hamlet and drop months older than the window, once a month.

    Idempotent: returns False (and does nothing) when the layer already has the open month. Does
    not commit.
    """
    return bool(
        session.execute(
            text("SELECT stat_open_month(:first, :open)"), {"first": window_start(), "open": open_month()}
        ).scalar()
    )


def rebuild(session: Session) -> None:
    """Recompute the whole layer from the registry (all hamlets, every month of the window).

    Needs the owner's session (the application role may not rebuild). Does not commit. The layer is
    built into a new table swapped in at the end: readers keep reading the old figures until the
    commit (they wait only for the swap itself).
    """
    session.execute(
        text("SELECT stat_rebuild(:first, :open)"), {"first": window_start(), "open": open_month()}
    )


def rebuild_rollups(session: Session) -> None:
    """Recompute every non-hamlet row from the hamlet rows (owner's session; does not commit).

    Moves of hamlets are followed by a trigger on ``units``; this is the set-based repair.
    """
    session.execute(text("SELECT stat_rebuild_rollups()"))
