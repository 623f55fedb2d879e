"""Data quality of the registry: the work list of a commune (children with no personal identification
number, one that does not fit the record, or basic information missing) and the figures per unit.

The work list is personal data: read by the unit's record keepers only (a collaborator their hamlet, a
ward officer the commune), through ``children_for`` and row-level security like every list of children.
Whether a number fits is the database's ``national_id_fits`` (migration 0028), the same rule as
:func:`portal.registry.national_id.mismatches`, which names the parts on the page shown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, not_, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.access import children_for, children_in
from portal.registry.models import Child, Guardian
from portal.registry.national_id import mismatches
from portal.registry.police_models import NationalIdVerification
from tenancy.models import Unit

PROBLEMS = ("no_id", "id_mismatch", "missing_info")
MAX_PAGE_SIZE = 100


def _no_guardian() -> ColumnElement[bool]:
    return ~exists().where(Guardian.child_id == Child.id)


def problem_clauses() -> dict[str, ColumnElement[bool]]:
    """SQL, over ``children``: each problem of the work list (``child_quality_counts`` counts the same)."""
    fits = func.national_id_fits(Child.national_id, Child.date_of_birth, Child.sex, Child.birth_province_code)
    return {
        "no_id": Child.national_id.is_(None),
        "id_mismatch": and_(Child.national_id.is_not(None), not_(fits)),
        "missing_info": or_(
            func.btrim(Child.full_name) == "", func.btrim(Child.ethnicity) == "", _no_guardian()
        ),
    }


def verified_clause() -> ColumnElement[bool]:
    """SQL: the child's current number is the one the police verified."""
    return exists().where(
        NationalIdVerification.child_id == Child.id,
        NationalIdVerification.id_after == Child.national_id,
        NationalIdVerification.outcome.in_(("updated", "unchanged")),
    )


def _problems(problem: str | None) -> list[str]:
    if problem is None or problem == "all":
        return list(PROBLEMS)
    if problem not in PROBLEMS:
        raise ValidationFailed(
            [FieldError("problem", f"must be one of all, {', '.join(PROBLEMS)}", "unknown_code")]
        )
    return [problem]


def work_list_statement(caller: Caller, unit: Unit, problem: str | None) -> Select[Any]:
    """The active children of ``unit``'s subtree the caller keeps that have ``problem`` (None or
    ``all``: any), with what the list shows, in hamlet and name order. Refuses an unknown problem."""
    wanted = _problems(problem)
    clauses = problem_clauses()
    guardians = (
        select(func.string_agg(Guardian.full_name, aggregate_order_by(literal("; "), Guardian.id)))
        .where(Guardian.child_id == Child.id)
        .scalar_subquery()
    )
    hamlet = Unit.__table__.alias("hamlet")
    commune = Unit.__table__.alias("commune")
    return (
        children_for(caller)
        .where(children_in(unit), Child.status == "active", or_(*(clauses[p] for p in wanted)))
        .join(hamlet, hamlet.c.id == Child.hamlet_id)
        .outerjoin(commune, commune.c.id == hamlet.c.parent_id)
        .with_only_columns(
            Child.id,
            Child.full_name,
            Child.date_of_birth,
            Child.sex,
            Child.ethnicity,
            Child.national_id,
            Child.birth_province_code,
            Child.hamlet_id,
            hamlet.c.name.label("hamlet_name"),
            commune.c.name.label("commune_name"),
            guardians.label("guardians"),
            *(clauses[p].label(p) for p in PROBLEMS),
            verified_clause().label("verified"),
        )
        .order_by(hamlet.c.name, Child.sort_name, Child.id)
    )


def item(row: Any) -> dict[str, Any]:
    """One child of the work list: the record's basic fields, its problems, and the parts of its
    number that disagree (``id_province``, ``id_century_sex``, ``id_year``)."""
    parts = (
        [m.code for m in mismatches(row.national_id, row.date_of_birth, row.sex, row.birth_province_code)]
        if row.national_id
        else []
    )
    missing = [f for f, v in (("full_name", row.full_name), ("ethnicity", row.ethnicity)) if not v.strip()]
    if not row.guardians:
        missing.append("guardians")
    return {
        "id": str(row.id),
        "full_name": row.full_name,
        "date_of_birth": row.date_of_birth.isoformat(),
        "sex": row.sex,
        "ethnicity": row.ethnicity,
        "national_id": row.national_id,
        "birth_province_code": row.birth_province_code,
        "hamlet": {"id": row.hamlet_id, "name": row.hamlet_name},
        "commune_name": row.commune_name,
        "guardians": row.guardians or "",
        "problems": [p for p in PROBLEMS if getattr(row, p)],
        "id_parts": parts,
        "missing": missing,
        "verified": bool(row.verified),
    }


def work_list(
    session: Session,
    caller: Caller,
    unit: Unit,
    problem: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """A page of the work list of ``unit`` (a commune, or a hamlet), audited as a list of children."""
    authorize(caller, "child", "work_list", unit)
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    if errors:
        raise ValidationFailed(errors)
    stmt = work_list_statement(caller, unit, problem)
    rows = session.execute(
        stmt.add_columns(func.count().over().label("total")).limit(page_size).offset((page - 1) * page_size)
    ).all()
    total = (
        int(rows[0].total)
        if rows
        else int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    )
    items = [item(r) for r in rows]
    audit(
        caller.actor,
        "work_list",
        "child",
        "allowed",
        resource_ids=[i["id"] for i in items],
        unit_id=unit.id,
        detail={"problem": problem or "all", "page": page, "page_size": page_size, "total": total},
    )
    return {
        "unit": unit.ref(),
        "problem": problem or "all",
        "items": items,
        "total": total,
        "page": page,
        "page_size": page_size,
    }
