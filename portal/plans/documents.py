"""Plan documents (kế hoạch) of a province, district or commune for a year, and the signed file in object
storage. Never commits.

A unit's own officers record and change its plans; every level above reads them, and so do the units
below (``portal.plans.access``). A plan's targets are the unit's targets of that year as the reports set
them (``PUT /units/{id}/targets``, inherited down the tree), read here, not copied.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from msgspec import UNSET
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import utcnow
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from infra.storage import StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.cases.attachments import check_file, clean_filename
from portal.plans import text as checks
from portal.plans.access import visible_plans
from portal.plans.models import Plan
from portal.plans.schemas import PlanFilter, PlanIn, PlanPatch
from portal.stored_documents import StorageDown, fetch_checked
from tenancy.models import Unit

log = logging.getLogger(__name__)
RESOURCE = "plan"
PLAN_LEVELS = ("province", "district", "commune")
_WRITTEN, _REPLACED = "plan_objects_written", "plan_objects_replaced"


def own_unit(session: Session, caller: Caller, unit_id: int | None, action: str, resource: str) -> Unit:
    """The unit whose plans or committee the caller records: their own unit (a province, district or
    commune). Casbin decides the action; only the unit's own officers write its documents."""
    authorize_action(caller, resource, action)
    unit = caller.unit if unit_id is None else session.get(Unit, unit_id)
    if unit is None:
        raise ValidationFailed([FieldError("unit_id", f"no unit has id {unit_id}", "unknown")])
    authorize(caller, resource, action, unit)
    if caller.unit is None or caller.unit.id != unit.id:
        raise Forbidden(
            f"only the officers of {unit.name} record its {resource}s",
            resource=resource,
            action=action,
            unit_id=unit.id,
        )
    if unit.level not in PLAN_LEVELS:
        raise ValidationFailed([FieldError("unit_id", f"{unit.name} is a {unit.level}", "level")])
    return unit


def _audit(caller: Caller, action: str, plan: Plan, **detail: Any) -> None:
    audit(
        caller.actor, action, RESOURCE, "allowed", resource_ids=[plan.id], unit_id=plan.unit_id, detail=detail
    )


def _state(plan: Plan) -> dict[str, Any]:
    return {
        "year": plan.year,
        "number": plan.number,
        "issued_on": plan.issued_on.isoformat(),
        "title": plan.title,
        "issuing_body": plan.issuing_body,
        "summary": plan.summary,
    }


def _taken(session: Session, plan: Plan) -> None:
    """The number is the document's: one plan per unit, year and number."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(
            [FieldError("number", f"{plan.number} of {plan.year} is already recorded", "taken")]
        ) from exc


def create_plan(session: Session, caller: Caller, body: PlanIn) -> tuple[Plan, Unit]:
    """Record a plan of the caller's own unit."""
    unit = own_unit(session, caller, body.unit_id, "create", RESOURCE)
    errors: list[FieldError] = []
    plan = Plan(
        unit_id=unit.id,
        year=checks.year("year", body.year, errors),
        number=checks.line("number", body.number, errors, 40, required=True) or "",
        issued_on=checks.day("issued_on", body.issued_on, errors, future=False),
        title=checks.line("title", body.title, errors, 500, required=True) or "",
        issuing_body=checks.line("issuing_body", body.issuing_body, errors, 200, required=True) or "",
        summary=checks.free("summary", body.summary, errors),
        created_by=caller.user_id,
    )
    if errors:
        raise ValidationFailed(errors)
    session.add(plan)
    _taken(session, plan)
    _audit(caller, "create", plan, before=None, after=_state(plan))
    return plan, unit


def get_plan(session: Session, caller: Caller, plan_id: int, action: str = "read") -> tuple[Plan, Unit]:
    """A plan the caller reads (404 otherwise); to change it, the caller must be of its unit (403)."""
    authorize_action(caller, RESOURCE, "read")
    row = session.execute(visible_plans(caller).where(Plan.id == plan_id)).tuples().one_or_none()
    if row is None:
        raise NotVisible("plan not found", resource=RESOURCE, action=action, resource_ids=[plan_id])
    plan, unit = row
    if action != "read":
        own_unit(session, caller, unit.id, action, RESOURCE)
    return plan, unit


