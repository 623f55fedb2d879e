"""The child registry service: create, read, list, update with history. Never commits.

Every query that returns children is filtered to the caller's record scope in SQL (and RLS
repeats the rule in the database). Casbin decides the action before any row is loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session, joinedload

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.db import savepoint
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed, refused_as
from portal.audit.service import record as audit
from portal.registry.access import children_for, children_in, in_period
from portal.registry.duplicate_checks import (
    confirm_distinct,
    edited_identity,
    readable_ids,
    refuse_likely_duplicates,
)
from portal.registry.duplicates import Candidate
from portal.registry.models import Child, ChildHistory, ChildMove, ChildPeriod, Guardian, ReferenceCode
from portal.registry.moves import claim_by_national_id
from portal.registry.records import record_columns, record_json
from portal.registry.reference import PERIOD_KINDS
from portal.registry.schemas import ChildCreate, ChildPatch
from portal.registry.serialize import LISTS, diff, snapshot
from portal.registry.text import fold, sort_key
from portal.registry.validation import Checker
from portal.stats.access import keeps_records
from tenancy.models import Unit

MAX_PAGE_SIZE = 100


def checker(session: Session) -> Checker:
    """A checker with the stored reference codes (one per record checked: it collects that record's
    problems)."""
    return _checker(session)


def _checker(session: Session) -> Checker:
    codes: dict[str, set[str]] = {}
    subgroups: dict[str, str] = {}
    for kind, code, parent in session.execute(
        select(ReferenceCode.kind, ReferenceCode.code, ReferenceCode.parent_code)
    ).tuples():
        codes.setdefault(kind, set()).add(code)
        if kind == "subgroup" and parent:
            subgroups[code] = parent
    return Checker(today(), codes, subgroups)


def _visible(caller: Caller) -> Select[tuple[Child]]:
    """Base statement: children in the caller's record scope (none without one), with their guardians
    and periods joined in the same statement (results need ``unique()``)."""
    return children_for(caller).options(joinedload(Child.guardians), joinedload(Child.periods))


def _hamlet(session: Session, caller: Caller, hamlet_id: int, check: Checker) -> Unit | None:
    return check_hamlet(caller, session.get(Unit, hamlet_id), hamlet_id, check)


def check_hamlet(caller: Caller, unit: Unit | None, hamlet_id: int, check: Checker) -> Unit | None:
    """``unit`` (loaded as ``hamlet_id``) if the caller may record a child there, else None with the
    problem added to ``check``."""
    if unit is None or unit.level != "hamlet":
        check.fail("hamlet_id", f"{hamlet_id} is not a hamlet", "not_a_hamlet")
        return None
    if not keeps_records(caller, unit):
        check.fail("hamlet_id", f"hamlet {hamlet_id} is outside your area", "out_of_scope")
        return None
    if unit.valid_to is not None and unit.valid_to <= today():
        check.fail("hamlet_id", f"{unit.name} was closed on {unit.valid_to:%d/%m/%Y}", "closed")
        return None
    return unit


def _raise_if_failed(check: Checker) -> None:
    if check.errors:
        error = ValidationFailed(check.errors)
        if any(e.code == "out_of_scope" for e in check.errors):
            error.audit_outcome = "denied"
            error.context = {"resource": "child", "action": "write"}
        raise error


def _set_lists(
    child: Child, periods: dict[str, list[dict[str, Any]]] | None, guardians: list[dict[str, Any]] | None
) -> None:
    if periods is not None:
        kinds = {PERIOD_KINDS[field] for field in periods}
        kept = [p for p in child.periods if p.kind not in kinds]
        child.periods = kept + [ChildPeriod(**p) for items in periods.values() for p in items]
    if guardians is not None:
        child.guardians = [Guardian(**g) for g in guardians]


def _write_history(
    session: Session,
    caller: Caller,
    child: Child,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    session.add(
        ChildHistory(
            child_id=child.id,
            actor_id=caller.user_id,
            actor_username=caller.username,
            action=action,
            hamlet_id=child.hamlet_id,
            before=before,
            after=after,
        )
    )


NATIONAL_ID_TAKEN = {
    "uq_children_national_id": FieldError(
        "national_id", "is already registered to another child", "duplicate"
    )
}


def create_child(session: Session, caller: Caller, data: ChildCreate) -> Child:
    """Record a child; a personal identification number already held by an active record is refused."""
    child = _create(session, caller, data, transfer=False)
    assert isinstance(child, Child)
    return child


def register_child(session: Session, caller: Caller, data: ChildCreate) -> Child | ChildMove:
    """Record a child, or, when an active record elsewhere holds its personal identification number, the
    move that brings that record here instead of a duplicate (``portal.registry.moves``)."""
    return _create(session, caller, data, transfer=True)


NewChild = tuple[dict[str, Any], dict[str, list[dict[str, Any]]], list[dict[str, Any]]]
"""A new record's cleaned values (``Child`` columns), its periods by list field, its guardians."""


