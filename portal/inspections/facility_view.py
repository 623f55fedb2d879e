"""A facility's inspections as its page shows them: each plan that audited it, with the findings and
the recommendations as followed up (row-level security decides which the session sees)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.inspections.followup import recommendation_json
from portal.inspections.models import Finding, InspectionPlan, InspectionTarget, Recommendation


def facility_inspections(session: Session, facility_id: int) -> list[dict[str, Any]]:
    """The inspections of a facility the session may see (row-level security), newest period first,
    each with its findings and their recommendations as followed up."""
    out = []
    rows = session.execute(
        select(InspectionPlan, InspectionTarget)
        .join(InspectionTarget, InspectionTarget.plan_id == InspectionPlan.id)
        .where(InspectionTarget.facility_id == facility_id)
        .order_by(InspectionPlan.period_end.desc(), InspectionPlan.id.desc())
    ).tuples()
    for plan, target in rows:
        findings = list(
            session.scalars(select(Finding).where(Finding.target_id == target.id).order_by(Finding.id))
        )
        recs = (
            list(
                session.scalars(
                    select(Recommendation)
                    .where(Recommendation.finding_id.in_([f.id for f in findings]))
                    .order_by(Recommendation.id)
                )
            )
            if findings
            else []
        )
        out.append(
            {
                "plan_id": plan.id,
                "title": plan.title,
                "status": plan.status,
                "period_start": plan.period_start.isoformat(),
                "period_end": plan.period_end.isoformat(),
                "target_id": target.id,
                "findings": [{"id": f.id, "text": f.text, "severity": f.severity} for f in findings],
                "recommendations": [recommendation_json(session, r) for r in recs],
            }
        )
    return out
