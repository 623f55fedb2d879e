"""Who sees which report: every role on its own unit, a sibling, the parent and a child unit,
with a second area's reports present; aggregate-only readers get the published figures (small cells
"<5", the others perturbed, the same as /stats for the unit and month)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.reports.models import Report, ReportDefinition
from portal.stats import layer
from portal.stats.disclosure import HIDDEN
from tests.reporting import build_tree, who
from tests.support import audit_rows, make_user

FIGURES = {"children": {"total": 12, "male": 9, "female": 3, "0-5": 12, "6-9": 0, "10-13": 0, "14-15": 0}}


@pytest.fixture(scope="module")
def area(database):
    owner = Session(admin_engine(), expire_on_commit=False)
    t = build_tree(owner)
    other = build_tree(owner, staff=False)  # a second province: its reports must never show up
    monthly = owner.scalar(select(ReportDefinition.id).where(ReportDefinition.code == "monthly"))
    reports = {}
    for key, unit in {
        "h0": t["ha"][0],
        "h1": t["ha"][1],
        "a": t["a"],
        "b": t["b"],
        "d1": t["d1"],
        "d2": t["d2"],
        "p": t["p"],
        "other": other["p"],
    }.items():
        report = Report(
            definition_id=monthly,
            unit_id=unit.id,
            period="2025-06",
            period_start=date(2025, 6, 1),
            period_end=date(2025, 6, 30),
            status="draft",
            figures=FIGURES,
            entered={},
            missing_units=[],
        )
        owner.add(report)
        owner.flush()
        reports[key] = report.id
    make_user(owner, f"rp-admin-{t['tag']}", "admin", None)
    owner.commit()
    layer.refresh_dirty(owner)  # the children build_tree added, as aggregate readers read them
    owner.close()
    return t, reports


# role key -> {report key: expected status of GET /reports/{id}}; None: exact figures expected
MATRIX = {
    "ca1": {"h0": 200, "h1": 404, "a": 404, "p": 404, "other": 404},  # own, sibling, parent, far parent
    "oa": {"a": 200, "b": 404, "d1": 404, "h0": 200, "other": 404},  # own, sibling, parent, child
    "d1": {"d1": 200, "d2": 404, "p": 404, "a": 200, "h0": 200, "other": 404},
    "insp": {"p": 200, "other": 404, "d1": 200, "a": 200, "h0": 200},
    "admin": {"p": 200, "other": 200, "h0": 200},
}
EXACT = {"ca1", "oa"}


def _listed(client, headers, period):
    """Every report id the list shows the caller for ``period``, all pages (other modules' reports of
    the same period may come first for a caller who sees the whole country)."""
    ids, page = set(), 1
    while True:
        body = client.get(
            "/api/v1/reports", headers=headers, params={"period": period, "page": page, "page_size": 100}
        ).json()
        ids |= {r["id"] for r in body["items"]}
        if page * body["page_size"] >= body["total"]:
            return ids
        page += 1


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_report_visibility_by_role_and_place(client, owner, area, role):
    t, reports = area
    headers = who(client, t, role)
    for key, expected in MATRIX[role].items():
        response = client.get(f"/api/v1/reports/{reports[key]}", headers=headers)
        assert response.status_code == expected, (role, key, response.text)
        if expected == 200:
            children = response.json()["figures"]["children"]
            if role in EXACT:
                assert children["female"] == 3 and response.json()["suppressed"] is False
            else:  # registry counts as the statistics layer publishes them for the month, as /stats does
                unit_id = response.json()["unit"]["id"]
                stats = client.get(
                    f"/api/v1/units/{unit_id}/stats", params={"as_of": "2025-06-30"}, headers=headers
                ).json()
                assert response.json()["suppressed"] is True
                assert children["total"] == stats["total"] and children["female"] == stats["by_sex"]["female"]
                assert children["0-5"] == stats["by_age_band"]["0-5"]
                assert all(v in (0, HIDDEN) or (isinstance(v, int) and v >= 5) for v in children.values())
    listed = _listed(client, headers, "2025-06")
    visible = {reports[k] for k, v in MATRIX[role].items() if v == 200}
    assert visible <= listed
    assert not ({reports[k] for k, v in MATRIX[role].items() if v == 404} & listed)
    if MATRIX[role].get("other") == 404:
        assert audit_rows(owner, f"rp-{role}-{t['tag']}", "denied")[-1]["resource"] == "report"


@pytest.mark.parametrize(
    "role,target,expected",
    [
        ("ca1", "h1", 403),
        ("ca1", "a", 403),  # a sibling hamlet; the commune above
        ("oa", "b", 403),
        ("oa", "d1", 403),  # a sibling commune; the district above
        ("d1", "d2", 403),
        ("d1", "p", 403),
        ("d1", "a", 403),  # sibling, parent, child: not their unit
        ("insp", "d1", 403),  # the inspector drafts the province's report, not a district's
        ("admin", "p", 403),  # admin may read, not report
    ],
)
def test_only_a_units_own_staff_start_its_report(client, owner, area, role, target, expected):
    t, _reports = area
    unit = {"h1": t["ha"][1], "a": t["a"], "b": t["b"], "d1": t["d1"], "d2": t["d2"], "p": t["p"]}[target]
    response = client.post(
        "/api/v1/reports",
        headers=who(client, t, role),
        json={"definition": "monthly", "unit_id": unit.id, "period": "2025-07"},
    )
    assert response.status_code == expected, response.text
    assert audit_rows(owner, f"rp-{role}-{t['tag']}", "denied")[-1]["unit_id"] == unit.id


def test_report_lists_page_and_refuse_bad_parameters(client, area):
    t, reports = area
    inspector = who(client, t, "insp")
    first = client.get(
        "/api/v1/reports", headers=inspector, params={"period": "2025-06", "page_size": 2}
    ).json()
    second = client.get(
        "/api/v1/reports", headers=inspector, params={"period": "2025-06", "page_size": 2, "page": 2}
    ).json()
    mine = {reports[k] for k in ("p", "d1", "d2", "a", "b", "h0", "h1")}
    assert first["total"] == second["total"] == len(mine) and len(first["items"]) == 2
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    bad = client.get("/api/v1/reports", headers=inspector, params={"page_size": 1000, "status": "lost"})
    assert bad.status_code == 422  # the input boundary refuses the page size before the service runs
    assert {e["field"] for e in bad.json()["errors"]} == {"page_size"}
    bad = client.get("/api/v1/reports", headers=inspector, params={"status": "lost"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"status"}
