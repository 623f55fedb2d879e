"""The approval chain and consolidation over three levels, across a merge of two communes,
through the real worker: figures follow where each hamlet was on the period's last day."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.stats import layer
from portal.stats.disclosure import MAX_NOISE
from tenancy import reorg
from tests.reporting import (
    COMMUNE_VALUES,
    act,
    approved_hamlets,
    build_tree,
    children_count,
    consolidate,
    enter,
    start,
    who,
)
from tests.test_reorg import new_reorg


@pytest.fixture()
def rtree(owner):
    tree = build_tree(owner)
    refresh_layer()
    return tree


def refresh_layer():
    """The statistics layer brought up to date with the children just added (aggregate readers read it)."""
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)


def published(client, headers, unit, month_end, structure="current"):
    """What ``/stats`` publishes for ``unit`` at ``month_end`` to an aggregate-only reader."""
    response = client.get(
        f"/api/v1/units/{unit.id}/stats", params={"as_of": month_end, "structure": structure}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def commune_report(client, officer, commune, period):
    report = enter(client, officer, start(client, officer, commune, period), COMMUNE_VALUES)
    report = consolidate(client, officer, report["id"])
    return act(client, officer, report["id"], "submit", version=report["version"])


def test_three_levels_before_and_after_a_merge(client, owner, worker, rtree):
    t = rtree
    oa, ob, on = who(client, t, "oa"), who(client, t, "ob"), who(client, t, "on")
    district, inspector = who(client, t, "d1"), who(client, t, "insp")
    in_a, in_b = children_count(owner, t["ha"]), children_count(owner, t["hb"])

    # June 2025, old structure: hamlets -> communes A and B -> district D1 -> province.
    hamlets_a = approved_hamlets(client, oa, t["ha"], "2025-06")
    assert [r["figures"]["children"]["total"] for r in hamlets_a] == [3, 4, 5]
    special = hamlets_a[0]["figures"]["special"]
    assert special["total"] == special["a"] == 2 and sum(special.values()) == 4  # two orphans, nothing else
    assert hamlets_a[0]["figures"]["special_supported"] == {"total": 1}
    approved_hamlets(client, ob, t["hb"], "2025-06")
    june_a = commune_report(client, oa, t["a"], "2025-06")
    assert june_a["figures"]["children"]["total"] == in_a
    assert june_a["figures"]["injuries"]["total"] == 2 * 3  # fall + drowning in each of 3 hamlets
    assert june_a["figures"]["water_points"] == {"listed": 6, "signed": 6, "fenced": 3}
    assert june_a["figures"]["child_friendly"] == {"recognised": 1, "communes": 1}
    june_b = commune_report(client, ob, t["b"], "2025-06")
    for report in (june_a, june_b):
        act(client, district, report["id"], "approve", version=report["version"])
    june_d = consolidate(client, district, start(client, district, t["d1"], "2025-06")["id"])
    # The district reads D1's registry counts as the statistics layer publishes them for June.
    june_stats = published(client, district, t["d1"], "2025-06-30")
    assert june_d["figures"]["children"]["total"] == june_stats["total"]
    assert abs(june_stats["total"] - (in_a + in_b)) <= MAX_NOISE
    assert june_d["figures"]["child_friendly"] == {"recognised": 2, "communes": 2}  # not children: shown
    assert june_d["figures"]["abused_children"]["total"] == "<5" and june_d["suppressed"] is True
    assert [s["unit"]["id"] for s in june_d["sub_units"]] == [t["a"].id, t["b"].id]
    june_d = act(client, district, june_d["id"], "submit", version=june_d["version"])
    act(client, inspector, june_d["id"], "approve", version=june_d["version"])

    # 1 July 2025: A and B merge into N (under the same district).
    rid = new_reorg(owner, [("merge", t["a"], t["n"], None), ("merge", t["b"], t["n"], None)])
    assert reorg.dry_run(owner, rid)["reports_in_progress"] == 0  # June is approved all the way up
    owner.rollback()
    reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    refresh_layer()

    # July 2025, new structure: the same hamlets now consolidate into N.
    approved_hamlets(client, on, t["ha"] + t["hb"], "2025-07")
    july_n = commune_report(client, on, t["n"], "2025-07")
    assert july_n["figures"]["children"]["total"] == in_a + in_b
    assert len(july_n["sub_units"]) == 5
    act(client, district, july_n["id"], "approve", version=july_n["version"])
    july_d = consolidate(client, district, start(client, district, t["d1"], "2025-07")["id"])
    assert [s["unit"]["id"] for s in july_d["sub_units"]] == [t["n"].id]
    # The same children as in June, published for July (the noise has a part read at the month).
    july_stats = published(client, district, t["d1"], "2025-07-31")
    assert july_d["figures"]["children"]["total"] == july_stats["total"]
    assert july_d["figures"]["special"]["total"] == july_stats["in_special_circumstances"] != 0
    assert abs(july_stats["total"] - (in_a + in_b)) <= MAX_NOISE
    assert july_d["figures"]["child_friendly"] == {"recognised": 1, "communes": 1}
    july_d = act(client, district, july_d["id"], "submit", version=july_d["version"])
    act(client, inspector, july_d["id"], "approve", version=july_d["version"])

    # The June figures are still read under June's tree: D1 had A and B then.
    again = client.get(f"/api/v1/reports/{june_d['id']}", headers=district).json()
    assert [s["unit"]["id"] for s in again["sub_units"]] == [t["a"].id, t["b"].id]
    assert all(s["status"] == "approved" for s in again["sub_units"])

    # The province: D2 never reported, so it consolidates "with missing units", shown as such.
    province = start(client, inspector, t["p"], "2025-07")
    refused = client.post(f"/api/v1/reports/{province['id']}/consolidate", headers=inspector, json={})
    assert refused.status_code == 409
    assert [u["id"] for u in refused.json()["units"]] == [t["d2"].id]
    province = consolidate(client, inspector, province["id"], with_missing=True)
    july_p = published(client, inspector, t["p"], "2025-07-31")
    assert province["figures"]["children"]["total"] == july_p["total"]
    assert [m["id"] for m in province["missing_units"]] == [t["d2"].id]
    assert province["missing_units"][0]["status"] == "missing"

    # Consolidating again changes nothing: no sub-unit is counted twice.
    twice = consolidate(client, inspector, province["id"], with_missing=True)
    assert twice["figures"] == province["figures"]
    assert twice["version"] == province["version"] + 1


def test_a_collaborator_drafts_and_submits_their_own_hamlet_only(client, owner, rtree):
    t = rtree
    collab = who(client, t, "ca1")
    mine = start(client, collab, t["ha"][0], "2025-06")
    assert mine["figures"]["children"]["total"] == 3 and mine["allowed_actions"] == [
        "enter",
        "submit",
        "refresh",
    ]
    other = client.post(
        "/api/v1/reports",
        headers=collab,
        json={"definition": "monthly", "unit_id": t["ha"][1].id, "period": "2025-06"},
    )
    assert other.status_code == 403
    mine = enter(client, collab, mine, {"action_month": {"participants": 3}})
    incomplete = client.post(f"/api/v1/reports/{mine['id']}/submit", headers=collab, json={})
    assert incomplete.status_code == 422
    assert "values.injuries.fall" in {e["field"] for e in incomplete.json()["errors"]}
    from tests.reporting import hamlet_values

    mine = enter(client, collab, mine, hamlet_values())
    mine = act(client, collab, mine["id"], "submit", version=mine["version"])
    assert mine["status"] == "submitted"
    act(client, collab, mine["id"], "approve", expect=403)  # not their own approver
    officer = who(client, t, "oa")
    returned = act(client, officer, mine["id"], "return", comment="Thiếu 1 trẻ mới sinh")
    assert returned["status"] == "returned" and returned["comment"] == "Thiếu 1 trẻ mới sinh"
    assert [e["action"] for e in returned["events"]][-2:] == ["submit", "return"]
