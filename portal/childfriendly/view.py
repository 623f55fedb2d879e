"""An assessment as the API and the pages show it: by criterion, each indicator's value with its source,
its points, the totals against the threshold, the evidence, what the reader may do next and the history.

The commune's record keepers read the counts exact; everyone else (the level above, inspectors) reads
them through the disclosure policy (portal.stats.disclosure), with the points and whether the commune
qualifies, which is what a decision needs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from portal.childfriendly.access import RESOURCE, is_owner, is_reviewer, reviewer_unit
from portal.childfriendly.categories import category_of
from portal.childfriendly.criteria import Indicator, load, score
from portal.childfriendly.models import EDITABLE, Assessment, AssessmentEvent, EvidenceFile
from portal.stats.access import keeps_records
from portal.stats.disclosure import period_key, publish_hashed, rate
from tenancy.models import Unit

NUMBERS = ("count", "numerator", "denominator")
DETAIL = ("as_of", "from", "to", "months", "signed")


def _value(ind: Indicator, value: dict[str, Any] | None, exact: bool, a: Assessment) -> dict[str, Any]:
    value = value or {}
    shown: dict[str, Any] = {"flag": value.get("flag")}
    period = period_key(date(a.year, 1, 1), date(a.year, 12, 31))
    for key in NUMBERS:
        n = value.get(key)
        if n is None or exact:
            shown[key] = n
        else:
            shown[key] = publish_hashed(int(n), period, RESOURCE, a.unit_id, a.year, ind.code, key)
    num, den = shown.get("numerator"), shown.get("denominator")
    shown["pct"] = rate(num, den) if ind.kind in ("rate_min", "rate_max") else None
    return shown


def _files(session: Session, assessment: Assessment) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.assessment_id == assessment.id)
        .order_by(EvidenceFile.uploaded_at)
    ):
        out.setdefault(f.indicator, []).append(
            {
                "id": str(f.id),
                "filename": f.filename,
                "content_type": f.content_type,
                "size_bytes": f.size_bytes,
                "uploaded_at": f.uploaded_at.isoformat(),
            }
        )
    return out


def actions(
    session: Session, caller: Caller, assessment: Assessment, unit: Unit, qualifies: bool
) -> list[str]:
    """What the reader may do next (the services check again)."""
    found = []
    if assessment.status in EDITABLE and is_owner(caller, unit):
        found += [
            a
            for a in ("enter", "refresh", "submit")
            if allowed(caller.role, RESOURCE, a if a != "refresh" else "enter")
        ]
    reviewing = assessment.status == "submitted" and allowed(caller.role, RESOURCE, "review")
    if reviewing and is_reviewer(session, caller, unit, assessment.year):
        found += ["return", "not_recognised"] + (["recognised"] if qualifies else [])
    return found


def assessment_view(session: Session, caller: Caller, assessment: Assessment, unit: Unit) -> dict[str, Any]:
    criteria = load()
    result = score(criteria, assessment.values, assessment.category)
    exact = keeps_records(caller, unit)
    files = _files(session, assessment)
    rows = []
    for c in criteria.criteria:
        indicators = []
        for ind in c.indicators:
            value = assessment.values.get(ind.code) or {}
            indicators.append(
                {
                    "code": ind.code,
                    **ind.text,
                    "kind": ind.kind,
                    "source": ind.source,
                    "computed": ind.computed,
                    "paraphrased": ind.paraphrased,
                    "max_points": ind.max_points,
                    "bands": [list(b) for b in ind.bands],
                    "points": result.indicator_points[ind.code],
                    "value": _value(ind, value, exact, assessment),
                    "detail": {k: value[k] for k in DETAIL if k in value and (exact or k != "signed")},
                    "document": value.get("document"),
                    "note": value.get("note"),
                    "files": files.get(ind.code, []),
                }
            )
        rows.append(
            {
                "no": c.no,
                "code": c.code,
                **c.text,
                "citation": c.citation,
                "max_points": c.points,
                "points": result.criterion_points[c.no],
                "met": result.criterion_points[c.no] > 0,
                "indicators": indicators,
            }
        )
    events = session.scalars(
        select(AssessmentEvent)
        .where(AssessmentEvent.assessment_id == assessment.id)
        .order_by(AssessmentEvent.id)
    )
    category = criteria.categories[assessment.category]
    return {
        "id": assessment.id,
        "unit": unit.ref(),
        "year": assessment.year,
        "status": assessment.status,
        "category": assessment.category,
        "category_name_vi": category.text["name_vi"],
        "category_name_en": category.text["name_en"],
        "category_set": category_of(session, unit).set,
        "threshold": result.threshold,
        "total_points": result.total,
        "criteria_met": result.criteria_met,
        "zero_criteria": result.zero_criteria,
        "missing": result.missing,
        "qualifies": result.qualifies,
        "exact": exact,
        "version": assessment.version,
        "computed_at": assessment.computed_at.isoformat() if assessment.computed_at else None,
        "comment": assessment.comment,
        "decision_ref": assessment.decision_ref,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "decided_at": assessment.decided_at.isoformat() if assessment.decided_at else None,
        "reviewer": reviewer_unit(session, unit, assessment.year).name_ref(),
        "decision": criteria.decision["name_vi"],
        "criteria": rows,
        "actions": actions(session, caller, assessment, unit, result.qualifies),
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "comment": e.comment,
                "actor": e.actor_username,
                "at": e.at.isoformat(),
            }
            for e in events
        ],
    }


def summary(assessment: Assessment, unit: Unit) -> dict[str, Any]:
    """One line of a history or a list: the year, status and points against the threshold."""
    threshold = load().categories[assessment.category].threshold
    return {
        "id": assessment.id,
        "unit": unit.ref(),
        "year": assessment.year,
        "status": assessment.status,
        "category": assessment.category,
        "total_points": assessment.total_points,
        "criteria_met": assessment.criteria_met,
        "threshold": threshold,
        "version": assessment.version,
        "decided_at": assessment.decided_at.isoformat() if assessment.decided_at else None,
        "decision_ref": assessment.decision_ref,
    }
