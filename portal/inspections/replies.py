"""The reply of a recommendation's addressee outside the tree (a department, a People's Committee): it
answers by letter, not through the portal, so the issuing side records what it says, with the letter's
date and number. Then the recommendation is answered, and the issuing side accepts it or re-opens it as
for any unit (``portal.inspections.followup.settle``). Never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.inspections.followup import _recommendation, _target, _text
from portal.inspections.models import Finding, Recommendation, Response
from portal.inspections.schemas import ReplyIn
from portal.inspections.service import require_inspector
from portal.registry.text import clean_name


def record_reply(session: Session, caller: Caller, rec_id: int, body: ReplyIn) -> Recommendation:
    """The issuing side records an addressee's reply (staff of the inspecting unit only)."""
    rec = _recommendation(session, caller, rec_id, "accept")
    finding = session.get(Finding, rec.finding_id)
    assert finding is not None
    _audited, plan = _target(session, caller, finding.target_id, "accept")
    require_inspector(session, caller, plan, "accept")
    if rec.addressee_id is None:
        raise Conflict("the recommendation is addressed to a unit of the portal: its staff answer it")
    text = _text(body.text)
    errors: list[FieldError] = []
    if body.reply_on > today() or body.reply_on.year < 2000:
        errors.append(FieldError("reply_on", "must not be after today", "future_date"))
    reference = clean_name(body.reply_reference) if body.reply_reference else None
    if reference and len(reference) > 80:
        errors.append(FieldError("reply_reference", "must be at most 80 characters", "too_long"))
    if errors:
        raise ValidationFailed(errors)
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
            reply_on=body.reply_on,
            reply_reference=reference or None,
        )
    )
    audit(
        caller.actor,
        "record_reply",
        "inspection",
        "allowed",
        resource_ids=[rec.id],
        unit_id=plan.inspecting_unit_id,
    )
    return rec
