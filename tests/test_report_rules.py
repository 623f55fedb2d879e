"""Validation rules kept as data: each kind (across cells, against the case register, against the unit's
history), checked on every save and at submission; a blocking rule stops the submission naming the rule
and its cells, a warning needs an explanation that the approver then reads; who sees what."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import scoped_session
from portal.reports.catalog import CATALOG, zero_cells
from portal.reports.rules import RULES, Rule, check, read_rules
from tenancy.scope import Scope
from tests.reporting import (
    COMMUNE_VALUES,
    act,
    add_case,
    approved_hamlets,
    build_tree,
    consolidate,
    enter,
    hamlet_values,
    start,
    who,
)
from tests.support import audit_rows

PERIOD = "2025-06"


@pytest.fixture()
def rtree(owner):
    return build_tree(owner)


def checks(client, headers, report_id, expect=200):
    response = client.get(f"/api/v1/reports/{report_id}/checks", headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def by_rule(body):
    return {f["rule"]: f for f in body["findings"]}


def explain(client, headers, report_id, rule, comment, expect=200, **extra):
    response = client.put(
        f"/api/v1/reports/{report_id}/explanations",
        headers=headers,
        json={"rule": rule, "comment": comment, **extra},
    )
    assert response.status_code == expect, response.text
    return response.json()


def submit(client, headers, report, expect):
    response = client.post(
        f"/api/v1/reports/{report['id']}/submit", headers=headers, json={"version": report["version"]}
    )
    assert response.status_code == expect, response.text
    return response.json()


def abused(n_boys: int, n_girls: int = 0) -> dict:
    """The commune's abused children: every box of each breakdown typed, each adding up to the total
    (all of them aged 6-9, abused at home)."""
    n = n_boys + n_girls
    return {
        "abused_children": {"male": n_boys, "female": n_girls}
        | {"0-5": 0, "6-9": n, "10-13": 0, "14-15": 0}
        | {"home": n, "school": 0, "community": 0}
    }


def commune_draft(client, t, values) -> dict:
    """Commune A's June report: its three hamlets approved (12 children: 7 boys, 5 girls), consolidated,
    the commune's own boxes typed."""
    officer = who(client, t, "oa")
    approved_hamlets(client, officer, t["ha"], PERIOD)
    report = start(client, officer, t["a"], PERIOD)
    report = consolidate(client, officer, report["id"])
    return enter(client, officer, report, COMMUNE_VALUES | values)


def test_the_rules_file_is_valid_and_reads_only_catalogue_cells():
    rules = read_rules()
    assert {r.kind for r in rules} == {"cells", "records", "history"}
    assert {r.severity for r in rules} == {"blocking", "warning"}
    catalogue = json.loads(Path(CATALOG).read_text(encoding="utf-8"))["indicators"]
    cells = {f"{i['code']}.{c[0]}" for i in catalogue for c in i["cells"]}
    assert {t for r in rules for t in r.terms} <= cells
    assert all(r.name_vi != r.name_en for r in rules)

    def rule(**fields):
        base = {"code": "x_rule", "kind": "cells", "severity": "warning", "name_vi": "Một", "name_en": "One"}
        return Rule(**(base | {"left": ["injuries.total"]} | fields))

    problems = check(
        [
            rule(op="<=", right=["children.total"]),
            rule(op="<=", right=["children.total"]),  # the same code twice
            rule(code="no_right", op="<="),
            rule(code="records_cells", kind="records", op="==", right=["children.total"]),
            rule(code="history_op", kind="history", method="mad", op="<="),
            rule(code="bad_term", op="<=", right=["children"]),
            rule(code="history_k", kind="history", method="mad", k=0),
        ]
    )
    assert [p.split(":")[0] for p in problems] == [
        "rule x_rule",
        "rule no_right",
        "rule records_cells",
        "rule history_op",
        "rule bad_term",
        "rule history_k",
    ]
    assert RULES.name == "validation_rules.json"


