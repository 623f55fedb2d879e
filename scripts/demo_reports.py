"""Demo reports for `make run`: three months of the demo ward's monthly reports, through the services.

The demo ward officer (Phường Yên Sở since 2025) drafts every hamlet's report from the registry,
types the hamlet and commune cells, approves the hamlets, consolidates the ward and submits it; the
demo inspector (Hà Nội) approves the two earlier months, so the last one waits for them. A second
run changes nothing (periods already reported are skipped).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import portal.models  # noqa: E402, F401
from authz.caller import Caller  # noqa: E402
from infra.clock import today  # noqa: E402
from infra.db import scoped_session  # noqa: E402
from portal.auth.models import User  # noqa: E402
from portal.reports import bulk, consolidation, rule_checks, service, workflow  # noqa: E402
from portal.reports import figures as fig  # noqa: E402
from portal.reports.access import get_report  # noqa: E402
from portal.reports.campaigns import Campaign  # noqa: E402
from portal.reports.catalog import zero_cells  # noqa: E402
from portal.reports.figures import load_catalog  # noqa: E402
from portal.reports.models import ConsolidationRun, Report, ReportDefinition  # noqa: E402
from portal.reports.periods import containing, previous  # noqa: E402
from portal.reports.rule_schemas import ExplainIn  # noqa: E402
from portal.reports.schemas import ActionIn, PrepareIn, ReportCreate, ValuesIn  # noqa: E402
from tenancy.models import Unit  # noqa: E402
from tenancy.resolve import scope_for  # noqa: E402


def caller(username: str) -> Caller:
    with scoped_session(None) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        unit = session.get(Unit, user.unit_id)
        session.expunge_all()
    assert unit is not None
    return Caller(user.id, user.username, user.full_name, user.role, unit, scope_for(user.role, unit.path))


def hamlet_values(month: int, k: int) -> dict[str, dict[str, int]]:
    falls, traffic = (k + month) % 3, (k * month) % 2
    injured = falls + traffic
    return {
        "injuries": zero_cells("injuries")
        | {"fall": falls, "road_traffic": traffic, "male": (injured + 1) // 2, "female": injured // 2}
        | {"6-9": injured, "home": falls, "community": traffic},
        "injury_deaths": zero_cells("injury_deaths"),
        "injury_disabilities": zero_cells("injury_disabilities"),
    }


def commune_values(month: int) -> dict[str, dict[str, int]]:
    return {
        "birth_registrations": {"total": 3 + month % 3, "on_time": 3},
        "abused_children": {
            "male": month % 2,
            "female": 1,
            "0-5": 0,
            "6-9": 0,
            "10-13": 1,
            "14-15": month % 2,
        }
        | {"home": 1, "school": 0, "community": month % 2},
        "child_friendly": {"recognised": 1},
        "facilities": {"facilities": 1, "children_in_care": 12, "inspected": month % 2},
    }


CAMPAIGN_CELLS = {"participants": 9, "gifted": 7, "events": 2, "forums": 1, "proposals": 3}


def campaign_values(session: Session, report: Report, level: str, children: int) -> dict[str, dict[str, int]]:
    """The cells of the campaigns falling in the report's month, typed at ``level``: nine in ten children
    taking part (a commune: 40 children at its own events), seven in ten given gifts."""
    definition = session.get(ReportDefinition, report.definition_id)
    assert definition is not None
    held = set(session.scalars(select(Campaign.indicator)))
    out: dict[str, dict[str, int]] = {}
    for ind in fig.for_report(session, definition, report).entered_at(level):
        if ind.code in held:
            count = (
                {"participants": children * 9 // 10, "gifted": children * 7 // 10}
                if level == "hamlet"
                else {}
            )
            out[ind.code] = {c["key"]: count.get(c["key"], CAMPAIGN_CELLS[c["key"]] * 4) for c in ind.cells}
    return out


def explain_warnings(session: Session, officer: Caller, report_id: int) -> None:
    """The ward's explanation of each data-check warning, as it must give one before submitting."""
    report, definition, unit = get_report(session, officer, report_id)
    catalog = load_catalog(session, definition)
    for failure in rule_checks.record(session, officer, report, catalog, unit):
        if failure.rule.severity == "warning":
            note = "Đã đối chiếu với sổ theo dõi của các tổ dân phố và công an phường; số liệu đúng."
            rule_checks.explain(session, officer, report_id, ExplainIn(rule=failure.rule.code, comment=note))


def report_month(officer: Caller, inspector: Caller, period: str, approve: bool) -> str:
    ward = officer.unit
    assert ward is not None
    with scoped_session(officer.scope) as session:
        done = session.scalar(select(Report.id).where(Report.unit_id == ward.id, Report.period == period))
        if done is not None:
            return "already there"
        prepared = bulk.prepare_drafts(session, officer, ward, PrepareIn(definition="monthly", period=period))
    month = int(period[-2:])
    for k, report_id in enumerate(prepared.report_ids):
        with scoped_session(officer.scope) as session:
            report = session.get(Report, report_id)
            assert report is not None
            children = report.figures["children"]["total"]
            values = hamlet_values(month, k) | campaign_values(session, report, "hamlet", children)
            service.enter_values(session, officer, report_id, ValuesIn(values=values))
            workflow.submit(session, officer, report_id, ActionIn())
            workflow.approve(session, officer, report_id, ActionIn())
    with scoped_session(officer.scope) as session:
        report = service.create_report(
            session, officer, ReportCreate(definition="monthly", unit_id=ward.id, period=period)
        )
        values = commune_values(month) | campaign_values(session, report, "commune", 0)
        service.enter_values(session, officer, report.id, ValuesIn(values=values))
        run = ConsolidationRun(report_id=report.id, with_missing=False, requested_by=officer.user_id)
        session.add(run)
        session.flush()
        run_id, report_id = run.id, report.id
    outcome = consolidation.run_consolidation(run_id, officer.scope)
    with scoped_session(officer.scope) as session:
        explain_warnings(session, officer, report_id)
        workflow.submit(session, officer, report_id, ActionIn())
    if approve:
        with scoped_session(inspector.scope) as session:
            workflow.approve(session, inspector, report_id, ActionIn())
    return f"{prepared.created} hamlets, consolidation {outcome}, {'approved' if approve else 'submitted'}"


def main() -> None:
    officer, inspector = caller("demo-officer"), caller("demo-inspector")
    last = previous("month", containing("month", today()), 2)[0]
    months = previous("month", last, 3)
    for i, period in enumerate(months):
        print(
            f"[demo reports] {officer.unit.name if officer.unit else ''} {period.key}: "
            f"{report_month(officer, inspector, period.key, approve=i < len(months) - 1)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
