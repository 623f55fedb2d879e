"""Child-friendly commune assessment (Decision 06/QĐ-TTg): evidence pre-filled from what the portal holds,
value by value; the thresholds of each category; review and recognition by the level above, and the lock;
each role on its own commune, a sibling, the level above and below."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from portal.childfriendly.criteria import load, score
from tests.child_friendly_support import YEAR, build, who
from tests.support import audit_rows

PDF = b"%PDF-1.4\n% bien ban khao sat\n"


@pytest.fixture(scope="module")
def tree(client, database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build(owner)


@pytest.fixture(scope="module")
def a_assessment(client, tree):
    response = client.post(
        "/api/v1/child-friendly/assessments",
        json={"unit_id": tree["a"].id, "year": YEAR},
        headers=who(client, tree, "oa"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _indicator(view, code):
    return next(i for c in view["criteria"] for i in c["indicators"] if i["code"] == code)


def _criterion(view, no):
    return next(c for c in view["criteria"] if c["no"] == no)


def test_evidence_is_computed_from_what_the_portal_holds(a_assessment):
    view = a_assessment
    assert view["status"] == "draft" and view["exact"] is True and view["year"] == YEAR
    expected = {
        "c1_officer": ({"flag": True}, 50),
        "c1_collaborators": ({"numerator": 2, "denominator": 3}, 0),  # the third hamlet's is deactivated
        "c2_birth": ({"numerator": 11, "denominator": 12}, 0),  # 91.7 % < 95 %
        "c3_abused": ({"count": 2}, 25),  # three cases this year about two children; last year's not counted
        "c5_injuries": ({"count": 3}, 15),  # approved January (2) and February (1); the draft March is not
        "c5_deaths": ({"count": 0}, 25),
        "c5_water": ({"numerator": 5, "denominator": 5}, 25),  # the last approved month
        "c6_assisted": ({"numerator": 2, "denominator": 4}, 0),
        "c6_plans": ({"numerator": 1, "denominator": 2}, 0),  # the abandonment case has no plan
    }
    for code, (value, points) in expected.items():
        shown = _indicator(view, code)
        assert shown["computed"] is True, code
        assert {k: shown["value"][k] for k in value} == value, code
        assert shown["points"] == points, code
    assert _indicator(view, "c5_water")["detail"]["months"] == [f"{YEAR}-02"]
    assert _indicator(view, "c5_injuries")["detail"]["months"] == [f"{YEAR}-01", f"{YEAR}-02"]
    assert _indicator(view, "c2_birth")["value"]["pct"] == 91.7
    assert _criterion(view, 1)["points"] == 50 and _criterion(view, 6)["points"] == 0
    assert _criterion(view, 6)["met"] is False and 6 in view["zero_criteria"]
    assert view["total_points"] == 50 + 25 + 15 + 25 + 25
    assert view["reviewer"]["id"] != view["unit"]["id"] and view["reviewer"]["level"] == "district"
    assert view["actions"] == ["enter", "refresh", "submit"]


def test_criteria_are_data_totalling_1000():
    criteria = load()
    assert len(criteria.criteria) == 13 and sum(c.points for c in criteria.criteria) == 1000
    assert {k: c.threshold for k, c in criteria.categories.items()} == {
        "city_ward": 900,
        "disadvantaged": 800,
        "other": 850,
    }
    assert next(c for c in criteria.criteria if c.no == 6).points == 125


def _full() -> dict[str, dict]:
    """Every indicator at its best value."""
    out: dict[str, dict] = {}
    for code, ind in load().indicators.items():
        if ind.kind == "flag":
            out[code] = {"flag": True}
        elif ind.kind == "count_max":
            out[code] = {"count": 0}
        elif ind.kind == "rate_min":
            out[code] = {"numerator": 100, "denominator": 100}
        else:
            out[code] = {"numerator": 0, "denominator": 100}
    return out


@pytest.mark.parametrize(
    ("category", "threshold"), [("city_ward", 900), ("disadvantaged", 800), ("other", 850)]
)
def test_thresholds_of_each_category(category, threshold):
    criteria = load()
    values = _full()
    assert score(criteria, values, category).total == 1000
    # lose exactly enough points to land on the threshold, then one band more
    values["c2_birth"] = {"numerator": 98, "denominator": 100}  # 75 -> 50
    values["c3_abused"] = {"count": 1}  # 100 -> 50
    values["c5_injuries"] = {"count": 2}  # 50 -> 30
    at = score(criteria, values, category)
    assert at.total == 905 and at.qualifies == (threshold <= 905)
    values["c7_immunised"] = {"numerator": 95, "denominator": 100}  # 50 -> 30
    values["c13_satisfied"] = {"numerator": 80, "denominator": 100}  # 50 -> 35
    values["c8_stunting"] = {"numerator": 20, "denominator": 100}  # 35 -> 20
    lower = score(criteria, values, category)
    assert lower.total == 855
    assert lower.qualifies == (threshold <= 855)
    assert [c for c in ("city_ward", "disadvantaged", "other") if score(criteria, values, c).qualifies] == [
        "disadvantaged",
        "other",
    ]


def test_a_criterion_at_zero_fails_the_whole():
    criteria = load()
    values = _full()
    values["c6_plans"] = {"numerator": 9, "denominator": 10}  # 75 -> 0
    values["c6_assisted"] = {"numerator": 90, "denominator": 100}  # 50 -> 0: criterion 6 at 0
    result = score(criteria, values, "disadvantaged")
    assert result.total == 875 and result.total >= result.threshold
    assert result.zero_criteria == [6] and result.qualifies is False
    values["c6_assisted"] = {"numerator": 0, "denominator": 0}  # nobody to assist: full points
    assert score(criteria, values, "disadvantaged").qualifies is True


def _entered(document: str | None = "Báo cáo số 12/BC-TYT ngày 05/12/2026") -> dict[str, dict]:
    out = {}
    for code, value in _full().items():
        if not load().indicators[code].computed:
            out[code] = value | ({"document": document} if document else {})
    return out


def test_the_commune_enters_the_rest_and_every_bad_value_is_named(client, tree):
    oa = who(client, tree, "ob")
    created = client.post(
        "/api/v1/child-friendly/assessments", json={"unit_id": tree["b"].id, "year": YEAR}, headers=oa
    )
    assert created.status_code == 201, created.text
    a_assessment = created.json()
    url = f"/api/v1/child-friendly/assessments/{a_assessment['id']}/values"
    bad = {
        "c7_immunised": {"numerator": 60, "denominator": 50},
        "c4_offending": {"count": -1},
        "c11_forum": {"flag": "có"},
        "c2_birth": {"numerator": 12, "denominator": 12},
        "c99": {"flag": True},
    }
    response = client.put(url, json={"values": bad, "version": a_assessment["version"]}, headers=oa)
    assert response.status_code == 422, response.text
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {
        "values.c7_immunised.numerator": "too_large",
        "values.c4_offending.count": "out_of_range",
        "values.c11_forum.flag": "not_boolean",
        "values.c2_birth": "computed",
        "values.c99": "unknown",
    }
    response = client.put(url, json={"values": _entered(), "version": a_assessment["version"]}, headers=oa)
    assert response.status_code == 200, response.text
    assert _indicator(response.json(), "c7_immunised")["points"] == 50
    assert _indicator(response.json(), "c7_immunised")["document"].startswith("Báo cáo số 12")
    stale = client.put(url, json={"values": _entered(), "version": a_assessment["version"]}, headers=oa)
    assert stale.status_code == 409


def _submit(client, headers, view, expect=200):
    response = client.post(
        f"/api/v1/child-friendly/assessments/{view['id']}/submit",
        json={"version": view["version"]},
        headers=headers,
    )
    assert response.status_code == expect, response.text
    return response.json()


def _act(client, headers, view, action, expect=200, **body):
    response = client.post(
        f"/api/v1/child-friendly/assessments/{view['id']}/{action}",
        json={"version": view["version"], **body},
        headers=headers,
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_recognition_by_the_province_where_there_is_no_district_and_the_lock(client, tree, owner):
    oz, insp, d1 = (who(client, tree, k) for k in ("oz", "insp", "d1"))
    created = client.post(
        "/api/v1/child-friendly/assessments", json={"unit_id": tree["z"].id, "year": YEAR}, headers=oz
    )
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["reviewer"]["id"] == tree["p"].id  # no district since the reform: the province reviews
    assert _criterion(view, 1)["points"] == 65  # officer 50 + a collaborator in both hamlets 15
    url = f"/api/v1/child-friendly/assessments/{view['id']}"
    view = client.put(
        f"{url}/values", json={"values": _entered(None), "version": view["version"]}, headers=oz
    ).json()
    refused = client.post(f"{url}/submit", json={"version": view["version"]}, headers=oz)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        f"values.{code}.document" for code in _entered(None)
    }
    values = _entered()
    values["c13_satisfied"] = {"numerator": 160, "denominator": 200}  # 80 %: 35 points, evidence as a file
    view = client.put(f"{url}/values", json={"values": values, "version": view["version"]}, headers=oz).json()
    upload = client.post(
        f"{url}/files",
        data={"indicator": "c13_satisfied"},
        files={"data": ("bien-ban.pdf", PDF, "application/pdf")},
        headers=oz,
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    view = client.get(url, headers=oz).json()
    assert view["total_points"] == 1000 - 15  # the survey: 35 of 50
    view = client.put(
        f"{url}/values",
        json={
            "values": {"c1_budget": {"flag": False, "document": "Dự toán 2026"}},
            "version": view["version"],
        },
        headers=oz,
    ).json()
    assert view["total_points"] == 965 and view["qualifies"] is True  # 850 for this commune's category
    view = _submit(client, oz, view)
    assert view["status"] == "submitted" and view["actions"] == []
    locked = client.put(
        f"{url}/values", json={"values": {"c1_board": {"flag": True, "document": "x"}}}, headers=oz
    )
    assert locked.status_code == 409
    assert (
        client.post(
            f"{url}/decide", json={"decision": "recognised", "decision_ref": "QĐ 1"}, headers=d1
        ).status_code
        == 404
    )
    assert _act(client, oz, view, "decide", 403, decision="recognised", decision_ref="QĐ 1")
    insp_view = client.get(url, headers=insp).json()
    assert insp_view["actions"] == ["return", "not_recognised", "recognised"] and insp_view["exact"] is False
    no_comment = client.post(f"{url}/return", json={"version": view["version"]}, headers=insp)
    assert no_comment.status_code == 422 and no_comment.json()["errors"][0]["field"] == "comment"
    view = _act(client, insp, view, "return", comment="Bổ sung biên bản khảo sát mức độ hài lòng")
    assert view["status"] == "returned"
    view = _submit(client, oz, view)
    no_ref = client.post(
        f"{url}/decide", json={"decision": "recognised", "version": view["version"]}, headers=insp
    )
    assert no_ref.status_code == 422 and no_ref.json()["errors"][0]["field"] == "decision_ref"
    view = _act(client, insp, view, "decide", decision="recognised", decision_ref="Quyết định 123/QĐ-UBND")
    assert view["status"] == "recognised" and view["decision_ref"] == "Quyết định 123/QĐ-UBND"
    # locked for everybody, whatever they try
    assert (
        client.put(f"{url}/values", json={"values": {"c1_board": {"flag": False}}}, headers=oz).status_code
        == 409
    )
    assert client.post(f"{url}/refresh", json={}, headers=oz).status_code == 409
    assert client.post(f"{url}/submit", json={}, headers=oz).status_code == 409
    assert (
        client.post(
            f"{url}/decide", json={"decision": "not_recognised", "comment": "x"}, headers=insp
        ).status_code
        == 409
    )
    assert client.post(f"{url}/return", json={"comment": "x"}, headers=insp).status_code == 409
    again = client.post(
        f"{url}/files",
        data={"indicator": "c1_board"},
        files={"data": ("a.pdf", PDF, "application/pdf")},
        headers=oz,
    )
    assert again.status_code == 409
    stored = owner.execute(
        text("SELECT status, total_points FROM child_friendly_assessments WHERE id = :i"), {"i": view["id"]}
    ).one()
    assert stored.status == "recognised" and stored.total_points == view["total_points"]
    # the file is read back unchanged, and the read is audited
    file_id = view["criteria"][12]["indicators"][0]["files"][0]["id"]
    download = client.get(f"{url}/files/{file_id}", headers=insp)
    assert download.status_code == 200 and download.content == PDF
    assert any(
        r["action"] == "download" and r["resource"] == "child_friendly"
        for r in audit_rows(owner, f"rp-insp-{tree['tag']}")
    )
    history = client.get(f"/api/v1/units/{tree['z'].id}/child-friendly", headers=oz).json()
    assert [(h["year"], h["status"]) for h in history["items"]] == [(YEAR, "recognised")]
    dashboard = client.get(
        f"/api/v1/units/{tree['p'].id}/child-friendly/dashboard?year={YEAR}", headers=insp
    ).json()
    assert dashboard["recognised"] == 1 and dashboard["communes"] == 5  # A, B, C, N and Z
    assert dashboard["pct"] == 20.0 and dashboard["target_pct"] == 100.0 and dashboard["met"] is False
    assert {s["unit"]["id"]: s["recognised"] for s in dashboard["sub_units"]}[tree["z"].id] == 1
    assert "items" not in dashboard and all("name" not in k for k in dashboard if k != "unit")


def test_a_criterion_at_zero_refuses_recognition_by_the_district(client, tree, a_assessment):
    oa, d1 = who(client, tree, "oa"), who(client, tree, "d1")
    view = client.get(f"/api/v1/child-friendly/assessments/{a_assessment['id']}", headers=oa).json()
    if view["status"] == "draft":
        view = client.put(
            f"/api/v1/child-friendly/assessments/{view['id']}/values",
            json={"values": _entered(), "version": view["version"]},
            headers=oa,
        ).json()
        view = _submit(client, oa, view)
    refused = _act(client, d1, view, "decide", 409, decision="recognised", decision_ref="QĐ 5/QĐ-UBND")
    assert "criterion 2 scores 0" in refused["detail"] or "criterion 2 scores 0" in str(refused)
    view = _act(client, d1, view, "decide", decision="not_recognised", comment="Tiêu chí 2 và 6 chưa đạt")
    assert view["status"] == "not_recognised"


@pytest.mark.parametrize(
    ("key", "expect"),
    [("oa", 200), ("ob", 404), ("d1", 200), ("d2", 404), ("insp", 200), ("ca1", 404)],
)
def test_who_reads_a_communes_assessment(client, tree, a_assessment, owner, key, expect):
    """Own commune, a sibling commune, the district above, another district, the province, a hamlet below."""
    response = client.get(
        f"/api/v1/child-friendly/assessments/{a_assessment['id']}", headers=who(client, tree, key)
    )
    assert response.status_code == expect, response.text
    if expect == 200:
        counts = _indicator(response.json(), "c3_abused")["value"]["count"]
        assert counts == (2 if key == "oa" else "<5")  # only the commune's record keepers read exact counts
    else:
        assert audit_rows(owner, f"rp-{key}-{tree['tag']}", "denied")


def test_who_starts_classes_and_reads_the_dashboard(client, tree):
    b, a = tree["b"], tree["a"]
    start = {"unit_id": b.id, "year": YEAR}
    assert (
        client.post(
            "/api/v1/child-friendly/assessments", json=start, headers=who(client, tree, "oa")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/child-friendly/assessments", json=start, headers=who(client, tree, "d1")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/child-friendly/assessments", json=start, headers=who(client, tree, "ca1")
        ).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/child-friendly/assessments",
        json={"unit_id": b.id, "year": 2015},
        headers=who(client, tree, "ob"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "year"
    url = f"/api/v1/units/{a.id}/child-friendly/category"
    body = {"category": "disadvantaged", "basis": "Quyết định 861/QĐ-TTg"}
    assert client.put(url, json=body, headers=who(client, tree, "oa")).status_code == 403
    assert client.put(url, json=body, headers=who(client, tree, "d2")).status_code == 403
    wrong = client.put(url, json={"category": "rural"}, headers=who(client, tree, "d1"))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "category"
    set_ = client.put(url, json=body, headers=who(client, tree, "d1"))
    assert set_.status_code == 200 and set_.json()["category"] == "disadvantaged"
    history = client.get(f"/api/v1/units/{a.id}/child-friendly", headers=who(client, tree, "oa")).json()
    assert history["category_set"] is True and history["basis"] == "Quyết định 861/QĐ-TTg"
    dash = f"/api/v1/units/{tree['p'].id}/child-friendly/dashboard"
    assert client.get(dash, headers=who(client, tree, "oa")).status_code == 403
    assert client.get(dash, headers=who(client, tree, "d1")).status_code == 403  # the province is above D1
    assert (
        client.get(
            f"/api/v1/units/{tree['d1'].id}/child-friendly/dashboard", headers=who(client, tree, "d1")
        ).status_code
        == 200
    )