def check_new_child(check: Checker, data: ChildCreate) -> NewChild:
    """The registry's rules for a new record, as :func:`create_child` applies them (and the register
    import, row by row): the cleaned values; each problem is added to ``check``. The hamlet is checked
    apart (:func:`check_hamlet`)."""
    name = check.full_name(data.full_name)
    born = check.date_of_birth(data.date_of_birth)
    values = dict(
        full_name=name,
        date_of_birth=born,
        sex=check.sex(data.sex),
        ethnicity=check.ethnicity(data.ethnicity),
        national_id=check.national_id(data.national_id),
        birth_province_code=check.birth_province_code(data.birth_province_code),
        birth_registered=data.birth_registered,
        household_code=data.household_code,
        address=data.address,
        school_status=check.school_status(data.school_status),
        notes=data.notes,
    )
    periods = {
        kind: check.periods(kind, getattr(data, kind), born) for kind in ("groups", "at_risk", "supports")
    }
    guardians = check.guardians(data.guardians)
    check.id_fits(data.national_id, born, data.sex, data.birth_province_code)
    return values, periods, guardians


def _create(session: Session, caller: Caller, data: ChildCreate, transfer: bool) -> Child | ChildMove:
    authorize_action(caller, "child", "create")
    check = _checker(session)
    values, periods, guardians = check_new_child(check, data)
    hamlet = _hamlet(session, caller, data.hamlet_id, check)
    _raise_if_failed(check)
    assert hamlet is not None
    if transfer and values["national_id"] is not None:
        move = _transfer_instead(session, caller, str(values["national_id"]), hamlet)
        if move is not None:
            return move
    confirmed = readable_ids(session, caller, data.not_duplicate_of, "not_duplicate_of")
    typed = Candidate(
        values["full_name"],
        values["date_of_birth"],
        str(values["sex"]),
        None,
        [g["full_name"] for g in guardians],
        hamlet.id,
    )
    refuse_likely_duplicates(session, caller, typed, confirmed, hamlet.id)
    child = Child(
        id=uuid.uuid4(),
        hamlet_id=hamlet.id,
        unit_path=hamlet.path,
        search_name=fold(values["full_name"]),
        sort_name=sort_key(values["full_name"]),
        status="active",
        periods=[],
        guardians=[],
        **values,
    )
    with refused_as(NATIONAL_ID_TAKEN), savepoint(session):
        _set_lists(child, periods, guardians)
        session.add(child)
    session.refresh(child, ["created_at", "updated_at", "version"])
    confirm_distinct(session, caller, child.id, confirmed)
    _write_history(session, caller, child, "create", None, snapshot(child))
    audit(caller.actor, "create", "child", "allowed", resource_ids=[child.id], unit_id=hamlet.id)
    return child


def _transfer_instead(session: Session, caller: Caller, national_id: str, hamlet: Unit) -> ChildMove | None:
    """The move that brings the active record holding ``national_id`` here, if one does (None: register).

    A move the caller cannot read (one coming to their commune, asked or sent, that another hamlet's
    collaborator or the ward officer handles) is named without its details."""
    outcome, move = claim_by_national_id(session, caller, national_id, hamlet)
    if outcome in ("claimed", "requested") and move is not None:
        return move
    if outcome in ("claimed", "requested", "incoming"):
        error = Conflict("this child is already moving to your commune: its ward officer decides the move")
        if move is not None:
            error = Conflict(f"this child is already moving to your commune: accept move {move.id} instead")
            error.extra = {"move_id": move.id}
        raise error
    if outcome == "elsewhere":
        raise Conflict("this child's record is moving to another commune: it cannot be registered here now")
    if outcome == "own":
        raise ValidationFailed([NATIONAL_ID_TAKEN["uq_children_national_id"]])
    return None


