"""The validation rules in the report's life: checked and kept at every save, recount and submission,
warnings explained by the unit, and what a reader sees of them.

- :func:`record` checks a report and keeps its failures (``report_rule_findings``); an explanation
  stays while its rule still fails.
- :func:`gate` is the submission's check: a failed blocking rule, or a warning without an explanation,
  refuses it (422), each named with the rule and its cells.
- :func:`explain` stores the unit's explanation of a warning (the report's own staff, while it can
  be edited).

What a reader sees of them is portal.reports.rule_view.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.reports import figures as fig
from portal.reports.access import get_report, require_owner, visible_clause
from portal.reports.models import Report
from portal.reports.rule_eval import Failure, evaluate
from portal.reports.rule_models import MAX_COMMENT, RuleFinding
from portal.reports.rule_schemas import ExplainIn
from tenancy.models import Unit

EDITABLE = ("draft", "returned")


def stored(session: Session, caller: Caller, report_ids: list[int]) -> list[tuple[RuleFinding, str | None]]:
    """The findings kept for the reports among ``report_ids`` that the caller sees, with the username of
    each explanation's author."""
    if not report_ids:
        return []
    stmt = (
        select(RuleFinding, User.username)
        .join(Report, Report.id == RuleFinding.report_id)
        .outerjoin(User, User.id == RuleFinding.commented_by)
        .where(visible_clause(caller), RuleFinding.report_id.in_(report_ids))
        .order_by(RuleFinding.report_id, RuleFinding.rule_code)
    )
    return [(f, name) for f, name in session.execute(stmt).tuples()]


def finding_counts(session: Session, caller: Caller, report_ids: list[int]) -> dict[int, int]:
    """How many rules each report failed at its last check (the reports the caller sees), by report id;
    a report with none is left out. A submitted report's are warnings its unit explained."""
    if not report_ids:
        return {}
    stmt = (
        select(RuleFinding.report_id, func.count())
        .join(Report, Report.id == RuleFinding.report_id)
        .where(visible_clause(caller), RuleFinding.report_id.in_(report_ids))
        .group_by(RuleFinding.report_id)
    )
    return {report_id: int(n) for report_id, n in session.execute(stmt).tuples()}


def record(
    session: Session, caller: Caller, report: Report, catalog: fig.Catalog, unit: Unit
) -> list[Failure]:
    """Check ``report`` now and keep what failed, replacing the last check. The explanation of a warning
    is kept while the warning fails with the same figures."""
    failures = evaluate(session, caller, report, catalog, unit)
    kept = {f.rule_code: f for f, _name in stored(session, caller, [report.id])}
    codes = [f.rule.code for f in failures]
    session.execute(
        delete(RuleFinding).where(RuleFinding.report_id == report.id, RuleFinding.rule_code.not_in(codes))
    )
    for failure in failures:
        row = kept.get(failure.rule.code)
        if row is None:
            row = RuleFinding(report_id=report.id, rule_code=failure.rule.code)
            session.add(row)
        if failure.rule.severity != "warning" or row.severity != "warning" or row.detail != failure.detail():
            # an explanation answers the figures it was written for: other figures need a new one
            row.comment = row.commented_by = row.commented_at = None
        row.severity = failure.rule.severity
        row.detail = failure.detail()
        row.report_version = report.version
        row.checked_at = utcnow()
    session.flush()
    return failures


def gate(session: Session, caller: Caller, report: Report, catalog: fig.Catalog, unit: Unit) -> None:
    """The submission's check: refuse it while a blocking rule fails or a warning is not explained."""
    failures = record(session, caller, report, catalog, unit)
    explained = {f.rule_code for f, _n in stored(session, caller, [report.id]) if f.comment}
    errors = []
    for failure in failures:
        rule = failure.rule
        cells = ", ".join(rule.terms)
        if rule.severity == "blocking":
            message = f"{rule.name_en} ({cells}): {failure.explain()}"
            errors.append(FieldError(f"rules.{rule.code}", message, "rule_blocking"))
        elif rule.code not in explained:
            message = f"{rule.name_en} ({cells}): {failure.explain()}; explain it before submitting"
            errors.append(FieldError(f"rules.{rule.code}.comment", message, "explanation_required"))
    if errors:
        raise ValidationFailed(errors)


def explain(session: Session, caller: Caller, report_id: int, body: ExplainIn) -> Report:
    """Store (or, empty, remove) the unit's explanation of a warning the report now fails."""
    report, definition, unit = get_report(session, caller, report_id, "enter", lock=True)
    require_owner(caller, unit, "explain the warnings of")
    if body.version is not None and body.version != report.version:
        raise Conflict(f"the report changed (version {report.version}, you sent {body.version}): reload it")
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}: its explanations are locked")
    failures = record(session, caller, report, fig.load_catalog(session, definition), unit)
    warned = {f.rule.code for f in failures if f.rule.severity == "warning"}
    if body.rule not in warned:
        raise ValidationFailed(
            [FieldError("rule", f"{body.rule} is not a warning this report now fails", "not_warning")]
        )
    row = session.get(RuleFinding, (report.id, body.rule))
    assert row is not None
    text = body.comment.strip()
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(
            [FieldError("comment", f"must be at most {MAX_COMMENT} characters", "too_long")]
        )
    row.comment = text or None
    row.commented_by = caller.user_id if text else None
    row.commented_at = utcnow() if text else None
    audit(caller.actor, "explain", "report", "allowed", resource_ids=[report.id], unit_id=unit.id)
    return report
