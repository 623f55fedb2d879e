"""What a reader sees of the validation rules on a report.

For the unit's own staff on an editable report: the rules checked now (the form shows what a save
would keep). For everyone else, and once submitted: what the last check kept, so the approver reads
what was submitted and the unit's explanations. A consolidated report also shows its sub-units'
findings. Readers who do not keep the unit's records (aggregate-only readers, see
portal.stats.disclosure) see which rules failed and the explanations, never the counts compared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.audit.aggregate import audit_aggregate
from portal.reports import figures as fig
from portal.reports.access import is_owner
from portal.reports.consolidation import sub_unit_statuses
from portal.reports.models import Report, ReportDefinition
from portal.reports.rule_checks import EDITABLE, stored
from portal.reports.rule_eval import Failure, evaluate
from portal.reports.rule_models import RuleFinding
from portal.reports.rule_sources import RECORD_NAMES
from portal.reports.rules import Rule, by_code
from portal.stats.access import keeps_records
from tenancy.models import Unit

Note = tuple[str | None, str | None, str | None]  # comment, by (username), at (ISO)
NO_NOTE: Note = (None, None, None)


def _shown(
    rule: Rule | None, code: str, severity: str, detail: dict[str, Any], note: Note, exact: bool
) -> dict[str, Any]:
    figures = detail if exact else {}
    records = rule.records if rule is not None else None
    return {
        "rule": code,
        "kind": rule.kind if rule else None,
        "severity": severity,
        "name_vi": rule.name_vi if rule else code,
        "name_en": rule.name_en if rule else code,
        "legal_basis": rule.legal_basis if rule else None,
        "left_cells": list(rule.left) if rule else [],
        "op": rule.op if rule else None,
        "right_cells": list(rule.right) if rule else [],
        "records": records,
        "records_vi": RECORD_NAMES[records][0] if records else None,
        "records_en": RECORD_NAMES[records][1] if records else None,
        "method": rule.method if rule else None,
        "left": figures.get("left"),
        "right": figures.get("right"),
        "low": figures.get("low"),
        "high": figures.get("high"),
        "history": figures.get("history"),
        "comment": note[0],
        "commented_by": note[1],
        "commented_at": note[2],
    }


def _note(row: RuleFinding, username: str | None) -> Note:
    return (row.comment, username, row.commented_at.isoformat() if row.commented_at else None)


def _of_row(row: RuleFinding, username: str | None, exact: bool) -> dict[str, Any]:
    rule = by_code(row.rule_code)  # None: a rule since removed from the file, shown by its code
    return _shown(rule, row.rule_code, row.severity, row.detail, _note(row, username), exact)


def _of_failure(failure: Failure, notes: dict[str, Note], exact: bool) -> dict[str, Any]:
    rule = failure.rule
    note = notes.get(rule.code, NO_NOTE) if rule.severity == "warning" else NO_NOTE
    return _shown(rule, rule.code, rule.severity, failure.detail(), note, exact)


def checks_json(
    session: Session, caller: Caller, report: Report, definition: ReportDefinition, unit: Unit
) -> dict[str, Any]:
    """The rules' results on ``report`` as ``caller`` sees them (see the module's docstring); the read
    is audited as an aggregate read."""
    exact = keeps_records(caller, unit)
    live = report.status in EDITABLE and is_owner(caller, unit) and caller.scope.until is None
    kept = stored(session, caller, [report.id])
    if live:
        notes = {row.rule_code: _note(row, name) for row, name in kept if row.severity == "warning"}
        failures = evaluate(session, caller, report, fig.load_catalog(session, definition), unit)
        findings = [_of_failure(f, notes, exact) for f in failures]
    else:
        findings = [_of_row(row, name, exact) for row, name in kept]
    subs = [] if unit.level == definition.lowest_level else sub_unit_statuses(session, report, unit)
    by_report = {s["report_id"]: s for s in subs if s["report_id"] is not None}
    sub_findings: dict[int, list[dict[str, Any]]] = {}
    for row, name in stored(session, caller, list(by_report)):
        sub_findings.setdefault(row.report_id, []).append(_of_row(row, name, exact))
    audit_aggregate(
        caller,
        "report_checks",
        unit.id,
        {"period": report.period, "suppressed": not exact},
        resource_ids=[report.id],
    )
    return {
        "report_id": report.id,
        "version": report.version,
        "live": live,
        "suppressed": not exact,
        "findings": findings,
        "sub_units": [
            {**s, "findings": sub_findings[s["report_id"]]} for s in subs if s["report_id"] in sub_findings
        ],
    }
