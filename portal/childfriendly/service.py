"""The commune's self-assessment: start it for a year (evidence computed at once), enter the rest with
its evidence, refresh what the portal computes, submit. Never commits.

Only the commune's own staff act on a draft or a returned assessment; a submitted or decided one is
locked against them, and a decided one against everybody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.childfriendly.access import RESOURCE, get_assessment, require_owner
from portal.childfriendly.categories import category_of
from portal.childfriendly.criteria import Indicator, load, score
from portal.childfriendly.evidence import computed_values
from portal.childfriendly.models import DECIDED, EDITABLE, Assessment, AssessmentEvent, EvidenceFile
from portal.childfriendly.schemas import ActionIn, AssessmentCreate, ValuesIn
from tenancy.models import Unit
from tenancy.structure import valid_on

MAX_COUNT = 1_000_000


def event(
    session: Session,
    caller: Caller,
    assessment: Assessment,
    action: str,
    before: str | None,
    comment: str | None = None,
) -> None:
    session.add(
        AssessmentEvent(
            assessment_id=assessment.id,
            action=action,
            from_status=before,
            to_status=assessment.status,
            comment=comment,
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )
    audit(caller.actor, action, RESOURCE, "allowed", resource_ids=[assessment.id], unit_id=assessment.unit_id)


def check_version(assessment: Assessment, version: int | None) -> None:
    if version is not None and version != assessment.version:
        raise Conflict(
            f"the assessment changed meanwhile (version {assessment.version}, not {version}): reload it"
        )


def touch(assessment: Assessment) -> None:
    """Recompute the stored score and move the version on."""
    result = score(load(), assessment.values, assessment.category)
    assessment.total_points, assessment.criteria_met = result.total, result.criteria_met
    assessment.version += 1
    assessment.updated_at = utcnow()


def require_editable(assessment: Assessment) -> None:
    if assessment.status in DECIDED:
        raise Conflict(f"the assessment was decided ({assessment.status}): it is locked")
    if assessment.status not in EDITABLE:
        raise Conflict(f"the assessment is {assessment.status}: only a draft or returned one can change")


def _refresh(session: Session, caller: Caller, assessment: Assessment, unit: Unit) -> None:
    values = {k: v for k, v in assessment.values.items() if not load().indicators[k].computed}
    values.update(computed_values(session, caller, unit, assessment.year))
    assessment.values = values
    assessment.computed_at = utcnow()


def create(session: Session, caller: Caller, body: AssessmentCreate) -> tuple[Assessment, Unit]:
    """Start a commune's assessment for a year, with the portal's evidence computed (409 if one exists)."""
    unit = session.get(Unit, body.unit_id)
    errors = []
    if unit is None:
        errors.append(FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown"))
    if not 2019 <= body.year <= today().year:
        errors.append(FieldError("year", f"must be a year from 2019 (the decision) to {today().year}"))
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None
    authorize(caller, RESOURCE, "create", unit)
    require_owner(caller, unit, "start")
    if unit.level != "commune":
        raise ValidationFailed([FieldError("unit_id", f"{unit.name} is a {unit.level}, not a commune")])
    if not valid_on(unit, min(today(), today().replace(year=body.year, month=12, day=31))):
        raise ValidationFailed([FieldError("year", f"{unit.name} was not in force in {body.year}", "closed")])
    taken = session.scalar(
        select(func.count()).where(Assessment.unit_id == unit.id, Assessment.year == body.year)
    )
    if taken:
        raise Conflict(f"{unit.name} already has an assessment for {body.year}")
    assessment = Assessment(
        unit_id=unit.id,
        year=body.year,
        category=category_of(session, unit).category,
        values={},
        created_by=caller.user_id,
        version=0,
    )
    session.add(assessment)
    session.flush()
    _refresh(session, caller, assessment, unit)
    touch(assessment)
    event(session, caller, assessment, "create", None)
    return assessment, unit


def refresh(session: Session, caller: Caller, assessment_id: int, body: ActionIn) -> Assessment:
    """Compute the portal's evidence again (the registry, cases and reports may have moved on)."""
    assessment, unit = get_assessment(session, caller, assessment_id, "enter", lock=True)
    require_owner(caller, unit, "refresh")
    check_version(assessment, body.version)
    require_editable(assessment)
    _refresh(session, caller, assessment, unit)
    touch(assessment)
    event(session, caller, assessment, "refresh", assessment.status)
    return assessment


def _number(field: str, raw: Any, errors: list[FieldError]) -> int | None:
    if raw is None:
        errors.append(FieldError(field, "is required", "required"))
    elif isinstance(raw, bool) or not isinstance(raw, int):
        errors.append(FieldError(field, "must be a whole number", "not_integer"))
    elif not 0 <= raw <= MAX_COUNT:
        errors.append(FieldError(field, f"must be from 0 to {MAX_COUNT}", "out_of_range"))
    else:
        return raw
    return None


