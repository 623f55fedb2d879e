"""The detailed assessments (form 03), the reviews (form 06) and the printable forms of a case as JSON,
for ``portal.cases.view.case_json``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases.detailed import FINDINGS, detailed_assessments
from portal.cases.forms import missing_steps
from portal.cases.models import Case, CaseReview
from portal.cases.reviews import review_actions


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def steps_json(session: Session, case: Case) -> dict[str, Any]:
    reviews = list(
        session.scalars(
            select(CaseReview).where(CaseReview.case_id == case.id).order_by(CaseReview.reviewed_at)
        )
    )
    evaluated = review_actions(session, case.id)
    return {
        "detailed_assessments": [
            {
                "number": d.number,
                **{name: getattr(d, name) for name in FINDINGS},
                "meeting_on": d.meeting_on.isoformat(),
                "participants": d.participants,
                "at": _t(d.recorded_at),
            }
            for d in detailed_assessments(session, case.id)
        ],
        "reviews": [
            {
                "id": str(r.id),
                "outcome": r.outcome,
                "summary": r.summary,
                "child_situation": r.child_situation,
                "next_review_on": r.next_review_on.isoformat() if r.next_review_on else None,
                "actions": [
                    {"action_id": str(a.action_id), "status": a.status, "result": a.result}
                    for a in evaluated.get(r.id, [])
                ],
                "at": _t(r.reviewed_at),
            }
            for r in reviews
        ],
        "forms": [
            {
                "number": number,
                "ready": step is None,
                "missing": step,
                "url": f"/api/v1/cases/{case.id}/forms/{number}.pdf",
            }
            for number, step in missing_steps(session, case).items()
        ],
    }