def update_plan(session: Session, caller: Caller, plan_id: int, changes: PlanPatch) -> tuple[Plan, Unit]:
    """Change what was typed of a plan of the caller's own unit (its year and unit stay)."""
    plan, unit = get_plan(session, caller, plan_id, "update")
    errors: list[FieldError] = []
    before = _state(plan)
    if changes.number is not UNSET:
        plan.number = checks.line("number", changes.number, errors, 40, required=True) or plan.number
    if changes.title is not UNSET:
        plan.title = checks.line("title", changes.title, errors, 500, required=True) or plan.title
    if changes.issuing_body is not UNSET:
        body = checks.line("issuing_body", changes.issuing_body, errors, 200, required=True)
        plan.issuing_body = body or plan.issuing_body
    if changes.issued_on is not UNSET:
        plan.issued_on = checks.day("issued_on", changes.issued_on, errors, future=False)
    if changes.summary is not UNSET:
        plan.summary = checks.free("summary", changes.summary, errors)
    if errors:
        raise ValidationFailed(errors)
    if _state(plan) != before:
        plan.updated_at = utcnow()
        _taken(session, plan)
        _audit(caller, "update", plan, before=before, after=_state(plan))
    return plan, unit


def list_plans(session: Session, caller: Caller, params: PlanFilter) -> list[tuple[Plan, Unit]]:
    """Plans the caller reads, newest year first, then by unit."""
    authorize_action(caller, RESOURCE, "read")
    stmt = visible_plans(caller)
    if params.year is not None:
        stmt = stmt.where(Plan.year == params.year)
    if params.unit_id is not None:
        stmt = stmt.where(Plan.unit_id == params.unit_id)
    stmt = stmt.order_by(Plan.year.desc(), Unit.path, Plan.issued_on.desc(), Plan.id.desc()).limit(500)
    return list(session.execute(stmt).tuples())


def attach_file(
    session: Session, caller: Caller, plan_id: int, filename: str | None, declared: str | None, data: bytes
) -> Plan:
    """The signed plan (PDF or scan) in object storage; a new file replaces the old one after commit."""
    plan, _unit = get_plan(session, caller, plan_id, "update")
    content_type = check_file(data, declared)
    key = f"plans/{plan.id}/{uuid.uuid4()}"
    try:
        get_storage().put(key, data, content_type)
    except StorageUnavailable as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    session.info.setdefault(_WRITTEN, []).append(key)
    if plan.file_key:
        session.info.setdefault(_REPLACED, []).append(plan.file_key)
    plan.file_key, plan.file_name, plan.file_type = key, clean_filename(filename), content_type
    plan.file_size, plan.file_sha256 = len(data), hashlib.sha256(data).hexdigest()
    plan.updated_at = utcnow()
    _audit(caller, "attach", plan, size=len(data), type=content_type)
    return plan


def download_file(session: Session, caller: Caller, plan_id: int) -> tuple[bytes, Plan]:
    """The plan's file, after the caller's access is checked again and the checksum verified."""
    plan, _unit = get_plan(session, caller, plan_id)
    if plan.file_key is None:
        raise NotVisible("the plan has no file", resource=RESOURCE, action="download", resource_ids=[plan_id])
    data = fetch_checked(plan.file_key, plan.file_sha256)
    _audit(caller, "download", plan)
    return data, plan


def plan_years(session: Session, caller: Caller) -> list[int]:
    """The years of the plans the caller reads, newest first."""
    rows = session.execute(visible_plans(caller).with_only_columns(Plan.year).distinct()).scalars()
    return sorted(set(rows), reverse=True)


@event.listens_for(Session, "after_commit")
def _drop_replaced(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the files follow the outermost commit
    session.info.pop(_WRITTEN, None)
    for key in session.info.pop(_REPLACED, []):
        try:
            get_storage().delete(key)
        except StorageUnavailable:
            log.warning("could not remove the replaced plan file %s", key)


@event.listens_for(Session, "after_rollback")
def _drop_written(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint (such as the number check) rolled back, not the upload's transaction
    session.info.pop(_REPLACED, None)
    for key in session.info.pop(_WRITTEN, []):
        try:
            get_storage().delete(key)
        except StorageUnavailable:
            log.warning("could not remove %s after a rollback", key)