def test_a_blocking_rule_across_cells_stops_submission_naming_the_rule_and_cells(
    client, owner, worker, rtree
):
    t = rtree
    officer = who(client, t, "oa")
    report = commune_draft(client, t, abused(20))  # 20 abused boys in a commune of 12 children: saved
    found = by_rule(checks(client, officer, report["id"]))
    blocking = found["abused_le_children"]
    assert blocking["severity"] == "blocking" and (blocking["left"], blocking["right"]) == (20, 12)
    assert blocking["left_cells"] == ["abused_children.total"] and blocking["right_cells"] == [
        "children.total"
    ]
    assert found["abused_boys_le_boys"]["severity"] == "warning"
    assert (found["abused_boys_le_boys"]["left"], found["abused_boys_le_boys"]["right"]) == (20, 7)
    assert "abused_girls_le_girls" not in found  # 0 girls: passes
    stored = owner.execute(
        text("SELECT rule_code, severity, report_version FROM report_rule_findings WHERE report_id = :r"),
        {"r": report["id"]},
    ).all()
    assert {(c, s) for c, s, _v in stored} >= {
        ("abused_le_children", "blocking"),
        ("abused_boys_le_boys", "warning"),
    }
    assert {v for _c, _s, v in stored} == {report["version"]}  # kept at the save

    refused = submit(client, officer, report, 422)
    errors = {e["field"]: e for e in refused["errors"]}
    assert errors["rules.abused_le_children"]["code"] == "rule_blocking"
    message = errors["rules.abused_le_children"]["message"]
    assert (
        "abused_children.total" in message
        and "children.total" in message
        and "20" in message
        and "12" in message
    )
    # explaining the blocking rule is refused: only a warning is explained
    wrong = explain(client, officer, report["id"], "abused_le_children", "Số liệu đúng", expect=422)
    assert wrong["errors"][0]["field"] == "rule" and wrong["errors"][0]["code"] == "not_warning"
    # even with every warning explained, the blocking rule stops the submission; nothing changed
    for code, f in by_rule(checks(client, officer, report["id"])).items():
        if f["severity"] == "warning":
            explain(client, officer, report["id"], code, "Đã kiểm tra lại với công an xã")
    refused = submit(client, officer, report, 422)
    assert [e["field"] for e in refused["errors"]] == ["rules.abused_le_children"]
    status = owner.execute(text("SELECT status FROM reports WHERE id = :r"), {"r": report["id"]}).scalar()
    assert status == "draft"

    corrected = enter(client, officer, report, abused(1))
    assert "abused_le_children" not in by_rule(checks(client, officer, report["id"]))
    remaining = owner.execute(
        text("SELECT rule_code FROM report_rule_findings WHERE report_id = :r"), {"r": report["id"]}
    ).scalars()
    assert "abused_le_children" not in set(remaining)  # the save dropped the rule no longer failing
    assert submit(client, officer, corrected, 422)["errors"][0]["code"] == "explanation_required"


