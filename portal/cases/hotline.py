"""An intake recorded from above: the 111 hotline, or the province's social affairs (form 01).

The account names a hamlet of its province (or district) and the child as the caller described them; it
reads no registry, so the case names no registry record until the commune identifies one
(``links.identify_child``). The case goes at once to the commune: its ward officers see it in their
register, with the assessment (12 hours) and plan (5 working days) deadlines running, and its deadline
alerts escalate as any other case's. The recorder keeps no access: the grant it needs to write the case's
own rows (row-level security) is revoked in the same transaction, and its answer is the reference only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import VIETNAM, utcnow
from portal.auth.models import User
from portal.cases.access import log_event, takes_intake_for
from portal.cases.checks import Check
from portal.cases.intake import NamedChild, read_report, write_case
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
    report = read_report(check, data)
    received = report.received_at.astimezone(VIETNAM).date()
    name, born, estimated = _told_child(check, data.child, received)
    hamlet = session.get(Unit, data.hamlet_id)
    if hamlet is None or hamlet.level != "hamlet" or not takes_intake_for(caller, hamlet):
        check.fail("hamlet_id", "is not a hamlet in your area", "out_of_scope")
    elif hamlet.valid_to is not None and hamlet.valid_to <= received:
        check.fail("hamlet_id", f"{hamlet.name} no longer exists", "closed")
    check.raise_if_failed()
    assert hamlet is not None and hamlet.parent_id is not None and name and born
    commune = session.get(Unit, hamlet.parent_id)
    assert commune is not None
    told = NamedChild(None, name, born, data.child.sex, estimated)
    case, grant = write_case(session, caller, report, hamlet, told, grant_reason="recording a hotline intake")
    assert grant is not None
    log_event(session, caller, case, "intake", None, {"channel": report.channel, "routed_to": commune.id})
    grant.revoked_at, grant.revoked_by = utcnow(), caller.user_id
    session.flush()
    officers = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.unit_id == commune.id, User.role == "ward_officer", User.is_active)
    )
    return Routed(case.reference, hamlet, commune, int(officers or 0))
