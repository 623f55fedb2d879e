"""The level above decides: it returns a submitted assessment with a comment, or decides it recognised
or not recognised (with its decision's reference). A decision locks the assessment. Never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.childfriendly.access import get_assessment, require_reviewer
from portal.childfriendly.criteria import load, score
from portal.childfriendly.models import DECIDED, Assessment
from portal.childfriendly.schemas import ActionIn, DecisionIn
from portal.childfriendly.service import check_version, event, touch


def _text(field: str, raw: str | None, limit: int, required: bool, errors: list[FieldError]) -> str | None:
    cleaned = (raw or "").strip()
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif len(cleaned) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters", "too_long"))
    return cleaned or None


def _submitted(assessment: Assessment, action: str) -> None:
    if assessment.status in DECIDED:
        raise Conflict(f"the assessment was decided ({assessment.status}): it is locked")
    if assessment.status != "submitted":
        raise Conflict(f"the assessment is {assessment.status}; only a submitted one can be {action}")


def send_back(session: Session, caller: Caller, assessment_id: int, body: ActionIn) -> Assessment:
    """Return the assessment to the commune, saying what must change."""
    assessment, unit = get_assessment(session, caller, assessment_id, "review", lock=True)
    require_reviewer(session, caller, unit, assessment.year, "return")
    check_version(assessment, body.version)
    errors: list[FieldError] = []
    comment = _text("comment", body.comment, 4000, True, errors)
    if errors:
        raise ValidationFailed(errors)
    _submitted(assessment, "returned")
    assessment.status, assessment.comment = "returned", comment
    assessment.submitted_at = assessment.submitted_by = None
    touch(assessment)
    event(session, caller, assessment, "return", "submitted", comment)
    return assessment


def decide(session: Session, caller: Caller, assessment_id: int, body: DecisionIn) -> Assessment:
    """Recognise the commune (only when the score qualifies: no criterion at 0 and the total at the
    category's threshold) or decide it is not recognised. The assessment is locked afterwards."""
    assessment, unit = get_assessment(session, caller, assessment_id, "review", lock=True)
    require_reviewer(session, caller, unit, assessment.year, "decide")
    check_version(assessment, body.version)
    errors: list[FieldError] = []
    if body.decision not in DECIDED:
        errors.append(FieldError("decision", f"must be one of {', '.join(DECIDED)}", "unknown"))
    ref = _text("decision_ref", body.decision_ref, 300, body.decision == "recognised", errors)
    comment = _text("comment", body.comment, 4000, body.decision == "not_recognised", errors)
    if errors:
        raise ValidationFailed(errors)
    _submitted(assessment, "decided")
    result = score(load(), assessment.values, assessment.category)
    if body.decision == "recognised" and not result.qualifies:
        reasons = [f"criterion {no} scores 0" for no in result.zero_criteria]
        reasons += [f"{code} has no value" for code in result.missing]
        if result.total < result.threshold:
            reasons.append(f"{result.total} points, below the threshold of {result.threshold}")
        error = Conflict("the commune does not meet the standard: " + "; ".join(reasons))
        error.extra["reasons"] = reasons
        raise error
    assessment.status, assessment.decision_ref, assessment.comment = body.decision, ref, comment
    assessment.decided_at, assessment.decided_by = utcnow(), caller.user_id
    touch(assessment)
    event(session, caller, assessment, "decide", "submitted", comment)
    return assessment
