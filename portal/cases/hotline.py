"""An intake recorded from above: the 111 hotline, or the province's social affairs (form 01).

The account names a hamlet of its province (or district) and the child as the caller described them; it
reads no registry, so the case names no registry record until the commune identifies one
(``links.identify_child``). The case goes at once to the commune: its ward officers see it in their
register, with the assessment (12 hours) and plan (5 working days) deadlines running, and its deadline
alerts escalate as any other case's. The recorder keeps no access: the grant it needs to write the case's
own rows (row-level security) is revoked in the same transaction, and its answer is the reference only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import VIETNAM, utcnow
from portal.auth.models import User
from portal.cases.access import log_event, takes_intake_for
from portal.cases.checks import Check
from portal.cases.deadlines import ASSESSMENT_WINDOW, open_deadline, plan_due
from portal.cases.intake import informant_values
from portal.cases.models import Case, CaseGrant, CaseInformant
from portal.cases.schemas import HotlineIntakeIn, ToldChildIn
from tenancy.models import Unit

SEXES = ("male", "female")
MAX_AGE = 17


@dataclass(frozen=True)
class Routed:
    reference: str
    hamlet: Unit
    commune: Unit
    ward_officers: int


def _told_child(check: Check, child: ToldChildIn, received: date) -> tuple[str | None, date | None, bool]:
    name = check.text("child.full_name", child.full_name, limit=200)
    if child.sex not in SEXES:
        check.fail("child.sex", "must be male or female", "unknown_code")
    if (child.date_of_birth is None) == (child.age_years is None):
        check.fail(
            "child.date_of_birth", "give the date of birth or, when it is not known, the age", "required"
        )
        return name, None, False
    if child.date_of_birth is not None:
        born = child.date_of_birth
        if born > received or born.year < received.year - MAX_AGE - 1:
            check.fail(
                "child.date_of_birth", "must be the date of birth of a child (under 18)", "not_a_child"
            )
        return name, born, False
    assert child.age_years is not None
    if not 0 <= child.age_years <= MAX_AGE:
        check.fail("child.age_years", f"must be 0 to {MAX_AGE}", "not_a_child")
        return name, None, True
    # the middle of the year in which the child was that old
    return name, received - timedelta(days=round(365.25 * child.age_years + 182)), True


def record(session: Session, caller: Caller, data: HotlineIntakeIn) -> Routed:
    authorize_action(caller, "intake", "create")
    check = Check()
    channel = check.code("channel", "channel", data.channel)
    case_type = check.code("case_type", "case_type", data.case_type)
    description = check.text("description", data.description)
    received_at = check.moment("received_at", data.received_at)
    details = {
        f: check.text(f, getattr(data, f), required=False)
        for f in ("place", "family_situation", "caregiver", "actions_taken")
    }
    informant = informant_values(check, data.informant)
    name, born, estimated = _told_child(check, data.child, received_at.astimezone(VIETNAM).date())
    hamlet = session.get(Unit, data.hamlet_id)
    if hamlet is None or hamlet.level != "hamlet" or not takes_intake_for(caller, hamlet):
        check.fail("hamlet_id", "is not a hamlet in your area", "out_of_scope")
    elif hamlet.valid_to is not None and hamlet.valid_to <= received_at.astimezone(VIETNAM).date():
        check.fail("hamlet_id", f"{hamlet.name} no longer exists", "closed")
    check.raise_if_failed()
    assert hamlet is not None and hamlet.parent_id is not None
    assert channel and case_type and description and name and born
    commune = session.get(Unit, hamlet.parent_id)
    assert commune is not None
    now = utcnow()
    number = session.execute(text("SELECT nextval('case_number_seq')")).scalar_one()
    case = Case(
        id=uuid.uuid4(),
        reference=f"HS{received_at.astimezone(VIETNAM):%Y}-{number:06d}",
        hamlet_id=hamlet.id,
        unit_path=hamlet.path,
        child_id=None,
        child_name=name,
        child_date_of_birth=born,
        child_sex=data.child.sex,
        child_age_estimated=estimated,
        case_type=case_type,
        channel=channel,
        received_at=received_at,
        description=description,
        status="received",
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
        **details,
    )
    session.add(case)
    session.flush()
    grant = CaseGrant(
        id=uuid.uuid4(),
        case_id=case.id,
        user_id=caller.user_id,
        reason="recording a hotline intake",
        granted_by=caller.user_id,
        granted_at=now,
    )
    session.add(grant)
    session.flush()  # the case's own rows pass row-level security while the grant lasts
    if informant is not None:
        session.add(CaseInformant(case_id=case.id, **informant))
    open_deadline(session, case.id, "assessment", received_at + ASSESSMENT_WINDOW)
    open_deadline(session, case.id, "plan", plan_due(received_at))
    log_event(session, caller, case, "intake", None, {"channel": channel, "routed_to": commune.id})
    grant.revoked_at, grant.revoked_by = now, caller.user_id
    session.flush()
    officers = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.unit_id == commune.id, User.role == "ward_officer", User.is_active)
    )
    return Routed(case.reference, hamlet, commune, int(officers or 0))
