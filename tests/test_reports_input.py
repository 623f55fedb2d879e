"""Bad input and refused transitions: a clear 4xx naming the field, and nothing half-written."""

from __future__ import annotations

import pytest

from portal.reports.catalog import zero_cells
from tests.reporting import (
    COMMUNE_VALUES,
    act,
    add_case,
    build_tree,
    enter,
    hamlet_values,
    start,
    who,
)
from tests.support import audit_rows


@pytest.fixture()
def rtree(owner):
    return build_tree(owner)


def post(client, headers, **body):
    return client.post("/api/v1/reports", headers=headers, json=body)


def fields(response):
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_starting_a_report_names_what_is_wrong(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    future = post(client, officer, definition="monthly", unit_id=t["ha"][0].id, period="2099-01")
    assert future.status_code == 422 and fields(future) == {"period": "future_period"}
    assert fields(post(client, officer, definition="monthly", unit_id=t["ha"][0].id, period="2026-13")) == {
        "period": "invalid"
    }
    quarter = post(client, officer, definition="quarterly", unit_id=t["a"].id, period="2026-10")
    assert quarter.status_code == 422 and "2026-Q3" in quarter.json()["errors"][0]["message"]
    assert fields(post(client, officer, definition="weekly", unit_id=t["a"].id, period="2026-10")) == {
        "definition": "unknown"
    }
    hamlet_quarterly = post(client, officer, definition="quarterly", unit_id=t["ha"][0].id, period="2026-Q1")
    assert hamlet_quarterly.status_code == 422 and "unit_id" in fields(hamlet_quarterly)
    unborn = post(client, who(client, t, "on"), definition="monthly", unit_id=t["n"].id, period="2025-06")
    assert unborn.status_code == 422 and "did not exist" in unborn.json()["errors"][0]["message"]
    malformed = post(client, officer, definition="monthly", unit_id="A", period="2025-06")
    assert malformed.status_code == 400
    assert fields(post(client, officer, definition="monthly", unit_id=10**12, period="2025-06")) == {
        "unit_id": "unknown"
    }

    outside = post(client, officer, definition="monthly", unit_id=t["c"].id, period="2025-06")
    assert outside.status_code == 403
    denied = audit_rows(owner, f"rp-oa-{t['tag']}", "denied")
    assert denied and denied[-1]["resource"] == "report" and denied[-1]["unit_id"] == t["c"].id

    start(client, officer, t["ha"][0], "2025-06")
    assert (
        post(client, officer, definition="monthly", unit_id=t["ha"][0].id, period="2025-06").status_code
        == 409
    )


def test_entered_counts_are_checked_cell_by_cell_and_all_or_nothing(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    report = start(client, officer, t["ha"][0], "2025-06")  # 3 children in this hamlet
    url = f"/api/v1/reports/{report['id']}/values"

    bad = client.put(
        url,
        headers=officer,
        json={
            "values": {
                "injuries": {"fall": -1, "burn": 1.5, "cut": "2", "road_traffic": 1, "total": 4},
                "action_month": {"participants": 1, "nope": 1},
                "water_points": {"listed": 1},  # counted from the register (migration 0035)
                "children": {"total": 3},
                "abuse_cases": {"received": 1},
                "unheard_of": {"x": 1},
            }
        },
    )
    assert bad.status_code == 422
    assert fields(bad) == {
        "values.injuries.fall": "negative",
        "values.injuries.burn": "not_integer",
        "values.injuries.cut": "not_integer",
        "values.injuries.total": "computed",
        "values.action_month.nope": "unknown",
        "values.water_points": "not_enterable",
        "values.children": "not_enterable",
        "values.abuse_cases": "not_enterable",
        "values.unheard_of": "unknown",
    }
    contradicts = client.put(
        url,
        headers=officer,
        json={
            "values": {
                "action_month": {"participants": 4},  # 3 children in the registry, 5% tolerance
                # complete: its total is 1, by cause, sex, age band and place
                "injuries": zero_cells("injuries") | {"drowning": 1, "male": 1, "0-5": 1, "home": 1},
                "injury_deaths": zero_cells("injury_deaths")
                | {"drowning": 2, "male": 2, "0-5": 2, "home": 2},
            }
        },
    )
    assert contradicts.status_code == 422
    assert fields(contradicts) == {
        "values.action_month.participants": "contradicts_registry",
        "values.injury_deaths.drowning": "exceeds",
        "values.injury_deaths.total": "exceeds",
    }
    assert "children.total = 3" in contradicts.json()["errors"][0]["message"]
    after = client.get(f"/api/v1/reports/{report['id']}", headers=officer).json()
    assert after["entered"] == {} and after["version"] == report["version"]  # nothing half-written

    stale = client.put(
        url, headers=officer, json={"values": hamlet_values(), "version": report["version"] - 1}
    )
    assert stale.status_code == 409
    done = enter(client, officer, report, hamlet_values())
    assert done["figures"]["injuries"]["total"] == 2 and done["entered"]["action_month"] == {
        "participants": 3
    }


def test_partitions_must_agree_at_the_commune(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    report = start(client, officer, t["a"], "2025-06")
    values = {
        **COMMUNE_VALUES,
        "abused_children": {"male": 2, "female": 1, "home": 1, "school": 0, "community": 0}
        | {"0-5": 0, "6-9": 3, "10-13": 0, "14-15": 0},
    }
    mismatch = client.put(f"/api/v1/reports/{report['id']}/values", headers=officer, json={"values": values})
    assert mismatch.status_code == 422
    assert fields(mismatch) == {"values.abused_children.home": "partition_mismatch"}
    flag = client.put(
        f"/api/v1/reports/{report['id']}/values",
        headers=officer,
        json={"values": {"child_friendly": {"recognised": 2}}},
    )
    assert fields(flag) == {"values.child_friendly.recognised": "too_large"}
    no_consolidation = client.post(f"/api/v1/reports/{report['id']}/submit", headers=officer, json={})
    assert no_consolidation.status_code == 422  # the commune's own cells are not entered yet
    report = enter(client, officer, report, COMMUNE_VALUES)
    unconsolidated = client.post(f"/api/v1/reports/{report['id']}/submit", headers=officer, json={})
    assert unconsolidated.status_code == 409 and "consolidate" in unconsolidated.json()["detail"]


def test_a_partial_draft_is_checked_only_where_its_figures_are_settled(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    commune = start(client, officer, t["a"], "2025-06")
    url = f"/api/v1/reports/{commune['id']}/values"
    by_sex = client.put(url, headers=officer, json={"values": {"abused_children": {"male": 2, "female": 1}}})
    assert by_sex.status_code == 200, by_sex.text  # the settings are not typed yet: nothing to compare
    # collaborators are counted from the accounts and trainings (report_staff_figures), never typed
    typed = client.put(url, headers=officer, json={"values": {"collaborators": {"trained": 4}}})
    assert fields(typed) == {"values.collaborators": "not_enterable"}
    settings = {"home": 1, "school": 0, "community": 0}
    mismatch = client.put(url, headers=officer, json={"values": {"abused_children": settings}})
    assert fields(mismatch) == {"values.abused_children.home": "partition_mismatch"}
    assert client.get(f"/api/v1/reports/{commune['id']}", headers=officer).json()["entered"] == {
        "abused_children": {"male": 2, "female": 1},
    }

    hamlet = start(client, officer, t["ha"][0], "2025-06")
    url = f"/api/v1/reports/{hamlet['id']}/values"
    deaths = client.put(url, headers=officer, json={"values": {"injury_deaths": {"drowning": 1}}})
    assert deaths.status_code == 200, deaths.text  # the injuries are not typed yet
    injuries = client.put(url, headers=officer, json={"values": {"injuries": {"drowning": 0}}})
    assert fields(injuries) == {"values.injury_deaths.drowning": "exceeds"}
    submit = client.post(f"/api/v1/reports/{hamlet['id']}/submit", headers=officer, json={})
    assert submit.status_code == 422 and "values.action_month.participants" in fields(submit)


def test_approval_is_for_the_level_above_and_reopening_is_guarded(client, owner, worker, rtree):
    from tests.reporting import approved_hamlets, consolidate

    t = rtree
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    hamlets = approved_hamlets(client, officer, t["ha"], "2025-06")
    locked = client.put(
        f"/api/v1/reports/{hamlets[0]['id']}/values", headers=officer, json={"values": hamlet_values()}
    )
    assert locked.status_code == 409 and "locked" in locked.json()["detail"]
    commune = enter(client, officer, start(client, officer, t["a"], "2025-06"), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    commune = act(client, officer, commune["id"], "submit", version=commune["version"])
    act(client, officer, commune["id"], "approve", expect=403)  # nobody approves their own report
    act(client, who(client, t, "d2"), commune["id"], "approve", expect=404)  # another district: not visible
    assert act(client, district, commune["id"], "return", expect=422)["errors"][0]["field"] == "comment"
    act(client, officer, commune["id"], "submit", expect=409)  # already submitted
    commune = act(client, district, commune["id"], "approve", version=commune["version"])
    assert commune["status"] == "approved" and commune["allowed_actions"] == ["reopen"]

    # A hamlet cannot change under an approved commune: the commune is re-opened first.
    refused = act(client, officer, hamlets[0]["id"], "reopen", expect=409, reason="Sai số trẻ")
    assert "re-opened first" in refused["detail"]
    assert act(client, district, commune["id"], "reopen", expect=422)["errors"][0]["field"] == "reason"
    commune = act(client, district, commune["id"], "reopen", reason="Xã báo cáo thiếu một thôn")
    assert commune["status"] == "returned" and commune["comment"] == "Xã báo cáo thiếu một thôn"
    reopen_audit = [r for r in audit_rows(owner, f"rp-d1-{t['tag']}") if r["action"] == "reopen"]
    assert reopen_audit and reopen_audit[-1]["resource_ids"] == [str(commune["id"])]
    hamlet = act(client, officer, hamlets[0]["id"], "reopen", reason="Sai số trẻ")
    assert hamlet["status"] == "returned"

    # The commune's figures were consolidated from the hamlet as approved: submitting is refused.
    stale = client.post(f"/api/v1/reports/{commune['id']}/submit", headers=officer, json={})
    assert stale.status_code == 409 and t["ha"][0].name in stale.json()["detail"]


def test_a_ward_officer_prepares_every_hamlet_draft_at_once(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    url = f"/api/v1/units/{t['a'].id}/reports/prepare"
    start(client, officer, t["ha"][0], "2025-06")  # one hamlet already started its own
    first = client.post(url, headers=officer, json={"definition": "monthly", "period": "2025-06"})
    assert first.status_code == 201 and (first.json()["created"], first.json()["already_there"]) == (2, 1)
    second = client.post(url, headers=officer, json={"definition": "monthly", "period": "2025-06"})
    assert (second.json()["created"], second.json()["already_there"]) == (0, 3)
    drafts = [
        client.get(f"/api/v1/reports/{rid}", headers=officer).json() for rid in first.json()["report_ids"]
    ]
    assert sorted(d["figures"]["children"]["total"] for d in drafts) == [4, 5]
    assert all(d["status"] == "draft" and d["figures"]["special"]["total"] in (0, 2) for d in drafts)
    collab = who(client, t, "ca1")
    refused = client.post(url, headers=collab, json={"definition": "monthly", "period": "2025-06"})
    assert refused.status_code == 403
    future = client.post(url, headers=officer, json={"definition": "monthly", "period": "2099-06"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "period"


def test_the_reorganisation_review_lists_reports_still_in_progress(client, owner, rtree):
    from tenancy import reorg
    from tests.test_reorg import new_reorg

    t = rtree
    draft = start(client, who(client, t, "oa"), t["ha"][1], "2025-06")
    add_case(owner, t, t["ha"][2], "2025-05-02 08:00+07")
    add_case(owner, t, t["ha"][2], "2025-05-03 08:00+07", closed="2025-05-20 08:00+07")
    rid = new_reorg(owner, [("merge", t["a"], t["n"], None)])
    review = reorg.dry_run(owner, rid)
    owner.rollback()
    assert review["reports_in_progress"] == 1 and review["open_cases_moved"] == 1
    assert review["reports_in_progress_list"] == [
        {"id": draft["id"], "unit_name": t["ha"][1].name, "period": "2025-06", "status": "draft"}
    ]


def test_abuse_cases_are_counted_from_the_case_register(client, owner, rtree):
    t = rtree
    hamlet = t["ha"][0]
    add_case(owner, t, hamlet, "2025-06-03 09:00+07")
    add_case(owner, t, hamlet, "2025-06-10 15:00+07", closed="2025-06-20 10:00+07")
    officer = who(client, t, "oa")
    june = start(client, officer, hamlet, "2025-06")["figures"]["abuse_cases"]
    july = start(client, officer, hamlet, "2025-07")["figures"]["abuse_cases"]
    assert june == {"received": 2, "in_progress": 1, "closed": 1}
    assert july == {"received": 0, "in_progress": 1, "closed": 0}