def _text(field: str, raw: Any, limit: int, errors: list[FieldError]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        errors.append(FieldError(field, "must be text", "not_text"))
        return None
    cleaned = raw.strip()
    if len(cleaned) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters", "too_long"))
    return cleaned or None


def _entered(ind: Indicator, raw: Any, errors: list[FieldError]) -> dict[str, Any] | None:
    field = f"values.{ind.code}"
    if not isinstance(raw, dict):
        errors.append(FieldError(field, "must be an object with the value and its evidence", "not_object"))
        return None
    wanted = {"flag": {"flag"}, "count_max": {"count"}}.get(ind.kind, {"numerator", "denominator"})
    unknown = set(raw) - wanted - {"document", "note"}
    if unknown:
        errors.append(
            FieldError(f"{field}.{sorted(unknown)[0]}", "is not a field of this indicator", "unknown")
        )
    value: dict[str, Any] = {"source": "entered"}
    if ind.kind == "flag":
        if not isinstance(raw.get("flag"), bool):
            errors.append(FieldError(f"{field}.flag", "must be true or false", "not_boolean"))
        value["flag"] = raw.get("flag")
    else:
        for key in sorted(wanted):
            value[key] = _number(f"{field}.{key}", raw.get(key), errors)
        num, den = value.get("numerator"), value.get("denominator")
        if num is not None and den is not None and num > den:
            errors.append(FieldError(f"{field}.numerator", "is larger than the denominator", "too_large"))
    value["document"] = _text(f"{field}.document", raw.get("document"), 300, errors)
    value["note"] = _text(f"{field}.note", raw.get("note"), 1000, errors)
    return value


def enter(session: Session, caller: Caller, assessment_id: int, body: ValuesIn) -> Assessment:
    """Enter or change the values the portal does not hold (all or nothing; each wrong field named).
    An indicator given as null is cleared."""
    assessment, unit = get_assessment(session, caller, assessment_id, "enter", lock=True)
    require_owner(caller, unit, "enter")
    check_version(assessment, body.version)
    require_editable(assessment)
    indicators = load().indicators
    errors: list[FieldError] = []
    values = dict(assessment.values)
    if not body.values:
        errors.append(FieldError("values", "give at least one indicator", "required"))
    for code, raw in body.values.items():
        ind = indicators.get(code)
        if ind is None:
            errors.append(FieldError(f"values.{code}", "is not an indicator of the decision", "unknown"))
        elif ind.computed:
            errors.append(
                FieldError(
                    f"values.{code}",
                    f"is computed by the portal ({ind.source}): refresh it instead",
                    "computed",
                )
            )
        elif raw is None:
            values.pop(code, None)
        elif (value := _entered(ind, raw, errors)) is not None:
            values[code] = value
    if errors:
        raise ValidationFailed(errors)
    assessment.values = values
    touch(assessment)
    event(session, caller, assessment, "enter", assessment.status)
    return assessment


def missing_evidence(session: Session, assessment: Assessment) -> list[FieldError]:
    """What must be given before submission: every entered indicator's value and its evidence (a
    document reference or an attached file)."""
    with_files = set(
        session.scalars(select(EvidenceFile.indicator).where(EvidenceFile.assessment_id == assessment.id))
    )
    errors = []
    for code, ind in load().indicators.items():
        if ind.computed:
            continue
        value = assessment.values.get(code)
        if ind.points(value) is None:
            errors.append(FieldError(f"values.{code}", "is required before submission", "required"))
        elif not (value or {}).get("document") and code not in with_files:
            errors.append(
                FieldError(
                    f"values.{code}.document", "give the document's reference or attach it", "no_evidence"
                )
            )
    return errors


def submit(session: Session, caller: Caller, assessment_id: int, body: ActionIn) -> Assessment:
    """Submit to the level above: the portal's evidence is computed once more, every entered value
    must have its evidence; the category in force is kept with the assessment."""
    assessment, unit = get_assessment(session, caller, assessment_id, "submit", lock=True)
    require_owner(caller, unit, "submit")
    check_version(assessment, body.version)
    require_editable(assessment)
    missing = missing_evidence(session, assessment)
    if missing:
        raise ValidationFailed(missing)
    before = assessment.status
    _refresh(session, caller, assessment, unit)
    assessment.category = category_of(session, unit).category
    assessment.status, assessment.submitted_at, assessment.submitted_by = (
        "submitted",
        utcnow(),
        caller.user_id,
    )
    touch(assessment)
    event(session, caller, assessment, "submit", before)
    return assessment
