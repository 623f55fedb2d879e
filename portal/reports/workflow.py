"""The approval chain: draft -> submitted -> approved by the level above, or returned with a comment.

Approved figures are locked. Re-opening an approved report is for the approver only, needs a
reason, is audited, and is refused while the level above has already submitted or approved the
period (that report must be re-opened first, so no consolidated figure silently changes).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.clock import utcnow
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.reports import figures as fig
from portal.reports import notices
from portal.reports.access import approver_unit, get_report, is_owner, require_approver, require_owner
from portal.reports.consolidation import sub_unit_statuses
from portal.reports.models import Contribution, Report
from portal.reports.rule_checks import gate
from portal.reports.schemas import ActionIn
from portal.reports.service import EDITABLE, check_version, event, touch
from tenancy.models import Unit


def _comment(comment: str | None, field: str = "comment") -> str:
    if comment is None or not comment.strip():
        raise ValidationFailed([FieldError(field, "is required: say what must change and why", "required")])
    if len(comment) > 4000:
        raise ValidationFailed([FieldError(field, "must be at most 4000 characters", "too_long")])
    return comment.strip()


def changed_sub_units(session: Session, report: Report, unit: Unit) -> list[str] | None:
    """The names of the sub-units whose reports changed since the consolidation (empty when none did);
    None when the report has not been consolidated."""
    if report.consolidated_at is None:
        return None
    contributions = {
        c.unit_id: c for c in session.scalars(select(Contribution).where(Contribution.report_id == report.id))
    }
    changed = []
    for sub in sub_unit_statuses(session, report, unit):  # one query for all the sub-units' reports
        was = contributions.get(sub["unit"]["id"])
        now = (sub["report_id"], sub["version"], sub["status"] if sub["report_id"] is not None else None)
        if was is None or (was.source_report_id, was.source_version, was.source_status) != now:
            changed.append(str(sub["unit"]["name"]))
    return changed


def stale_consolidation(session: Session, report: Report, unit: Unit) -> list[str]:
    """Why the consolidated figures no longer match the sub-units' reports (empty when they do)."""
    changed = changed_sub_units(session, report, unit)
    if changed is None:
        return ["the report has not been consolidated"]
    return [f"{name} changed since the consolidation" for name in changed]


def submit(session: Session, caller: Caller, report_id: int, body: ActionIn) -> Report:
    report, definition, unit = get_report(session, caller, report_id, "submit", lock=True)
    require_owner(caller, unit, "submit")
    check_version(report, body.version)
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}; only a draft or returned report can be submitted")
    catalog = fig.for_report(session, definition, report)
    missing = fig.missing_entries(catalog, unit.level, report.entered)
    if missing:
        raise ValidationFailed(missing)
    if unit.level != definition.lowest_level:
        problems = stale_consolidation(session, report, unit)
        if problems:
            error = Conflict("consolidate again before submitting: " + "; ".join(problems[:10]))
            error.extra["problems"] = problems
            raise error
    gate(session, caller, report, catalog, unit)  # blocking rules, unexplained warnings
    before = report.status
    report.status, report.submitted_at, report.submitted_by = "submitted", utcnow(), caller.user_id
    touch(report)
    event(session, report, caller, "submit", before)
    audit(caller.actor, "submit", "report", "allowed", resource_ids=[report.id], unit_id=unit.id)
    return report


def approve(session: Session, caller: Caller, report_id: int, body: ActionIn) -> Report:
    report, _definition, unit = get_report(session, caller, report_id, "approve", lock=True)
    require_approver(session, caller, report, unit, "approve")
    check_version(report, body.version)
    if report.status != "submitted":
        raise Conflict(f"the report is {report.status}; only a submitted report can be approved")
    report.status, report.approved_at, report.approved_by = "approved", utcnow(), caller.user_id
    touch(report)
    event(session, report, caller, "approve", "submitted", body.comment or None)
    audit(caller.actor, "approve", "report", "allowed", resource_ids=[report.id], unit_id=unit.id)
    notices.decided(session, caller, report, unit, "approved")
    return report


def send_back(session: Session, caller: Caller, report_id: int, body: ActionIn) -> Report:
    """Return a submitted report to its unit with a comment."""
    report, _definition, unit = get_report(session, caller, report_id, "return", lock=True)
    require_approver(session, caller, report, unit, "return")
    check_version(report, body.version)
    comment = _comment(body.comment)
    if report.status != "submitted":
        raise Conflict(f"the report is {report.status}; only a submitted report can be returned")
    report.status, report.comment = "returned", comment
    report.submitted_at = report.submitted_by = None
    touch(report)
    event(session, report, caller, "return", "submitted", comment)
    audit(caller.actor, "return", "report", "allowed", resource_ids=[report.id], unit_id=unit.id)
    notices.decided(session, caller, report, unit, "returned")
    return report


def reopen(session: Session, caller: Caller, report_id: int, body: ActionIn) -> Report:
    """Unlock an approved report (approver only, with a reason, audited)."""
    report, _definition, unit = get_report(session, caller, report_id, "reopen", lock=True)
    approver = require_approver(session, caller, report, unit, "reopen")
    check_version(report, body.version)
    reason = _comment(body.reason, "reason")
    if report.status != "approved":
        raise Conflict(f"the report is {report.status}; only an approved report can be re-opened")
    if approver.id != unit.id:
        above = session.scalar(
            select(Report).where(
                Report.definition_id == report.definition_id,
                Report.unit_id == approver.id,
                Report.period == report.period,
            )
        )
        if above is not None and above.status in ("submitted", "approved"):
            raise Conflict(
                f"the {report.period} report of {approver.name} is {above.status}: "
                "it must be re-opened first, so its consolidated figures do not change unseen"
            )
    report.status, report.comment = "returned", reason
    report.approved_at = report.approved_by = report.submitted_at = report.submitted_by = None
    touch(report)
    event(session, report, caller, "reopen", "approved", reason)
    audit(
        caller.actor,
        "reopen",
        "report",
        "allowed",
        resource_ids=[report.id],
        unit_id=unit.id,
        detail={"reason": reason},
    )
    return report


def allowed_actions(session: Session, caller: Caller, report: Report, unit: Unit, lowest: bool) -> list[str]:
    """What the caller may do next, for the UI (the services check again). Nothing under a predecessor
    scope: a former unit's reports are history."""
    if caller.scope.until is not None:
        return []
    actions = []
    if report.status in EDITABLE and is_owner(caller, unit):
        actions += ["enter", "submit"] + (["refresh"] if lowest else ["consolidate"])
    if caller.unit is not None and caller.unit.id == approver_unit(session, report, unit).id:
        actions += {"submitted": ["approve", "return"], "approved": ["reopen"]}.get(report.status, [])
    casbin_action = {"refresh": "enter"}
    return [a for a in actions if allowed(caller.role, "report", casbin_action.get(a, a))]
