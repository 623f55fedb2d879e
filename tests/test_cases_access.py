"""Who sees a case: every role on its own, a sibling, its parent and a child unit; assignment and grants;
row-level security in PostgreSQL itself; counts through the disclosure policy. Every denial is in the
audit log.

Expected outcomes come from the rule written out here (not read from the code): a case is seen by its
assigned worker, by ward officers whose commune covers it, and by grantees; only collaborators and
ward officers have any case permission, so every other role gets 403 before any row is read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import new_session
from portal.stats.disclosure import HIDDEN, last_complete_month, month_end
from tenancy.scope import Scope
from tests.cases_support import act, build_world, child_in, intake_body, open_case, who

RECORD_ROLES = {"ward_officer", "collaborator"}
HOME = {
    "admin": "admin",
    "provincial_inspector": "insp",
    "district_officer": "dist",
    "ward_officer": "wo",
    "collaborator": "col1",
}
# (role, relation) -> the hamlet of the probed case
TARGETS = {
    ("provincial_inspector", "own"): "H1",
    ("provincial_inspector", "child"): "H4",
    ("district_officer", "own"): "H1",
    ("district_officer", "sibling"): "H4",
    ("district_officer", "parent"): "H5",
    ("district_officer", "child"): "H3",
    ("ward_officer", "own"): "H2",
    ("ward_officer", "sibling"): "H3",
    ("ward_officer", "parent"): "H4",
    ("ward_officer", "child"): "H1",
    ("collaborator", "own"): "H1",
    ("collaborator", "sibling"): "H2",
    ("collaborator", "parent"): "H3",
    ("admin", "child"): "H1",
}
OPENER = {"H1": "wo", "H2": "wo", "H3": "wo2", "H4": "wo3", "H5": "won"}


@pytest.fixture(scope="module")
def world(client, database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        w = build_world(owner)
        w["cases"] = {
            h: open_case(client, who(client, w, opener), intake_body(child_in(owner, w["units"][h])))
            for h, opener in OPENER.items()
        }
    return w


def sees(role: str, home_path: str | None, case_path: str) -> bool:
    """The rule, written out: only a ward officer sees by place, and only inside their commune."""
    return role == "ward_officer" and home_path is not None and case_path.startswith(home_path)


def denials(owner, username):
    return owner.execute(
        text("SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied'"), {"u": username}
    ).scalar_one()


@pytest.mark.parametrize("role, relation", sorted(TARGETS))
def test_role_on_case(client, owner, world, role, relation):
    key = HOME[role]
    username = f"cs-{key}-{world['tag']}"
    headers = who(client, world, key)
    hamlet = TARGETS[(role, relation)]
    case = world["cases"][hamlet]
    home = owner.execute(
        text("SELECT u.path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.username = :n"),
        {"n": username},
    ).scalar()
    visible = sees(role, home, world["units"][hamlet].path)
    records = role in RECORD_ROLES
    expected = 200 if visible else 404 if records else 403
    before = denials(owner, username)

    read = client.get(f"/api/v1/cases/{case['id']}", headers=headers)
    assert read.status_code == expected, read.text
    listing = client.get("/api/v1/cases", headers=headers, params={"page_size": 100})
    assert listing.status_code == (200 if records else 403)
    if listing.status_code == 200:
        assert (case["id"] in {c["id"] for c in listing.json()["items"]}) is visible
    note = client.post(
        f"/api/v1/cases/{case['id']}/notes", headers=headers, json={"body": f"{role} {relation}"}
    )
    assert note.status_code == expected, note.text
    informant = client.get(f"/api/v1/cases/{case['id']}/informant", headers=headers)
    assert informant.status_code == (200 if visible else 404 if role == "ward_officer" else 403)
    if informant.status_code == 200:
        assert informant.json()["full_name"] == "Bà Hàng Xóm"
    download = client.get(f"/api/v1/cases/{case['id']}/attachments/{case['id']}", headers=headers)
    assert download.status_code == (404 if records else 403)  # no such attachment, or no case permission
    expected_denials = sum(r.status_code in (403, 404) for r in (read, listing, note, informant, download))
    assert denials(owner, username) - before == expected_denials


def test_assigned_and_granted_users_see_exactly_their_cases(client, owner, world):
    wo, col1, col1b, col2 = (who(client, world, k) for k in ("wo", "col1", "col1b", "col2"))
    # A case of its own: the module's H1 case must stay unassigned for test_role_on_case.
    h1_case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    url = f"/api/v1/cases/{h1_case['id']}"
    assert client.get(url, headers=col1).status_code == 404
    act(client, wo, h1_case, "assign", user_id=world["users"]["col1"])
    assert client.get(url, headers=col1).json()["allowed_actions"] == ["assess", "note", "attach"]
    assert client.get(url, headers=col1).status_code == 200
    mine = client.get("/api/v1/cases", headers=col1).json()
    assert [c["id"] for c in mine["items"]] == [h1_case["id"]] and mine["total"] == 1

    # grants: a collaborator of the same hamlet reads only; a ward officer elsewhere reads; nobody else
    for bad in ("col2", "dist", "insp", "admin"):
        refused = act(client, wo, h1_case, "grants", 422, user_id=world["users"][bad], reason="hỗ trợ")
        assert [e["field"] for e in refused["errors"]] == ["user_id"]
    act(client, wo, h1_case, "grants", user_id=world["users"]["col1b"], reason="hỗ trợ thăm gia đình")
    act(client, wo, h1_case, "grants", user_id=world["users"]["wo2"], reason="trẻ chuyển đến xã bên")
    assert client.get(url, headers=col1b).status_code == 200
    assert client.post(f"{url}/notes", headers=col1b, json={"body": "x"}).status_code == 403  # read only
    assert client.get(url, headers=who(client, world, "wo2")).status_code == 200
    assert client.get(url, headers=col2).status_code == 404
    dup = act(client, wo, h1_case, "grants", 409, user_id=world["users"]["col1b"], reason="lần nữa")
    assert "already" in dup["detail"]
    assert act(client, col1, h1_case, "grants", 403, user_id=world["users"]["col1b"], reason="x")


def rls_count(table: str, scope: Scope, user_id: int | None) -> int:
    session = new_session(scope, user_id)
    try:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # no WHERE on purpose
    finally:
        session.rollback()
        session.close()


def test_row_level_security_holds_without_any_filter(owner, world):
    units, users = world["units"], world["users"]
    c, h1 = units["C"], units["H1"]
    in_c = owner.execute(
        text("SELECT count(*) FROM cases WHERE unit_path LIKE :p"), {"p": c.path + "%"}
    ).scalar()
    assert in_c >= 2
    assert rls_count("cases", Scope(c.path, c.path), users["wo"]) == in_c
    assert rls_count("cases", Scope(c.path, c.path), None) == 0  # no user: nothing
    assert rls_count("cases", Scope(units["C2"].path, units["C2"].path), users["wo"]) == 0  # scope must agree
    assert rls_count("cases", Scope(None, units["P"].path), users["insp"]) == 0
    assert rls_count("cases", Scope(units["D"].path, units["D"].path), users["dist"]) == 0
    assert rls_count("cases", Scope(h1.path, h1.path), users["col2"]) == 0
    assert rls_count("case_informants", Scope(h1.path, h1.path), users["col1"]) == 0  # even when assigned
    assert rls_count("case_informants", Scope(c.path, c.path), users["wo"]) >= 2
    assert rls_count("case_events", Scope(h1.path, h1.path), users["col2"]) == 0
    assert (
        rls_count("case_alerts", Scope(c.path, c.path), users["wo"])
        == owner.execute(
            text("SELECT count(*) FROM case_alerts WHERE recipient_id = :u"), {"u": users["wo"]}
        ).scalar()
    )

    # a collaborator cannot write a case outside their hamlet, even bypassing the service
    session = new_session(Scope(h1.path, h1.path), users["col1"])
    try:
        with pytest.raises(DBAPIError, match="row-level security"):
            session.execute(
                text(
                    "INSERT INTO cases (id, reference, hamlet_id, unit_path, child_id, child_name, child_date_of_birth, "
                    "child_sex, case_type, channel, received_at, description, created_by) "
                    "VALUES (gen_random_uuid(), 'X-rls', :h, :p, CAST(:child AS uuid), 'x', '2015-01-01', 'male', "
                    "'other', 'other', now(), 'x', :u)"
                ),
                {
                    "h": units["H2"].id,
                    "p": units["H2"].path,
                    "u": users["col1"],
                    "child": child_in(owner, units["H2"]),
                },
            )
    finally:
        session.rollback()
        session.close()


def test_case_counts_are_exact_for_the_commune_and_published_for_everyone_else(client, owner, world):
    units = world["units"]
    c = units["C"]
    exact = client.get(
        "/api/v1/cases/stats", params={"unit_id": c.id}, headers=who(client, world, "wo")
    ).json()
    in_c = owner.execute(
        text("SELECT status, count(*) FROM cases WHERE unit_path LIKE :p GROUP BY status"),
        {"p": c.path + "%"},
    ).all()
    assert exact["suppressed"] is False and exact["total"] == sum(n for _, n in in_c)
    assert {k: v for k, v in exact["by_status"].items() if v} == dict(in_c)

    for key, unit in (("col1", "H1"), ("dist", "D"), ("insp", "P")):
        body = client.get(
            "/api/v1/cases/stats", params={"unit_id": units[unit].id}, headers=who(client, world, key)
        )
        assert body.status_code == 200, body.text
        stats = body.json()
        assert stats["suppressed"] is True and stats["suppression_threshold"] == 5
        assert stats["received_to"] == month_end(last_complete_month()).isoformat()  # ended months only
        assert stats["total"] in (0, HIDDEN) or stats["total"] >= 5
        assert all(v in (0, HIDDEN) or v >= 5 for v in stats["by_type"].values())
    outside = client.get(
        "/api/v1/cases/stats", params={"unit_id": units["D2"].id}, headers=who(client, world, "dist")
    )
    assert outside.status_code == 403
    period = client.get(
        "/api/v1/cases/stats",
        params={"unit_id": c.id, "from": "2030-01-02", "to": "2030-01-01"},
        headers=who(client, world, "wo"),
    )
    assert period.status_code == 422 and period.json()["errors"][0]["field"] == "to"


def test_cases_follow_their_hamlet_through_a_reorganisation(client, owner, world):
    """A hamlet moved to another commune (the reorganisation's own move) takes its cases along: the new
    commune's ward officer sees them, the old one no longer does."""
    from tenancy.reorg import _move
    from tests.support import make_unit, make_user
    from tests.test_reorg import add_children

    d, tag = world["units"]["D"], world["tag"]
    x, y = (make_unit(owner, d, "commune", f"Xã {k} chuyển {tag}") for k in ("X", "Y"))
    hx = make_unit(owner, x, "hamlet", f"Thôn chuyển {tag}")
    add_children(owner, hx, 1)
    for k, unit in (("wox", x), ("woy", y)):
        make_user(owner, f"cs-{k}-{tag}", "ward_officer", unit.id)
    wox, woy = who(client, world, "wox"), who(client, world, "woy")
    case = open_case(client, wox, intake_body(child_in(owner, hx)))
    _move(owner, 0, hx.id, y.id, None, False)
    owner.commit()
    path = owner.execute(text("SELECT unit_path FROM cases WHERE id = :c"), {"c": case["id"]}).scalar_one()
    assert path == f"{y.path}{hx.id}/"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=woy).status_code == 200
    assert client.get(f"/api/v1/cases/{case['id']}", headers=wox).status_code == 404


def test_the_cases_api_is_in_the_openapi_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/plan/approve",
        "/api/v1/cases/{case_id}/attachments",
        "/api/v1/cases/alerts",
        "/api/v1/cases/stats",
    ):
        assert path in paths, path
    intake = paths["/api/v1/cases"]["post"]
    assert intake["tags"] == ["cases"] and intake["summary"] == "Record a report (form 01)"
