"""A case that leaves its commune: referral to another commune or a service, transfer of the whole case.

Decree 56/2017 has the commune refer a child to the services they need (health, police, a social
protection centre...) and, when the family moves, hand the case to the commune where the child now lives.

- A **referral** to another commune lets that commune's ward officers read the case while it is open
  and once they accept it; they refuse it with a reason. A referral to a service is answered off the
  portal, so the sending ward officer records the service's answer.
- A **transfer** goes to another commune, whose ward officer accepts it into one of its hamlets: the
  case moves there, its worker and grants end, and the sending commune keeps only the referral row (the
  case's reference, where it went, when). Only one transfer of a case is open at a time.

The decisions cross the two communes' scopes, so the database's ``case_referral_decide`` takes them and
checks the caller itself; both sides' audit logs record them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import today, utcnow
from infra.db import savepoint
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.cases import notices
from portal.cases.access import log_event, referrals_for
from portal.cases.checks import Check
from portal.cases.crossing_models import CaseReferral
from portal.cases.schemas import ReferIn, ReferralDecisionIn
from portal.cases.workflow import _touch, load_for
from tenancy.models import Unit

SERVICES = ("health", "police", "social_protection_centre", "education", "legal_aid", "other")
KINDS = ("referral", "transfer")
_REFUSALS = {"42501": "side", "23514": "input", "P0002": "gone", "40001": "closed"}


def _receiver(session: Session, check: Check, case_unit: Unit | None, body: ReferIn) -> Unit | None:
    if (body.to_unit_id is None) == (body.service is None):
        check.fail("to_unit_id", "give either the commune (to_unit_id) or the service it goes to", "required")
        return None
    if body.kind == "transfer" and body.to_unit_id is None:
        check.fail("to_unit_id", "a transfer goes to another commune", "required")
        return None
    if body.service is not None:
        if body.service not in SERVICES:
            check.fail("service", f"must be one of {', '.join(SERVICES)}", "unknown_code")
        return None
    unit = session.get(Unit, body.to_unit_id)
    if unit is None or unit.level != "commune":
        check.fail("to_unit_id", f"{body.to_unit_id} is not a commune", "not_a_commune")
        return None
    if unit.valid_to is not None and unit.valid_to <= today():
        check.fail("to_unit_id", f"{unit.name} no longer exists", "closed")
        return None
    if case_unit is not None and unit.id == case_unit.id:
        check.fail("to_unit_id", "is the case's own commune", "own_commune")
        return None
    return unit


def refer(session: Session, caller: Caller, case_id: uuid.UUID, body: ReferIn) -> CaseReferral:
    """Open a referral or a transfer of a case of the caller's commune."""
    kind = body.kind if body.kind in KINDS else None
    case = load_for(
        session, caller, case_id, "transfer" if kind == "transfer" else "refer", "refer", body.version
    )
    hamlet = session.get(Unit, case.hamlet_id)
    commune = session.get(Unit, hamlet.parent_id) if hamlet and hamlet.parent_id else None
    assert commune is not None, "a case's hamlet lies in a commune"
    if kind == "transfer" and case.closure_pending:
        raise Conflict("a closure of this case waits for the chairman's decision: it is decided here first")
    check = Check()
    if kind is None:
        check.fail("kind", "must be referral or transfer", "unknown_code")
    receiver = _receiver(session, check, commune, body) if kind else None
    reason = check.text("reason", body.reason, limit=4000)
    service_name = check.text("service_name", body.service_name, required=False, limit=200)
    check.raise_if_failed()
    assert kind is not None and reason is not None
    referral = CaseReferral(
        id=uuid.uuid4(),
        case_id=case.id,
        reference=case.reference,
        kind=kind,
        from_unit_id=commune.id,
        from_path=commune.path,  # the trigger sets it from the unit; given here for the ORM's not-null
        to_unit_id=receiver.id if receiver else None,
        to_path=receiver.path if receiver else None,
        service=body.service if receiver is None else None,
        service_name=service_name,
        reason=reason,
        state="open",
        opened_by=caller.user_id,
        opened_at=utcnow(),
    )
    try:
        with savepoint(session):
            session.add(referral)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"an open {kind} of this case to the same receiver already exists") from exc
    if receiver is not None:
        notices.referral_waiting(session, caller, case, referral.id, kind, receiver)
    log_event(
        session,
        caller,
        case,
        kind,
        _touch(case, case.status),
        {"referral": str(referral.id), "to_unit_id": referral.to_unit_id, "service": referral.service},
    )
    return referral


def decide(
    session: Session, caller: Caller, referral_id: uuid.UUID, decision: str, body: ReferralDecisionIn
) -> CaseReferral:
    """Accept (a transfer: into a hamlet), refuse (with a reason) or cancel an open referral."""
    authorize_action(caller, "case", "refer")
    referral = session.scalars(referrals_for(caller).where(CaseReferral.id == referral_id)).one_or_none()
    context: dict[str, Any] = {
        "resource": "case",
        "action": f"referral_{decision}",
        "resource_ids": [str(referral_id)],
    }
    if referral is None:
        raise NotVisible("referral not found", **context)
    check = Check()
    response = check.text("response", body.response, required=decision == "refuse", limit=4000)
    if decision == "accept" and referral.kind == "transfer" and body.hamlet_id is None:
        check.fail("hamlet_id", "choose the hamlet the case joins", "required")
    check.raise_if_failed()
    if referral.state != "open":
        raise Conflict(f"this {referral.kind} is already {referral.state}")
    # which side decides (the receiver; the sender cancels and records a service's answer) is the
    # database's check (case_referral_decide: 42501, answered 403 below)
    try:
        with savepoint(session):
            session.execute(
                select(func.case_referral_decide(referral.id, decision, body.hamlet_id, response))
            )
    except DBAPIError as exc:
        kind = _REFUSALS.get(getattr(exc.orig, "sqlstate", None) or "")
        if kind is None:
            raise
        if kind == "side":
            raise Forbidden(f"this {referral.kind} is not yours to {decision}", **context) from exc
        if kind == "input":
            raise ValidationFailed(
                [FieldError("hamlet_id", "must be an open hamlet of your commune", "not_receiving_hamlet")]
            ) from exc
        raise Conflict(
            "the case is closed"
            if kind == "closed"
            else f"this {referral.kind} was decided meanwhile: reload it"
        ) from exc
    session.refresh(referral)
    audit(
        caller.actor,
        f"{referral.kind}_{referral.state}",
        "case",
        "allowed",
        resource_ids=[referral.case_id],
        unit_id=referral.to_hamlet_id or referral.to_unit_id or referral.from_unit_id,
        detail={"referral": str(referral.id), "from_unit_id": referral.from_unit_id},
    )
    return referral


def list_referrals(
    session: Session, caller: Caller, side: str | None, state: str | None
) -> list[CaseReferral]:
    """What the caller's commune sent (``side=out``) or received (``side=in``), newest first."""
    authorize_action(caller, "case", "refer")
    stmt = referrals_for(caller, side)
    if state is not None:
        stmt = stmt.where(CaseReferral.state == state)
    return list(session.scalars(stmt.order_by(CaseReferral.opened_at.desc()).limit(500)))


def referrals_of(session: Session, case_id: uuid.UUID) -> list[CaseReferral]:
    """A visible case's referrals (row-level security shows them with the case)."""
    return list(
        session.scalars(
            select(CaseReferral).where(CaseReferral.case_id == case_id).order_by(CaseReferral.opened_at)
        )
    )
