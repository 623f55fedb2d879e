"""Hamlets of a commune: created, renamed and closed by the commune's staff (and by the levels above,
inside their subtree); names unique within the commune whatever the accents or case; a hamlet with
active children or staff cannot be closed. Row-level security repeats the rule for the units table."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.clock import today
from infra.db import scoped_session
from tenancy.scope import Scope
from tests.support import child_payload, make_hamlet
from tests.test_staff_support import changes, create, denials, enrol


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


def _post(client, headers, unit_id, name, **extra):
    return client.post(f"/api/v1/units/{unit_id}/hamlets", json={"name": name, **extra}, headers=headers)


def _old_hamlet(owner, org, commune, name):
    """A hamlet that has existed for a long time (valid_from unknown), as the official lists give them."""
    hamlet = make_hamlet(owner, org.units[commune], f"{name} {org.tag}")
    owner.refresh(hamlet)
    return hamlet


def test_a_ward_officer_creates_a_hamlet_of_their_commune(client, owner, org, uid):
    commune = org.units["C1"]
    response = _post(client, org["ward"].headers, commune.id, f"  Tổ   dân phố {uid} ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == f"Tổ dân phố {uid}" and body["level"] == "hamlet" and body["code"] is None
    assert body["path"] == f"{commune.path}{body['id']}/" and body["depth"] == commune.depth + 1
    assert body["parent_id"] == commune.id and body["kind"] == "Thôn"
    assert body["valid_from"] == today().isoformat() and body["valid_to"] is None
    listed = client.get(f"/api/v1/units/{commune.id}/units", headers=org["ward"].headers).json()["items"]
    assert body["id"] in {u["id"] for u in listed}
    (entry,) = changes(owner, "hamlet", body["id"])
    assert (entry["action"], entry["unit_id"], entry["username"]) == (
        "create",
        commune.id,
        org["ward"].username,
    )
    assert entry["detail"]["after"]["name"] == body["name"]


@pytest.mark.parametrize("name", ["thon dong", "THÔN ĐÔNG", "Thôn  Đông", "Thon Đong"])
def test_names_are_unique_in_the_commune_whatever_the_accents_or_case(client, org, name):
    response = _post(client, org["ward"].headers, org.units["C1"].id, name)  # C1 has "Thôn Đông"
    assert response.status_code == 409, response.text
    assert "Thôn Đông" in response.json()["detail"]


def test_kinds(client, org, uid):
    good = _post(client, org["ward"].headers, org.units["C1"].id, f"Khu {uid}", kind="tổ dân phố")
    assert good.status_code == 201 and good.json()["kind"] == "Tổ dân phố"
    bad = _post(client, org["ward"].headers, org.units["C1"].id, f"Khu B {uid}", kind="village")
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["kind"]
    empty = _post(client, org["ward"].headers, org.units["C1"].id, "   ")
    assert empty.status_code == 422 and [e["field"] for e in empty.json()["errors"]] == ["name"]


ROOTS = {"ward": "C1", "dist": "D1", "insp": "P", "collab": "H1"}
TARGETS = {
    "ward": {"own": "C1", "sibling": "C2", "parent": "D1", "child": "H1"},
    "dist": {"own": "D1", "sibling": "D2", "parent": "P", "child": "C1"},
    "insp": {"own": "P", "sibling": "P2", "child": "D1", "grandchild": "C3"},
    "collab": {"own": "H1", "sibling": "H2", "parent": "C1"},
}
CASES = [(who, rel) for who, rels in TARGETS.items() for rel in rels]


@pytest.mark.parametrize("who, relation", CASES)
def test_who_creates_hamlets_where(client, owner, org, uid, who, relation):
    target = org.units[TARGETS[who][relation]]
    inside = target.path.startswith(org.units[ROOTS[who]].path)
    expected = 403 if who == "collab" or not inside else 201 if target.level == "commune" else 422
    before = len(denials(owner, org[who].username))
    response = _post(client, org[who].headers, target.id, f"Thôn mới {who} {relation} {uid}")
    assert response.status_code == expected, (who, relation, response.text)
    assert len(denials(owner, org[who].username)) - before == (expected == 403)


def test_admin_creates_hamlets_anywhere_and_nobody_in_a_closed_commune(client, org, uid):
    assert _post(client, org.admin, org.units["C4"].id, f"Bản {uid}").status_code == 201
    closed = _post(client, org["dist"].headers, org.units["CX"].id, f"Thôn {uid}")
    assert closed.status_code == 409 and "not in force" in closed.json()["detail"]


def test_renaming(client, owner, org, uid):
    ward = org["ward"]
    hamlet = _post(client, ward.headers, org.units["C1"].id, f"Thôn Cũ {uid}").json()
    url = f"/api/v1/hamlets/{hamlet['id']}"
    renamed = client.patch(url, json={"name": f"Thôn Mới {uid}"}, headers=ward.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == f"Thôn Mới {uid}"
    assert renamed.json()["path"] == hamlet["path"]
    same_in_other_case = client.patch(url, json={"name": f"THÔN MỚI {uid}"}, headers=ward.headers)
    assert same_in_other_case.status_code == 200  # its own name does not collide with itself
    taken = client.patch(url, json={"name": "thôn tây"}, headers=ward.headers)  # H2
    assert taken.status_code == 409
    entry = changes(owner, "hamlet", hamlet["id"])[1]
    assert entry["action"] == "update"
    assert (entry["detail"]["before"]["name"], entry["detail"]["after"]["name"]) == (
        f"Thôn Cũ {uid}",
        f"Thôn Mới {uid}",
    )
    for other in ("ward2", "collab", "dist2"):
        before = len(denials(owner, org[other].username))
        response = client.patch(url, json={"name": f"Chiếm {uid}"}, headers=org[other].headers)
        assert response.status_code == 403, (other, response.text)
        assert len(denials(owner, org[other].username)) == before + 1
    assert (
        client.patch(url, json={"name": f"Huyện đặt {uid}"}, headers=org["dist"].headers).status_code == 200
    )
    not_a_hamlet = client.patch(
        f"/api/v1/hamlets/{org.units['C1'].id}", json={"name": "x"}, headers=ward.headers
    )
    assert not_a_hamlet.status_code == 404


def test_a_hamlet_with_active_children_cannot_be_closed(client, owner, org, uid):
    ward = org["ward"]
    hamlet = _old_hamlet(owner, org, "C1", f"Xóm {uid}")
    child = client.post("/api/v1/children", json=child_payload(hamlet.id), headers=ward.headers)
    assert child.status_code == 201, child.text
    url = f"/api/v1/hamlets/{hamlet.id}/close"
    for who in ("ward", "dist"):  # the district officer cannot read the child, and is refused all the same
        refused = client.post(url, headers=org[who].headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["active_children"] == 1 and refused.json()["active_staff"] == []
    moved = client.patch(
        f"/api/v1/children/{child.json()['id']}", json={"status": "moved_away"}, headers=ward.headers
    )
    assert moved.status_code == 200, moved.text
    closed = client.post(url, headers=ward.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["valid_to"] == today().isoformat()
    assert (
        client.get(f"/api/v1/children/{child.json()['id']}", headers=ward.headers).status_code == 200
    )  # kept
    entry = changes(owner, "hamlet", hamlet.id)[-1]
    assert entry["action"] == "close" and entry["detail"]["after"]["valid_to"] == today().isoformat()
    # closed: no more renames, closing twice, or staff placed there
    assert client.post(url, headers=ward.headers).status_code == 409
    assert (
        client.patch(f"/api/v1/hamlets/{hamlet.id}", json={"name": "x y"}, headers=ward.headers).status_code
        == 409
    )
    placed = create(client, ward.headers, f"cl-{uid}", "collaborator", hamlet.id)
    assert placed.status_code == 422 and placed.json()["errors"][0]["code"] == "closed"


def test_a_hamlet_with_active_staff_cannot_be_closed(client, owner, org, uid):
    ward = org["ward"]
    hamlet = _old_hamlet(owner, org, "C1", f"Ấp {uid}")
    collab = enrol(client, ward.headers, f"hc-{uid}", "collaborator", hamlet)
    refused = client.post(f"/api/v1/hamlets/{hamlet.id}/close", headers=ward.headers)
    assert refused.status_code == 409 and refused.json()["active_staff"] == [collab.username]
    moved = client.patch(
        f"/api/v1/staff/{collab.id}", json={"unit_id": org.units["H1"].id}, headers=ward.headers
    )
    assert moved.status_code == 200
    assert client.post(f"/api/v1/hamlets/{hamlet.id}/close", headers=ward.headers).status_code == 200


def test_a_hamlet_opened_today_is_renamed_rather_than_closed(client, org, uid):
    hamlet = _post(client, org["ward"].headers, org.units["C1"].id, f"Nhầm {uid}").json()
    response = client.post(f"/api/v1/hamlets/{hamlet['id']}/close", headers=org["ward"].headers)
    assert response.status_code == 409 and "tomorrow" in response.json()["detail"]


def test_closing_is_refused_outside_the_area_and_for_collaborators(client, owner, org, uid):
    hamlet = _old_hamlet(owner, org, "C2", f"Làng {uid}")
    for who in ("ward", "collab3", "dist2"):
        assert client.post(f"/api/v1/hamlets/{hamlet.id}/close", headers=org[who].headers).status_code == 403


# --- the database repeats the rule --------------------------------------------------------------------


def _scope(org, key):
    path = org.units[key].path
    return Scope(records=path, aggregates=path)


def _insert(session, parent, path_of=None, level="hamlet"):
    new_id = session.execute(text("SELECT nextval(pg_get_serial_sequence('units', 'id'))")).scalar_one()
    path = path_of(new_id) if path_of else f"{parent.path}{new_id}/"
    session.execute(
        text(
            "INSERT INTO units (id, parent_id, level, name, path, depth) VALUES (:i, :p, :l, :n, :path, :d)"
        ),
        {"i": new_id, "p": parent.id, "l": level, "n": f"rls {new_id}", "path": path, "d": parent.depth + 1},
    )


@pytest.mark.parametrize(
    "parent, level, path_of",
    [
        ("C2", "hamlet", None),  # a hamlet of another commune
        ("C1", "commune", None),  # not a hamlet
        ("H1", "hamlet", None),  # under a hamlet
        ("C1", "hamlet", lambda i: f"/{i}/"),  # a path that does not follow its parent
    ],
)
def test_the_application_role_cannot_write_other_units(org, parent, level, path_of):
    with pytest.raises(DBAPIError, match="row-level security"):
        with scoped_session(_scope(org, "C1")) as session:
            _insert(session, org.units[parent], path_of, level)


def test_the_application_role_writes_a_hamlet_in_scope_and_nothing_else(org):
    with scoped_session(_scope(org, "C1")) as session:
        _insert(session, org.units["C1"])
        session.rollback()
        renamed = session.execute(
            text("UPDATE units SET name = name WHERE id IN (:c, :h, :o)"),
            {"c": org.units["C1"].id, "h": org.units["H1"].id, "o": org.units["H3"].id},
        ).rowcount
        assert renamed == 1  # only H1: not the commune itself, not another commune's hamlet
        session.rollback()
    with pytest.raises(DBAPIError, match="permission denied"):
        with scoped_session(_scope(org, "C1")) as session:
            session.execute(text("UPDATE units SET path = path WHERE id = :h"), {"h": org.units["H1"].id})
    with pytest.raises(DBAPIError, match="permission denied"):
        with scoped_session(_scope(org, "C1")) as session:
            session.execute(text("DELETE FROM units WHERE id = :h"), {"h": org.units["H1"].id})


def test_everyone_still_reads_the_whole_tree(org, owner):
    with scoped_session(Scope(records=None, aggregates=None)) as session:
        seen = session.execute(text("SELECT count(*) FROM units")).scalar_one()
    assert seen == owner.execute(text("SELECT count(*) FROM units")).scalar_one()


def test_the_children_count_for_closing_checks_the_scope(org):
    with pytest.raises(DBAPIError, match="outside the caller"):
        with scoped_session(_scope(org, "C1")) as session:
            session.execute(text("SELECT hamlet_open_children(:h)"), {"h": org.units["H3"].id}).scalar_one()