def test_a_warning_against_the_case_register_needs_an_explanation_the_approver_reads(
    client, owner, worker, rtree
):
    t = rtree
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    report = commune_draft(client, t, abused(1))  # 1 abused child, 0 cases in the register
    warning = by_rule(checks(client, officer, report["id"]))["abused_vs_case_register"]
    assert warning["kind"] == "records" and warning["severity"] == "warning"
    assert (warning["left"], warning["op"], warning["right"]) == (1, "==", 0)
    assert warning["records"] == "cases_received" and "sổ quản lý" in warning["records_vi"]

    refused = submit(client, officer, report, 422)
    assert refused["errors"] == [
        {
            "field": "rules.abused_vs_case_register.comment",
            "message": refused["errors"][0]["message"],
            "code": "explanation_required",
        }
    ]
    assert "abused_children.total" in refused["errors"][0]["message"]
    # the approver cannot explain for the unit (refused and audited); too long is refused at the boundary
    explain(client, district, report["id"], "abused_vs_case_register", "Tôi giải trình", expect=403)
    denied = audit_rows(owner, f"rp-d1-{t['tag']}", "denied")
    assert denied and denied[-1]["resource"] == "report"
    long = client.put(
        f"/api/v1/reports/{report['id']}/explanations",
        headers=officer,
        json={"rule": "abused_vs_case_register", "comment": "x" * 2001},
    )
    assert long.status_code in (400, 422) and "comment" in long.text
    note = "Vụ việc được công an huyện tiếp nhận, chưa chuyển hồ sơ về xã"
    after = by_rule(explain(client, officer, report["id"], "abused_vs_case_register", note))
    assert after["abused_vs_case_register"]["comment"] == note
    assert after["abused_vs_case_register"]["commented_by"] == f"rp-oa-{t['tag']}"
    submitted = submit(client, officer, report, 200)
    assert submitted["status"] == "submitted"
    explain(client, officer, report["id"], "abused_vs_case_register", "sửa", expect=409)  # locked now

    # the approver (the district, which reads communes' figures published) reads the warning, what it
    # compares and the explanation, as kept at the submission; not the counts
    seen = checks(client, district, report["id"])
    assert seen["live"] is False and seen["suppressed"] is True
    approver = by_rule(seen)["abused_vs_case_register"]
    assert approver["comment"] == note and approver["commented_by"] == f"rp-oa-{t['tag']}"
    assert approver["left_cells"] == ["abused_children.total"] and approver["records"] == "cases_received"
    assert (approver["left"], approver["right"]) == (None, None)
    assert checks(client, officer, report["id"])["live"] is False  # submitted: the kept results
    assert by_rule(checks(client, officer, report["id"]))["abused_vs_case_register"]["right"] == 0
    # the provincial inspector reads which rule and why, never the counts
    inspected = by_rule(checks(client, who(client, t, "insp"), report["id"]))["abused_vs_case_register"]
    assert inspected["comment"] == note and (inspected["left"], inspected["right"]) == (None, None)
    # a sibling commune's officer, the other district and the commune's collaborator do not see it
    for key in ("ob", "d2", "ca1"):
        checks(client, who(client, t, key), report["id"], expect=404)

    # the consolidated level shows the rule results of its units
    act(client, district, report["id"], "approve", version=submitted["version"])
    above = start(client, district, t["d1"], PERIOD)
    above = consolidate(client, district, above["id"], with_missing=True)
    subs = checks(client, district, above["id"])["sub_units"]
    assert [s["unit"]["id"] for s in subs] == [t["a"].id]
    assert by_rule(subs[0])["abused_vs_case_register"]["comment"] == note


def test_a_case_in_the_register_settles_the_records_rule(client, owner, worker, rtree):
    t = rtree
    add_case(owner, t, t["ha"][1], "2025-06-10T09:00:00+07:00")
    add_case(owner, t, t["hc"][0], "2025-06-11T09:00:00+07:00")  # another commune's case: not counted
    add_case(owner, t, t["ha"][0], "2025-05-30T09:00:00+07:00")  # May: not this period
    officer = who(client, t, "oa")
    report = commune_draft(client, t, abused(1))
    assert "abused_vs_case_register" not in by_rule(checks(client, officer, report["id"]))
    fewer = enter(client, officer, report, abused(0))
    flagged = by_rule(checks(client, officer, fewer["id"]))["abused_vs_case_register"]
    assert (flagged["left"], flagged["right"]) == (0, 1)

    # row-level security: the findings follow the report's unit, for reading and for writing
    count = text("SELECT count(*) FROM report_rule_findings WHERE report_id = :r")
    with scoped_session(Scope(records=t["a"].path, aggregates=None)) as session:
        assert session.execute(count, {"r": fewer["id"]}).scalar() == 1
    with scoped_session(Scope(records=t["b"].path, aggregates=t["b"].path)) as session:
        assert session.execute(count, {"r": fewer["id"]}).scalar() == 0
    with pytest.raises(DBAPIError), scoped_session(Scope(records=t["b"].path, aggregates=None)) as session:
        session.execute(
            text(
                "INSERT INTO report_rule_findings (report_id, rule_code, severity, report_version) "
                "VALUES (:r, 'abused_history', 'warning', 1)"
            ),
            {"r": fewer["id"]},
        )


