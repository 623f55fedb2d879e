"""The detailed assessment (form 03 of Decree 56/2017/NĐ-CP): after the initial assessment, the worker
records the child's physical and psychological state, the family, the caregivers' capacity and the
child's needs as a meeting decided them (its date and who took part).

Possible once the case is assessed (before the plan goes for approval) and again while the plan runs,
when a review finds the child's situation changed: each recording is a new row (``number`` 1, 2, ...),
the newest is the case's current one, and none is ever changed. The submitted plan under approval rests
on the assessment it was drafted from, so none is recorded while the plan awaits its decision.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import VIETNAM, utcnow
from portal.cases.access import log_event
from portal.cases.checks import Check
from portal.cases.models import CaseDetailedAssessment
from portal.cases.schemas import DetailedAssessmentIn
from portal.cases.workflow import _touch, load_for

TEXT_LIMIT = 4000  # each finding; the migration's CHECK says the same
PARTICIPANTS_LIMIT = 2000
FINDINGS = ("physical_state", "psychological_state", "family_situation", "caregiver_capacity", "needs")


def detailed_assessments(session: Session, case_id: uuid.UUID) -> list[CaseDetailedAssessment]:
    """Every recording of the case's detailed assessment, the first first (the last is current)."""
    return list(
        session.scalars(
            select(CaseDetailedAssessment)
            .where(CaseDetailedAssessment.case_id == case_id)
            .order_by(CaseDetailedAssessment.number)
        )
    )


def record(
    session: Session, caller: Caller, case_id: uuid.UUID, body: DetailedAssessmentIn
) -> CaseDetailedAssessment:
    """Record form 03 (the assigned worker or the commune's ward officer); 409 in another status."""
    case = load_for(session, caller, case_id, "detailed_assessment", "work", body.version)
    check = Check()
    findings = {name: check.text(name, getattr(body, name), limit=TEXT_LIMIT) for name in FINDINGS}
    participants = check.text("participants", body.participants, limit=PARTICIPANTS_LIMIT)
    received_on = case.received_at.astimezone(VIETNAM).date()
    meeting_on = check.past_day("meeting_on", body.meeting_on, not_before=received_on)
    check.raise_if_failed()
    assert participants is not None and meeting_on is not None
    number = session.scalar(
        select(func.coalesce(func.max(CaseDetailedAssessment.number), 0)).where(
            CaseDetailedAssessment.case_id == case.id
        )
    )
    row = CaseDetailedAssessment(
        id=uuid.uuid4(),
        case_id=case.id,
        number=int(number or 0) + 1,
        meeting_on=meeting_on,
        participants=participants,
        recorded_by=caller.user_id,
        recorded_at=utcnow(),
        **findings,
    )
    session.add(row)
    log_event(session, caller, case, "detailed_assessment", _touch(case, case.status), {"number": row.number})
    return row