def get_child(
    session: Session, caller: Caller, child_id: uuid.UUID, action: str = "read", for_update: bool = False
) -> Child:
    """A child the caller may see, or 404 (existence outside the caller's area does not leak)."""
    authorize_action(caller, "child", action)
    stmt = _visible(caller).where(Child.id == child_id)
    child = session.scalars(stmt.with_for_update(of=Child) if for_update else stmt).unique().one_or_none()
    if child is None:
        raise _not_visible(child_id, action)
    if action in ("read", "history"):
        audit(caller.actor, action, "child", "allowed", resource_ids=[child.id], unit_id=child.hamlet_id)
    return child


def read_child_record(session: Session, caller: Caller, child_id: uuid.UUID) -> dict[str, Any]:
    """:func:`get_child` for reading only, as the API's dict (``portal.registry.records``)."""
    authorize_action(caller, "child", "read")
    row = session.execute(record_columns(children_for(caller)).where(Child.id == child_id)).one_or_none()
    if row is None:
        raise _not_visible(child_id, "read")
    audit(caller.actor, "read", "child", "allowed", resource_ids=[row.id], unit_id=row.hamlet_id)
    return record_json(row)


def _not_visible(child_id: uuid.UUID, action: str) -> NotVisible:
    return NotVisible("child not found", resource="child", action=action, resource_ids=[str(child_id)])


def update_child(session: Session, caller: Caller, child_id: uuid.UUID, patch: ChildPatch) -> Child:
    child = get_child(session, caller, child_id, "update", for_update=True)
    if patch.version is not UNSET and patch.version != child.version:
        raise Conflict(f"the record changed since you read it (version {patch.version}, now {child.version})")
    if child.status == "merged":
        raise Conflict(
            f"this record was merged into {child.merged_into}: edit that record, or undo the merge"
        )
    confirmed = readable_ids(session, caller, patch.not_duplicate_of or [], "not_duplicate_of")
    before = snapshot(child)
    given = patch.given()
    check = _checker(session)
    born = check.date_of_birth(given["date_of_birth"]) if "date_of_birth" in given else child.date_of_birth
    for field in (
        "full_name",
        "sex",
        "ethnicity",
        "national_id",
        "birth_province_code",
        "school_status",
        "status",
    ):
        if field in given:
            given[field] = getattr(check, field)(given[field])
    if {"national_id", "date_of_birth", "sex", "birth_province_code"} & given.keys():
        # only when one of them changes: an old number that does not fit blocks no other edit
        check.id_fits(
            given.get("national_id", child.national_id),
            born,
            given.get("sex", child.sex),
            given.get("birth_province_code", child.birth_province_code),
        )
    periods: dict[str, list[dict[str, Any]]] = {
        kind: check.periods(kind, given.pop(kind), born)
        for kind in ("groups", "at_risk", "supports")
        if kind in given
    }
    for kept in child.periods:
        field = LISTS[kept.kind]
        if field not in periods and kept.since < born:
            check.fail("date_of_birth", f"is after the start of {field} {kept.code!r} ({kept.since})")
    guardians = check.guardians(given.pop("guardians")) if "guardians" in given else None
    hamlet = _hamlet(session, caller, given["hamlet_id"], check) if "hamlet_id" in given else None
    _raise_if_failed(check)
    moving = {"hamlet_id", "status"} & {f for f in given if given[f] != getattr(child, f)}
    if moving and session.scalar(
        select(ChildMove.id).where(ChildMove.child_id == child.id, ChildMove.state == "open")
    ):
        raise Conflict(
            f"a move of this child is open: decide or cancel it before changing {', '.join(sorted(moving))}"
        )
    edited = edited_identity(child, given, born, guardians)
    if edited is not None:
        refuse_likely_duplicates(session, caller, edited, confirmed, child.hamlet_id)
    with refused_as(NATIONAL_ID_TAKEN), savepoint(session):
        for field, value in given.items():
            setattr(child, field, value)
        if "full_name" in given:
            child.search_name, child.sort_name = fold(child.full_name), sort_key(child.full_name)
        if hamlet is not None:
            child.unit_path = hamlet.path
        _set_lists(child, periods or None, guardians)
        old, new = diff(before, snapshot(child))
        if not new:
            confirm_distinct(session, caller, child.id, confirmed)
            return child
        child.updated_at = utcnow()
    confirm_distinct(session, caller, child.id, confirmed)
    _write_history(session, caller, child, "update", old, new)
    audit(
        caller.actor,
        "update",
        "child",
        "allowed",
        resource_ids=[child.id],
        unit_id=child.hamlet_id,
        detail={"fields": sorted(new)},
    )
    return child


@dataclass(frozen=True)
class Page:
    items: list[Any]
    """Child objects, or the API's dicts (:func:`list_children` with ``records``)."""
    total: int
    page: int
    page_size: int


