"""What a report's decisions say off the portal (portal.notifications.events sends them): a return
with its comment's existence (not its text) and an approval, to the staff who keep the unit's report."""

from __future__ import annotations

from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.notifications.events import Message, keepers, link, raise_event
from portal.reports.models import Report
from tenancy.models import Unit


def decided(session: Session, caller: Caller, report: Report, unit: Unit, decision: str) -> None:
    """``decision``: "returned" or "approved"; one message per report version and decision."""
    returned = decision == "returned"
    vi, vi_short = (
        ("được trả lại, cần sửa và nộp lại", "bị trả lại") if returned else ("đã được phê duyệt",) * 2
    )
    en, en_short = (
        ("was returned: correct it and submit again", "returned")
        if returned
        else ("was approved", "approved")
    )
    raise_event(
        session,
        Message(
            f"report_{decision}",
            f"report_{decision}:{report.id}:{report.version}",
            f"Báo cáo kỳ {report.period} của {unit.name} {vi_short} / Report {report.period} {en_short}",
            f"Báo cáo kỳ {report.period} của {unit.name} {vi}.\n"
            f"The {report.period} report of {unit.name} {en}.\n{link(f'/reports/{report.id}')}",
        ),
        keepers(session, unit.id, unit.level, but=caller.user_id),
        requested_by=caller.user_id,
    )
