"""Counts of children by sex, age band, special-circumstance group, risk and support for a subtree.

Two readings, chosen by who asks (portal.stats.disclosure is the rule for the second):

- The unit's record keepers get exact live counts on any day, from the database function
  ``child_stats`` (SECURITY DEFINER: it counts rows the caller may not read, after checking the
  caller's aggregate scope itself); only counts leave it.
- Everyone else (district officers, provincial inspectors, anyone outside the area they keep) reads
  month ends only, from the statistics layer (portal.stats.layer), every cell published with cell-key
  perturbation and small cells hidden, so that no sum, difference or repetition of readings is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller, reading_history
from authz.guards import authorize
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.plausible import period_day
from portal.registry.models import ReferenceCode
from portal.stats import layer
from portal.stats.access import keeps_records
from portal.stats.disclosure import (
    Cell,
    K,
    Shown,
    aggregate_month,
    period_key,
    publish_table,
)
from portal.stats.months import month_end
from tenancy.models import Unit

AGE_BANDS = ("0-5", "6-9", "10-13", "14-15")
SEXES = ("male", "female")
KINDS = ("group", "risk", "support")
DISCLOSURE = {"method": "cell-key perturbation", "hidden_below": K}

STRUCTURES = {"current": func.child_stats, "historical": func.child_stats_placed}


def reference_codes(session: Session) -> dict[str, list[str]]:
    """The group, risk and support codes in their order: the cells of the three dimensions."""
    rows = session.execute(
        select(ReferenceCode.kind, ReferenceCode.code)
        .where(ReferenceCode.kind.in_(KINDS))
        .order_by(ReferenceCode.sort)
    ).tuples()
    codes: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind, code in rows:
        codes[kind].append(code)
    return codes


def child_table(cells: dict[str, dict[str, Cell]], codes: dict[str, list[str]]) -> dict[str, dict[str, Cell]]:
    """One unit-month's cells from the layer, every cell of the table present (absent cells are 0)."""
    keys: dict[str, tuple[str, ...]] = {
        "total": ("",),
        "sex": SEXES,
        "age_band": AGE_BANDS,
        **{kind: ("", *codes[kind]) for kind in KINDS},
        "entries": ("",),
        "exits": ("",),
    }
    return {dim: {k: cells.get(dim, {}).get(k, (0, 0)) for k in ks} for dim, ks in keys.items()}


def published_children(
    cells: dict[str, dict[str, Cell]], codes: dict[str, list[str]], month: date
) -> dict[str, dict[str, Shown]]:
    """One unit-month's children table as an aggregate-only reader sees it, wherever it is shown
    (``/stats``, the dashboard, report views): the same cells give the same published figures."""
    table = child_table(cells, codes)
    return publish_table(table, table["total"][""], period_key(month))


def layer_month(field: str, given: date | None) -> date:
    """The month (first day) an aggregate-only reader asks for, refused when the layer does not keep it."""
    month = aggregate_month(field, given)
    first = layer.window_start()
    if month < first:
        raise ValidationFailed(
            [FieldError(field, f"must not be before {month_end(first).isoformat()}", "before_window")]
        )
    return month


def unit_stats(
    session: Session, caller: Caller, unit: Unit, as_of: date | None = None, structure: str = "current"
) -> dict[str, Any]:
    """``structure``: ``current`` counts the hamlets under ``unit`` today; ``historical`` the hamlets that
    were under it on ``as_of`` (so a period before a reorganisation reads under either tree).

    Exact and live for the unit's record keepers; month ends only, published through the disclosure
    policy, for everyone else. A unit that became the caller's in a reorganisation is read, as of a day
    before it closed, under the caller's predecessor scope (``authz.caller.reading_history``): exact for
    the successor's record keepers, published for aggregate readers, as its own staff read it then."""
    with reading_history(session, caller, unit, as_of) as reader:
        authorize(reader, "stats", "read", unit)
        if structure not in STRUCTURES:
            raise ValidationFailed([FieldError("structure", "must be 'current' or 'historical'")])
        if keeps_records(reader, unit):
            return _exact(session, reader, unit, as_of, structure)
        return _published(session, reader, unit, as_of, structure)


def _published(
    session: Session, caller: Caller, unit: Unit, as_of: date | None, structure: str
) -> dict[str, Any]:
    month = layer_month("as_of", as_of)
    if structure == "current":
        cells = layer.read(session, unit, [month]).get(month, {})
    else:
        cells = layer.read_placed(session, unit, month)
    codes = reference_codes(session)
    shown = published_children(cells, codes, month)
    end = month_end(month)
    audit_aggregate(
        caller,
        "stats",
        unit.id,
        {"as_of": end, "as_of_given": as_of is not None, "structure": structure, "suppressed": True},
    )
    return _answer(unit, end, structure, codes, shown, exact=False)


def _answer(
    unit: Unit,
    on: date,
    structure: str,
    codes: dict[str, list[str]],
    cells: Mapping[str, Mapping[str, Shown]],
    exact: bool,
) -> dict[str, Any]:
    """The answer of ``/stats`` from one table of cells (exact counts, or as published)."""

    def at(dimension: str, key: str) -> Shown:
        return cells.get(dimension, {}).get(key, 0)

    return {
        "unit": unit.ref(),
        "as_of": on.isoformat(),
        "structure": structure,
        "suppressed": not exact,
        "suppression_threshold": None if exact else K,
        "disclosure": None if exact else DISCLOSURE,
        "total": at("total", ""),
        "by_sex": {s: at("sex", s) for s in SEXES},
        "by_age_band": {b: at("age_band", b) for b in AGE_BANDS},
        "by_group": {c: at("group", c) for c in codes["group"]},
        "in_special_circumstances": at("group", ""),
        "at_risk": at("risk", ""),
        "by_risk": {c: at("risk", c) for c in codes["risk"]},
        "receiving_support": at("support", ""),
        "by_support": {c: at("support", c) for c in codes["support"]},
        # flows are counted per month by the statistics layer, not live
        "entries": None if exact else at("entries", ""),
        "exits": None if exact else at("exits", ""),
    }


def _exact(
    session: Session, caller: Caller, unit: Unit, as_of: date | None, structure: str
) -> dict[str, Any]:
    on = as_of or today()
    if on > today():
        raise ValidationFailed([FieldError("as_of", "is in the future", "future_date")])
    if wrong := period_day("as_of", on):
        raise ValidationFailed(wrong)
    raw: dict[str, dict[str, int]] = {}
    for dimension, key, n in session.execute(
        select(STRUCTURES[structure](unit.path, on).table_valued("dimension", "key", "n"))
    ).tuples():
        raw.setdefault(dimension, {})[key] = int(n)
    codes = reference_codes(session)
    audit_aggregate(
        caller,
        "stats",
        unit.id,
        {"as_of": on, "as_of_given": as_of is not None, "structure": structure, "suppressed": False},
    )
    return _answer(unit, on, structure, codes, raw, exact=True)
