"""Suspected duplicate pairs of a commune, for its ward officer to merge or to confirm as different.

A pair: two active records of the unit's subtree, both in the caller's records scope, with the same
folded name, the same date of birth (or the same birth year and sex) and a guardian of the same folded
name, not confirmed as different children. The area's records are read once and paired by hashing
their folded names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, extract, func, select
from sqlalchemy.orm import Session, aliased

from authz.caller import Caller
from authz.guards import authorize
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.access import child_scoped, child_within
from portal.registry.duplicate_checks import child_briefs
from portal.registry.duplicate_models import ChildDistinctPair
from portal.registry.duplicates import SCORES
from portal.registry.models import Child, Guardian
from tenancy.models import Unit

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PairPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def list_duplicate_pairs(
    session: Session, caller: Caller, unit: Unit, page: int = 1, page_size: int = 20
) -> PairPage:
    """The suspected pairs of ``unit``'s subtree, by the first record's Vietnamese name order."""
    authorize(caller, "child", "duplicates", unit)
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    if errors:
        raise ValidationFailed(errors)
    # The area's active records whose folded name occurs twice in it, read once (the scope's index) and
    # joined to themselves by hashing: a join probing the area again per record was quadratic, as the
    # planner estimates a scope range at one row (measured in bench/bench_duplicates.py).
    area = (
        select(Child.id, Child.search_name, Child.date_of_birth, Child.sex, Child.sort_name)
        .where(Child.status == "active", child_scoped(Child, caller), child_within(Child, unit))
        .cte("area")
        .prefix_with("MATERIALIZED")
    )
    shared = select(area.c.search_name).group_by(area.c.search_name).having(func.count() > 1)
    named = select(area).where(area.c.search_name.in_(shared)).cte("named").prefix_with("MATERIALIZED")
    a, b = named.alias("a"), named.alias("b")
    ga, gb = aliased(Guardian, name="ga"), aliased(Guardian, name="gb")
    same_year = extract("year", a.c.date_of_birth) == extract("year", b.c.date_of_birth)
    rows = session.execute(
        select(
            a.c.id,
            b.c.id,
            case(
                (a.c.date_of_birth == b.c.date_of_birth, "name_dob_guardian"), else_="name_year_sex_guardian"
            ),
            func.count().over(),
        )
        .join(b, and_(b.c.search_name == a.c.search_name, b.c.id > a.c.id))
        .where(
            same_year,
            (a.c.date_of_birth == b.c.date_of_birth) | (a.c.sex == b.c.sex),
            exists()
            .where(ga.child_id == a.c.id, gb.child_id == b.c.id)
            .where(func.app_fold(ga.full_name) == func.app_fold(gb.full_name)),
            ~exists().where(ChildDistinctPair.child_a == a.c.id, ChildDistinctPair.child_b == b.c.id),
        )
        .order_by(a.c.sort_name, a.c.id, b.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    ids: list[uuid.UUID] = [i for row in rows for i in (row[0], row[1])]
    briefs = child_briefs(session, caller, ids)
    items = [
        {"first": briefs[x], "second": briefs[y], "reason": reason, "score": SCORES[reason]}
        for x, y, reason, _ in rows
    ]
    total = int(rows[0][3]) if rows else 0
    audit(
        caller.actor,
        "duplicates",
        "child",
        "allowed",
        resource_ids=list(dict.fromkeys(ids)),
        unit_id=unit.id,
        detail={"page": page, "page_size": page_size, "total": total},
    )
    return PairPage(items, total, page, page_size)