def injured(fall: int) -> dict:
    """A hamlet's injured children: ``fall`` falls and one drowning, every breakdown typed and adding up
    to the total ``fall + 1`` (boys aged 6-9, injured at home)."""
    n = fall + 1
    return {
        "injuries": zero_cells("injuries") | {"fall": fall, "drowning": 1, "male": n, "6-9": n, "home": n}
    }


def _month(client, officer, hamlet, period, fall, approve=True) -> dict:
    """A hamlet's month: ``fall + 1`` injured children, no deaths nor disabilities, the campaigns' boxes
    of the period typed 0 (``enter`` keeps those of the report's period only)."""
    values = hamlet_values(participants=0) | injured(fall)
    report = enter(client, officer, start(client, officer, hamlet, period), values)
    if not approve:
        return report
    report = act(client, officer, report["id"], "submit", version=report["version"])
    return act(client, officer, report["id"], "approve", version=report["version"])


def test_a_figure_far_from_the_unit_s_own_history_is_a_warning_with_the_history(client, owner, rtree):
    t = rtree
    officer, hamlet = who(client, t, "oa"), t["ha"][0]
    past = {"2025-01": 1, "2025-02": 2, "2025-03": 1, "2025-04": 3, "2025-05": 2}  # injuries total = fall + 1
    for period, fall in past.items():
        _month(client, officer, hamlet, period, fall)
    # a report made before the injuries indicator existed: left out of the history, no crash
    owner.execute(
        text("UPDATE reports SET figures = figures - 'injuries' WHERE unit_id = :u AND period = '2025-01'"),
        {"u": hamlet.id},
    )
    owner.commit()
    usual = _month(client, officer, hamlet, "2025-06", 2, approve=False)
    assert "injuries_history" not in by_rule(checks(client, officer, usual["id"]))

    far = enter(client, officer, usual, injured(29))  # total 30
    flagged = by_rule(checks(client, officer, far["id"]))["injuries_history"]
    assert flagged["kind"] == "history" and flagged["method"] == "mad" and flagged["left"] == 30
    assert flagged["history"] == [
        {"period": p, "value": fall + 1} for p, fall in past.items() if p != "2025-01"
    ]  # four periods hold the cell: enough (min_periods 4), oldest first
    assert flagged["low"] == 0 and 3.5 < flagged["high"] < 30
    refused = submit(client, officer, far, 422)
    assert [e["field"] for e in refused["errors"]] == ["rules.injuries_history.comment"]
    explain(client, officer, far["id"], "injuries_history", "Tai nạn giao thông tập thể ngày 12/6")
    assert submit(client, officer, far, 200)["status"] == "submitted"

    # the commune's report (consolidated) shows the hamlet's warning with its history
    commune = start(client, officer, t["a"], "2025-06")
    subs = checks(client, officer, commune["id"])["sub_units"]
    hamlet_findings = by_rule(next(s for s in subs if s["unit"]["id"] == hamlet.id))
    assert len(hamlet_findings["injuries_history"]["history"]) == 4


def test_too_little_history_or_a_report_lacking_a_cell_is_not_judged(client, owner, rtree):
    t = rtree
    officer, hamlet = who(client, t, "oa"), t["ha"][1]
    for period in ("2025-03", "2025-04", "2025-05"):
        _month(client, officer, hamlet, period, 0)
    far = _month(client, officer, hamlet, "2025-06", 40, approve=False)
    assert "injuries_history" not in by_rule(checks(client, officer, far["id"]))  # 3 periods < 4
    deaths = by_rule(checks(client, officer, far["id"]))
    assert "injury_deaths_history" not in deaths  # 0 deaths, as every past period
    # a stored report without the cells a rule reads (an older catalogue): shown and checked without error
    owner.execute(
        text("UPDATE reports SET figures = figures - 'injury_deaths' - 'injuries' WHERE id = :r"),
        {"r": far["id"]},
    )
    owner.commit()
    body = checks(client, officer, far["id"])
    assert {"deaths_drowning_le_injuries", "deaths_le_injuries", "injuries_history"}.isdisjoint(by_rule(body))
    assert checks(client, who(client, t, "d1"), far["id"])["findings"] == []  # the kept results: none
