"""Suspected duplicate pairs of a commune, for its ward officer to merge or to confirm as different.

A pair: two active records of the unit's subtree, both in the caller's records scope, with the same
folded name, the same date of birth (or the same birth year and sex) and a guardian of the same folded
name, not confirmed as different children. Each record finds its partners through the probe index
(``ix_children_duplicate_probe``: folded name, then the birth year's range of dates).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, exists, extract, func, select
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
    a, b = aliased(Child, name="a"), aliased(Child, name="b")
    ga, gb = aliased(Guardian, name="ga"), aliased(Guardian, name="gb")
    year = cast(extract("year", a.date_of_birth), Integer)
    rows = session.execute(
        select(
            a.id,
            b.id,
            case((a.date_of_birth == b.date_of_birth, "name_dob_guardian"), else_="name_year_sex_guardian"),
            func.count().over(),
        )
        .join(
            b,
            and_(
                b.search_name == a.search_name,
                b.date_of_birth.between(func.make_date(year, 1, 1), func.make_date(year, 12, 31)),
                b.id > a.id,
            ),
        )
        .where(
            a.status == "active",
            b.status == "active",
            child_scoped(a, caller),
            child_scoped(b, caller),
            child_within(a, unit),
            child_within(b, unit),
            (a.date_of_birth == b.date_of_birth) | (a.sex == b.sex),
            exists()
            .where(ga.child_id == a.id, gb.child_id == b.id)
            .where(func.app_fold(ga.full_name) == func.app_fold(gb.full_name)),
            ~exists().where(ChildDistinctPair.child_a == a.id, ChildDistinctPair.child_b == b.id),
        )
        .order_by(a.sort_name, a.id, b.id)
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
