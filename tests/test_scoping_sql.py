"""The scope is in the SQL of each context's base statement, with row-level security as the second wall.

These read through an owner session, which row-level security does not filter: what comes back is
what the access modules' statements alone let through.
"""

from __future__ import annotations

from datetime import date

import pytest

from authz.caller import Caller
from infra.errors import NotVisible
from portal.inspections.models import InspectionPlan, InspectionTarget
from portal.inspections.service import get_plan, list_plans
from portal.reports.access import get_report
from portal.reports.models import Report
from portal.reports.service import definition_by_code, list_reports, month_reports
from tenancy.models import Unit
from tenancy.resolve import scope_for
from tests.reporting import build_tree


def _caller(role: str, unit: Unit) -> Caller:
    return Caller(0, f"sql-{role}", role, role, unit, scope_for(role, unit.path))


@pytest.fixture()
def tree(owner):
    return build_tree(owner, staff=False)


def _plan(owner, inspecting: Unit, audited: Unit) -> int:
    plan = InspectionPlan(
        title=f"Kiểm tra {audited.name}",
        inspecting_unit_id=inspecting.id,
        period_start=date(2025, 6, 1),
        period_end=date(2025, 6, 30),
        status="planned",
    )
    owner.add(plan)
    owner.flush()
    owner.add(InspectionTarget(plan_id=plan.id, unit_id=audited.id))
    owner.flush()
    return plan.id


def test_inspection_plans_are_those_the_callers_units_inspect_or_are_audited_by(owner, tree):
    by_d1 = _plan(owner, tree["d1"], tree["a"])
    by_d2 = _plan(owner, tree["d2"], tree["c"])
    of_b = _plan(owner, tree["p"], tree["b"])  # inspected from above: B lies in D1
    owner.commit()
    ours = {by_d1, by_d2, of_b}

    seen = {p.id for p in list_plans(owner, _caller("district_officer", tree["d1"]))} & ours
    assert seen == {by_d1, of_b}
    seen = {p.id for p in list_plans(owner, _caller("ward_officer", tree["c"]))} & ours
    assert seen == {by_d2}
    seen = {p.id for p in list_plans(owner, _caller("provincial_inspector", tree["p"]))} & ours
    assert seen == ours

    assert get_plan(owner, _caller("district_officer", tree["d2"]), by_d2, "check").id == by_d2
    with pytest.raises(NotVisible):
        get_plan(owner, _caller("district_officer", tree["d2"]), by_d1, "check")


def test_reports_are_those_of_units_in_the_callers_scope(owner, tree):
    monthly = definition_by_code(owner, "monthly")
    units = [tree["a"], tree["ha"][0], tree["c"], tree["hc"][0]]
    for unit in units:
        owner.add(
            Report(
                definition_id=monthly.id,
                unit_id=unit.id,
                period="2025-06",
                period_start=date(2025, 6, 1),
                period_end=date(2025, 6, 30),
            )
        )
    owner.commit()
    ids = [u.id for u in units]

    officer = _caller("ward_officer", tree["a"])
    found = month_reports(owner, officer, monthly, "2025-06", ids)
    assert set(found) == {tree["a"].id, tree["ha"][0].id}
    listed, total = list_reports(owner, officer, {"period": "2025-06", "page_size": 200})
    assert {r.unit_id for r in listed} & set(ids) == {tree["a"].id, tree["ha"][0].id}
    assert total == len(listed)

    district = _caller("district_officer", tree["d2"])  # aggregates only: reports are aggregates
    assert set(month_reports(owner, district, monthly, "2025-06", ids)) == {tree["c"].id, tree["hc"][0].id}

    of_a = found[tree["a"].id].id
    assert get_report(owner, officer, of_a)[2].id == tree["a"].id
    with pytest.raises(NotVisible):  # not 403: outside the scope a report does not exist
        get_report(owner, district, of_a)
