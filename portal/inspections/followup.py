"""Findings, recommendations (kiến nghị) with a responsible unit (or an addressee outside the tree, whose
reply the issuing side records: ``portal.inspections.replies``) and a deadline, the audited unit's
answers, and the inspecting side's acceptance. Overdue recommendations are flagged."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.inspections.access import within
from portal.inspections.addressees import addressable
from portal.inspections.checks import BY_CODE
from portal.inspections.models import (
    Addressee,
    Finding,
    InspectionPlan,
    InspectionTarget,
    Recommendation,
    Response,
)
from portal.inspections.schemas import FindingIn, RecommendationIn, TextIn
from portal.inspections.service import require_inspector
from portal.notifications.events import Message, keepers, link, raise_event
from portal.plausible import last_day
from tenancy.models import Unit


def _text(value: str, field: str = "text") -> str:
    if not value.strip():
        raise ValidationFailed([FieldError(field, "is required", "required")])
    if len(value) > 8000:
        raise ValidationFailed([FieldError(field, "must be at most 8000 characters", "too_long")])
    return value.strip()


def _target(
    session: Session, caller: Caller, target_id: int, action: str
) -> tuple[InspectionTarget, InspectionPlan]:
    authorize_action(caller, "inspection", action)
    target = session.get(InspectionTarget, target_id)
    if target is None:
        raise NotVisible(
            "audited unit not found", resource="inspection", action=action, resource_ids=[target_id]
        )
    plan = session.get(InspectionPlan, target.plan_id)
    assert plan is not None
    return target, plan


def add_finding(session: Session, caller: Caller, target_id: int, body: FindingIn) -> Finding:
    target, plan = _target(session, caller, target_id, "find")
    require_inspector(session, caller, plan, "find")
    text = _text(body.text)
    severity = body.severity
    errors = []
    if severity not in ("low", "medium", "high"):
        errors.append(FieldError("severity", "must be low, medium or high"))
    item = body.item
    if item is not None and item not in BY_CODE:
        errors.append(FieldError("item", "is not a checklist item", "unknown"))
    if errors:
        raise ValidationFailed(errors)
    finding = Finding(target_id=target.id, item=item, text=text, severity=severity, created_by=caller.user_id)
    session.add(finding)
    session.flush()
    audit(caller.actor, "find", "inspection", "allowed", resource_ids=[finding.id], unit_id=target.unit_id)
    return finding


def _addressee(
    session: Session, body: RecommendationIn, plan: InspectionPlan, errors: list[FieldError]
) -> Addressee | None:
    """The addressee outside the tree, when one is named (then no unit may be named too)."""
    if body.addressee_id is UNSET:
        return None
    if body.responsible_unit_id is not UNSET:
        errors.append(
            FieldError(
                "addressee_id", "name either a responsible unit or an addressee, not both", "choose_one"
            )
        )
        return None
    inspecting = session.get(Unit, plan.inspecting_unit_id)
    assert inspecting is not None
    found = addressable(session, body.addressee_id, inspecting)
    if found is None:
        errors.append(FieldError("addressee_id", "is not an addressee of this inspection's area", "outside"))
    return found


def recommend(session: Session, caller: Caller, finding_id: int, body: RecommendationIn) -> Recommendation:
    """A recommendation to the audited unit or a unit below it, or to an addressee outside the tree (a
    department, a People's Committee) of the inspecting unit's area, with a deadline."""
    authorize_action(caller, "inspection", "recommend")
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotVisible(
            "finding not found", resource="inspection", action="recommend", resource_ids=[finding_id]
        )
    target, plan = _target(session, caller, finding.target_id, "recommend")
    require_inspector(session, caller, plan, "recommend")
    text = _text(body.text)
    errors: list[FieldError] = []
    addressee = _addressee(session, body, plan, errors)
    unit = None
    if body.addressee_id is UNSET:
        responsible = target.unit_id if body.responsible_unit_id is UNSET else body.responsible_unit_id
        audited = session.get(Unit, target.unit_id)
        unit = session.get(Unit, responsible) if responsible is not None else None
        if unit is None or audited is None or not within(unit, audited):
            errors.append(
                FieldError("responsible_unit_id", "must be the audited unit or a unit below it", "outside")
            )
    deadline = body.deadline
    if deadline < today():
        errors.append(FieldError("deadline", "is in the past", "past"))
    elif deadline > last_day():
        errors.append(FieldError("deadline", f"is after {last_day():%d/%m/%Y}", "out_of_range"))
    if errors:
        raise ValidationFailed(errors)
    rec = Recommendation(
        finding_id=finding.id,
        text=text,
        responsible_unit_id=unit.id if unit else None,
        addressee_id=addressee.id if addressee else None,
        deadline=deadline,
        status="open",
        created_by=caller.user_id,
    )
    session.add(rec)
    session.flush()
    audit(
        caller.actor, "recommend", "inspection", "allowed", resource_ids=[rec.id],
        unit_id=unit.id if unit else target.unit_id,
    )  # fmt: skip
    if unit is None:  # an addressee outside the portal: its reply is recorded by the issuing side
        return rec
    raise_event(
        session,
        Message(
            "recommendation_assigned",
            f"recommendation:{rec.id}",
            f"Kiến nghị mới cho {unit.name} / A new recommendation for {unit.name}",
            f"{unit.name} nhận một kiến nghị sau kiểm tra, hạn trả lời {deadline:%d/%m/%Y}.\n"
            f"{unit.name} received a recommendation after an inspection, to answer by {deadline:%d/%m/%Y}.\n"
            f"{link('/recommendations')}",
        ),
        keepers(session, unit.id, unit.level, but=caller.user_id),
        requested_by=caller.user_id,
    )
    return rec


def _recommendation(session: Session, caller: Caller, rec_id: int, action: str) -> Recommendation:
    authorize_action(caller, "inspection", action)
    rec = session.get(Recommendation, rec_id)
    if rec is None:
        raise NotVisible(
            "recommendation not found", resource="inspection", action=action, resource_ids=[rec_id]
        )
    return rec


def answer(session: Session, caller: Caller, rec_id: int, body: TextIn) -> Recommendation:
    """The responsible unit says what it did."""
    rec = _recommendation(session, caller, rec_id, "answer")
    if rec.responsible_unit_id is None:
        raise Conflict(
            "the recommendation is addressed outside the portal: the issuing side records its reply"
        )
    unit = session.get(Unit, rec.responsible_unit_id)
    assert unit is not None
    authorize(caller, "inspection", "answer", unit)
    if caller.unit is None or caller.unit.id != unit.id:
        raise Forbidden(
            f"only the staff of {unit.name} may answer this recommendation",
            resource="inspection",
            action="answer",
            unit_id=unit.id,
        )
    text = _text(body.text)
    if rec.status == "accepted":
        raise Conflict("the recommendation is accepted as done; nothing to answer")
    rec.status = "answered"
    session.add(
        Response(
            recommendation_id=rec.id,
            kind="answer",
            text=text,
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )
    audit(caller.actor, "answer", "inspection", "allowed", resource_ids=[rec.id], unit_id=unit.id)
    return rec


def settle(session: Session, caller: Caller, rec_id: int, body: TextIn, accept: bool) -> Recommendation:
    """The inspecting side accepts an answer as done, or re-opens the recommendation with a reason."""
    rec = _recommendation(session, caller, rec_id, "accept")
    finding = session.get(Finding, rec.finding_id)
    assert finding is not None
    _target_, plan = _target(session, caller, finding.target_id, "accept")
    require_inspector(session, caller, plan, "accept")
    text = _text(body.text)
    if accept and rec.status != "answered":
        raise Conflict(f"the recommendation is {rec.status}: only an answered one can be accepted")
    if not accept and rec.status == "open":
        raise Conflict("the recommendation is open already")
    rec.status, rec.accepted_at = ("accepted", utcnow()) if accept else ("open", None)
    session.add(
        Response(
            recommendation_id=rec.id,
            kind="accept" if accept else "reopen",
            text=text,
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )
    audit(caller.actor, "accept" if accept else "reopen", "inspection", "allowed", resource_ids=[rec.id])
    return rec


def recommendation_json(session: Session, rec: Recommendation) -> dict[str, Any]:
    """A recommendation with its answers (the shape of ``portal.inspections.responses.RecommendationOut``)."""
    unit = session.get(Unit, rec.responsible_unit_id) if rec.responsible_unit_id else None
    addressee = session.get(Addressee, rec.addressee_id) if rec.addressee_id else None
    issuing = session.execute(
        select(InspectionPlan.inspecting_unit_id)
        .join(InspectionTarget, InspectionTarget.plan_id == InspectionPlan.id)
        .join(Finding, Finding.target_id == InspectionTarget.id)
        .where(Finding.id == rec.finding_id)
    ).scalar_one_or_none()
    responses = session.scalars(
        select(Response).where(Response.recommendation_id == rec.id).order_by(Response.id)
    )
    return {
        "id": rec.id,
        "finding_id": rec.finding_id,
        "text": rec.text,
        "responsible_unit": unit.ref() if unit else None,
        "addressee": {"id": addressee.id, "kind": addressee.kind, "name": addressee.name}
        if addressee
        else None,
        "issuing_unit_id": issuing,
        "deadline": rec.deadline.isoformat(),
        "status": rec.status,
        "overdue": rec.status != "accepted" and rec.deadline < today(),
        "responses": [
            {
                "kind": r.kind,
                "text": r.text,
                "by": r.actor_username,
                "at": r.at.isoformat(),
                "reply_on": r.reply_on.isoformat() if r.reply_on else None,
                "reply_reference": r.reply_reference,
            }
            for r in responses
        ],
    }


def list_recommendations(session: Session, caller: Caller, overdue: bool | None) -> list[dict[str, Any]]:
    """Recommendations the caller may see (row-level security), overdue first."""
    authorize_action(caller, "inspection", "read")
    stmt = select(Recommendation).order_by(Recommendation.deadline, Recommendation.id).limit(1000)
    if overdue:
        stmt = stmt.where(Recommendation.status != "accepted", Recommendation.deadline < today())
    return [recommendation_json(session, r) for r in session.scalars(stmt)]
