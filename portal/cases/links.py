"""Related cases (siblings, the same perpetrator...), and naming the registry child of a hotline intake.

A link is stored once for the pair and is readable only where both cases are (row-level security):
the other case's reference never reaches someone who cannot read that case. Linking and unlinking are
for the ward officer of the commune of the case the link is made from, who must read both cases.

A hotline intake names the child as the caller described them (``child_id`` empty): the commune's
ward officer identifies the registry record (of a child of their commune) later.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.db import savepoint
from infra.errors import Conflict, NotVisible
from portal.cases.access import get_case, log_event
from portal.cases.checks import Check
from portal.cases.crossing_models import CaseLink
from portal.cases.models import Case
from portal.cases.schemas import IdentifyIn, LinkIn
from portal.cases.workflow import _touch, load_for
from portal.registry.access import children_for
from portal.registry.models import Child

LINK_KINDS = ("sibling", "same_perpetrator", "same_family", "same_incident", "other")


def _pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if str(a) < str(b) else (b, a)


def link(session: Session, caller: Caller, case_id: uuid.UUID, body: LinkIn) -> CaseLink:
    case = load_for(session, caller, case_id, "link", "link", None)
    check = Check()
    if body.kind not in LINK_KINDS:
        check.fail("kind", f"must be one of {', '.join(LINK_KINDS)}", "unknown_code")
    note = check.text("note", body.note, required=body.kind == "other", limit=1000)
    if body.case_id == case.id:
        check.fail("case_id", "a case is not linked to itself", "same_case")
    check.raise_if_failed()
    try:
        other = get_case(session, caller, body.case_id, "read")
    except NotVisible:
        check.fail("case_id", "no case with this id that you may read", "out_of_scope")
        check.raise_if_failed()
        raise
    first, second = _pair(case.id, other.id)
    row = CaseLink(
        case_id=first,
        linked_id=second,
        kind=body.kind,
        note=note,
        created_by=caller.user_id,
        created_at=utcnow(),
    )
    if session.get(CaseLink, (first, second)) is not None:
        raise Conflict("these two cases are already linked")
    with savepoint(session):
        session.add(row)
        session.flush()
    log_event(
        session, caller, case, "link", _touch(case, case.status), {"case": str(other.id), "kind": body.kind}
    )
    return row


def unlink(session: Session, caller: Caller, case_id: uuid.UUID, other_id: uuid.UUID) -> None:
    case = load_for(session, caller, case_id, "link", "link", None)
    first, second = _pair(case.id, other_id)
    gone = session.scalars(
        delete(CaseLink)
        .where(CaseLink.case_id == first, CaseLink.linked_id == second)
        .returning(CaseLink.kind)
    ).all()
    if not gone:
        raise NotVisible("no such link", resource="case", action="link", resource_ids=[str(case_id)])
    log_event(session, caller, case, "unlink", _touch(case, case.status), {"case": str(other_id)})


def links_of(session: Session, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """The visible case's links to cases the caller also reads (row-level security hides the others)."""
    rows = session.execute(
        select(CaseLink, Case.reference, Case.id, Case.status)
        .join(
            Case,
            or_(
                and_(CaseLink.case_id == case_id, Case.id == CaseLink.linked_id),
                and_(CaseLink.linked_id == case_id, Case.id == CaseLink.case_id),
            ),
        )
        .order_by(CaseLink.created_at)
    )
    return [
        {
            "case_id": str(other_id),
            "reference": reference,
            "status": status,
            "kind": row.kind,
            "note": row.note,
            "at": row.created_at.isoformat(),
        }
        for row, reference, other_id, status in rows
    ]


def identify_child(session: Session, caller: Caller, case_id: uuid.UUID, body: IdentifyIn) -> Case:
    """Name the registry record of the child of a case recorded without one (a hotline intake)."""
    case = load_for(session, caller, case_id, "identify", "identify", body.version)
    if case.child_id is not None:
        raise Conflict("the case's child is already identified")
    child = session.scalars(children_for(caller).where(Child.id == body.child_id)).one_or_none()
    check = Check()
    if child is None:
        check.fail("child_id", "no child with this id in your area", "out_of_scope")
    elif child.status != "active":
        check.fail("child_id", f"the child's record is {child.status}", "inactive")
    check.raise_if_failed()
    assert child is not None
    before = _touch(case, case.status)
    case.child_id, case.child_name = child.id, child.full_name
    case.child_date_of_birth, case.child_sex, case.child_age_estimated = child.date_of_birth, child.sex, False
    log_event(session, caller, case, "identify_child", before, {"child_id": str(child.id)})
    return case