def _listing(
    session: Session,
    caller: Caller,
    unit: Unit,
    page: int,
    page_size: int,
    q: str | None,
    group: str | None,
    status: str,
    risk: str | None = None,
) -> tuple[Select[tuple[Child]], Subquery, str | None]:
    """The children of ``unit``'s subtree that match, the asked page's ids (with ``total``, the number
    of matches) and the group code asked for. Refuses what the caller may not list or asks wrongly."""
    authorize(caller, "child", "list", unit)
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    if status not in ("active", "moved_away", "deceased", "merged", "all"):
        errors.append(FieldError("status", "must be active, moved_away, deceased, merged or all"))
    group_code = "dd" if group == "đ" else group
    if group_code is not None and not session.get(ReferenceCode, ("group", group_code)):
        errors.append(FieldError("group", f"unknown special-circumstance group {group!r}", "unknown_code"))
    if risk is not None and not session.get(ReferenceCode, ("risk", risk)):
        errors.append(FieldError("risk", f"unknown risk {risk!r}", "unknown_code"))
    if errors:
        raise ValidationFailed(errors)
    matching = children_for(caller).where(children_in(unit))
    if status != "all":
        matching = matching.where(Child.status == status)
    if q and q.strip():
        needle = fold(q)
        matching = matching.where(
            Child.national_id == needle
            if needle.isdigit() and len(needle) == 12
            else Child.search_name.contains(needle, autoescape=True)
        )
    for kind, code in (("group", group_code), ("risk", risk)):
        if code:
            matching = matching.where(in_period(kind, code, today()))
    # The page's ids and the number of matches in one pass over the index (unit_path, sort_name, id)
    # INCLUDE (status): no table row is read for the children outside the page.
    page_ids = (
        matching.with_only_columns(Child.id, Child.sort_name, func.count().over().label("total"))
        .order_by(Child.sort_name, Child.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("page")
    )
    return matching, page_ids, group_code


def _listed(
    session: Session,
    caller: Caller,
    unit: Unit,
    request: tuple[int, int, str | None, str | None, str | None],
    matching: Select[tuple[Child]],
    rows: Sequence[Any],
    ids: list[uuid.UUID],
) -> int:
    """The number of matches (each row ends with it), and the list audited: which children were shown
    (``ids``, in the rows' order)."""
    page, page_size, q, group_code, risk = request
    if rows:
        total = int(rows[0][-1])
    else:  # past the last page (or nothing matches): count on its own
        total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    audit(
        caller.actor,
        "list",
        "child",
        "allowed",
        resource_ids=ids,
        unit_id=unit.id,
        detail={
            "page": page,
            "page_size": page_size,
            "q": bool(q),
            "group": group_code,
            "risk": risk,
            "total": total,
        },
    )
    return total


def list_children(
    session: Session,
    caller: Caller,
    unit: Unit,
    page: int = 1,
    page_size: int = 20,
    q: str | None = None,
    group: str | None = None,
    status: str = "active",
    records: bool = False,
    risk: str | None = None,
) -> Page:
    """Children of ``unit``'s subtree, Vietnamese name order, filtered in SQL, in one statement: ORM
    objects (the pages), or with ``records`` the API's dicts (``portal.registry.records``). Filters:
    ``q`` (name or personal id), ``group`` and ``risk`` (in it today), ``status`` ("all" for any)."""
    matching, page_ids, group_code = _listing(session, caller, unit, page, page_size, q, group, status, risk)
    base = record_columns(children_for(caller)) if records else _visible(caller)
    result = session.execute(
        base.join(page_ids, page_ids.c.id == Child.id)
        .add_columns(page_ids.c.total)
        .order_by(page_ids.c.sort_name, page_ids.c.id)
    )
    rows = result.all() if records else result.unique().all()
    ids = [row[0] if records else row[0].id for row in rows]  # the record's id, or the Child's
    items = [record_json(row) for row in rows] if records else [child for child, _ in rows]
    total = _listed(session, caller, unit, (page, page_size, q, group_code, risk), matching, rows, ids)
    return Page(items, total, page, page_size)


def child_history(session: Session, caller: Caller, child_id: uuid.UUID) -> list[ChildHistory]:
    get_child(session, caller, child_id, "history")
    return list(
        session.scalars(
            select(ChildHistory)
            .where(ChildHistory.child_id == child_id)
            .order_by(ChildHistory.changed_at, ChildHistory.id)
        )
    )
