"""Staff accounts: who may create, move, re-role, deactivate and reactivate whom; lists filtered to the
manager's subtree; sessions ending at once; every change and every refusal in the audit log.

The escalation matrix tries every role on its own unit, a sibling, its parent and a child unit,
granting every role. The expected answer comes from the hand-written rank table and path
arithmetic in tests/test_staff_support.py, not from portal.staff.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support import child_payload, login
from tests.test_staff_support import (
    DEMO_ADMIN,
    LEVEL,
    RANK,
    STAFF_PASSWORD,
    changes,
    create,
    denials,
    enrol,
)

DEPTH = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


MANAGERS = {  # account key in the org -> its relations (own, sibling, parent, child) as unit keys
    "admin": {"child": "P", "sibling": "P2"},
    "insp": {"own": "P", "sibling": "P2", "child": "D1"},
    "dist": {"own": "D1", "sibling": "D2", "parent": "P", "child": "C1"},
    "ward": {"own": "C1", "sibling": "C2", "parent": "D1", "child": "H1"},
    "collab": {"own": "H1", "sibling": "H2", "parent": "C1"},
}
ROLE_OF = {
    "admin": "admin",
    "insp": "provincial_inspector",
    "dist": "district_officer",
    "ward": "ward_officer",
    "collab": "collaborator",
}
GRANTS = ("collaborator", "ward_officer", "district_officer", "provincial_inspector", "admin")


def _headers(org, key):
    return org.admin if key == "admin" else org[key].headers


def _username(org, key):
    return DEMO_ADMIN[0] if key == "admin" else org[key].username


def _root(org, key):
    return "/" if key == "admin" else org[key].unit.path


def _unit_for(org, target_key, level, root):
    """A unit of ``level`` related to the target: the target itself, its ancestor of that level, or a
    descendant of it (one outside the manager's own subtree when the target is above the manager)."""
    target = org.units[target_key]
    if target.level == level:
        return target
    candidates = [u for u in org.units.values() if u.level == level and u.valid_to is None]
    if DEPTH[level] < DEPTH[target.level]:
        return next(u for u in candidates if target.path.startswith(u.path))
    below = [u for u in candidates if u.path.startswith(target.path)]
    above_me = target.path != root and root.startswith(target.path)
    outside = [u for u in below if not u.path.startswith(root)]
    return (outside if above_me and outside else below)[0]


CASES = [(m, rel, role) for m, rels in MANAGERS.items() for rel in rels for role in GRANTS]


@pytest.mark.parametrize("manager, relation, role", CASES)
def test_escalation_matrix_create(client, owner, org, uid, manager, relation, role):
    root = _root(org, manager)
    unit = None if role == "admin" else _unit_for(org, MANAGERS[manager][relation], LEVEL[role], root)
    my_role = ROLE_OF[manager]
    may_manage = my_role != "collaborator"
    outranks = my_role == "admin" or RANK[my_role] > RANK[role]
    inside = unit is None or unit.path.startswith(root)
    expected = 201 if may_manage and outranks and inside else 403
    before = len(denials(owner, _username(org, manager)))
    response = create(client, _headers(org, manager), f"mx-{uid}", role, unit.id if unit else None)
    assert response.status_code == expected, (manager, relation, role, unit and unit.name, response.text)
    after = denials(owner, _username(org, manager))
    assert len(after) - before == (expected != 201)
    if expected == 201:
        body = response.json()
        assert body["role"] == role and (body["unit"] and body["unit"]["id"]) == (unit.id if unit else None)
        # the code is shown only to a manager who reads what the account reads (records: the same
        # commune's ward officer); an aggregate-only manager's answer says only where it was sent
        reads_records = role in ("collaborator", "ward_officer")
        if reads_records and my_role != "ward_officer":
            assert body["setup_code"] is None and body["code_delivery"]["channel"] == "email"
        else:
            assert len(body["setup_code"]["code"]) == 19  # XXXX-XXXX-XXXX-XXXX
    else:
        entry = after[-1]
        assert (entry["resource"], entry["action"], entry["status_code"]) == ("staff", "create", 403)
        assert entry["detail"]["role"] == role
        exists = owner.execute(text("SELECT count(*) FROM users WHERE username = :u"), {"u": f"mx-{uid}"})
        assert exists.scalar_one() == 0


def test_ward_officer_cannot_create_a_provincial_inspector_refused_and_audited(client, owner, org, uid):
    ward = org["ward"]
    response = create(client, ward.headers, f"esc-{uid}", "provincial_inspector", org.units["P"].id)
    assert response.status_code == 403, response.text
    assert "provincial_inspector" in response.json()["detail"]
    entry = denials(owner, ward.username)[-1]
    assert entry["detail"]["role"] == "provincial_inspector" and entry["unit_id"] == org.units["P"].id
    assert entry["role"] == "ward_officer" and entry["detail"]["path"] == "/api/v1/staff"


def test_ward_officer_cannot_create_a_collaborator_in_another_commune_refused_and_audited(
    client, owner, org, uid
):
    ward = org["ward"]
    for other in ("H3", "H5", "H4"):  # a sibling commune's hamlet, another district's, another province's
        response = create(
            client, ward.headers, f"esc-{other.lower()}-{uid}", "collaborator", org.units[other].id
        )
        assert response.status_code == 403, response.text
        entry = denials(owner, ward.username)[-1]
        assert (entry["action"], entry["unit_id"], entry["detail"]["role"]) == (
            "create",
            org.units[other].id,
            "collaborator",
        )
        assert "outside your area" in entry["detail"]["reason"]


def test_the_role_must_fit_the_units_level(client, org, uid):
    dist = org["dist"]
    cases = [
        ("collaborator", org.units["C1"].id, "level"),  # a collaborator works at a hamlet
        ("ward_officer", org.units["H1"].id, "level"),
        ("ward_officer", None, "required"),
        ("ward_officer", org.units["CX"].id, "closed"),  # closed on 1 July 2025
        ("ward_officer", 987654321, "unknown"),
    ]
    for i, (role, unit_id, code) in enumerate(cases):
        response = create(client, dist.headers, f"lvl-{i}-{uid}", role, unit_id)
        assert response.status_code == 422, (role, unit_id, response.text)
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("unit_id", code)]
    admin_with_unit = create(client, org.admin, f"lvl-a-{uid}", "admin", org.units["P"].id)
    assert admin_with_unit.status_code == 422 and admin_with_unit.json()["errors"][0]["field"] == "unit_id"


def test_bad_input_is_named_field_by_field(client, org):
    response = client.post(
        "/api/v1/staff",
        json={"username": "Có Dấu", "full_name": "  ", "role": "chairman", "unit_id": org.units["H1"].id},
        headers=org["ward"].headers,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"username", "full_name", "role"}
    malformed = client.post("/api/v1/staff", json={"username": "x"}, headers=org["ward"].headers)
    assert malformed.status_code == 400


def test_usernames_are_unique(client, org, uid):
    ward = org["ward"]
    assert create(client, ward.headers, f"dup-{uid}", "collaborator", org.units["H1"].id).status_code == 201
    again = create(client, ward.headers, f"dup-{uid}", "collaborator", org.units["H2"].id)
    assert again.status_code == 409, again.text
    assert create(client, ward.headers, "demo-officer", "collaborator", org.units["H1"].id).status_code == 409


def test_a_new_account_cannot_log_in_before_its_setup_code_is_used(client, org, uid):
    response = create(client, org["ward"].headers, f"new-{uid}", "collaborator", org.units["H1"].id)
    assert response.status_code == 201
    assert "password" not in response.text.replace("setup_code", "")
    assert (
        client.post("/api/v1/auth/login", json={"username": f"new-{uid}", "password": ""}).status_code == 401
    )


def test_a_creation_is_audited_with_role_and_unit(client, owner, org, uid):
    response = create(client, org["ward"].headers, f"aud-{uid}", "collaborator", org.units["H2"].id)
    user_id = response.json()["id"]
    (entry,) = changes(owner, "staff", user_id)
    assert (entry["action"], entry["username"], entry["unit_id"]) == (
        "create",
        org["ward"].username,
        org.units["H2"].id,
    )
    assert entry["detail"]["before"] is None
    assert entry["detail"]["after"]["role"] == "collaborator"
    assert entry["detail"]["after"]["unit_id"] == org.units["H2"].id
    assert response.json()["setup_code"]["code"] not in str(entry)  # the code itself is never logged


# --- lists and reads ------------------------------------------------------------------------------


def _listed(client, headers, **params):
    response = client.get("/api/v1/staff", params={"page_size": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _expected(owner, root, below):
    rows = owner.execute(
        text(
            "SELECT u.id FROM users u JOIN units n ON n.id = u.unit_id "
            "WHERE n.path LIKE :p AND (u.role = ANY(:r) OR u.role IS NULL)"
        ),
        {"p": root + "%", "r": below},
    )
    return set(rows.scalars())


@pytest.mark.parametrize(
    "key, below",
    [
        ("ward", ["collaborator"]),
        ("dist", ["collaborator", "ward_officer", "commune_chairman"]),
        (
            "insp",
            ["collaborator", "ward_officer", "commune_chairman", "district_officer", "hotline_officer"],
        ),
    ],
)
def test_the_list_is_the_managers_subtree_and_lower_ranks(client, owner, org, key, below):
    body = _listed(client, org[key].headers)
    owner.rollback()
    expected = _expected(owner, org[key].unit.path, below)
    assert {i["id"] for i in body["items"]} == expected and body["total"] == len(expected)
    assert all(i["unit"]["path"].startswith(org[key].unit.path) for i in body["items"])
    assert org[key].id not in {i["id"] for i in body["items"]}
    assert body["grantable_roles"] == below


def test_list_filters(client, org):
    dist = org["dist"]
    by_unit = _listed(client, dist.headers, unit_id=org.units["C1"].id)
    assert {i["username"] for i in by_unit["items"]} >= {org["ward"].username, org["collab"].username}
    assert org["ward2"].username not in {i["username"] for i in by_unit["items"]}
    by_role = _listed(client, dist.headers, role="ward_officer")
    assert {i["role"] for i in by_role["items"]} == {"ward_officer"}
    found = _listed(client, dist.headers, q="CAN BO COLLAB2")  # accent- and case-insensitive name
    assert [i["username"] for i in found["items"]] == [org["collab2"].username]
    outside = client.get("/api/v1/staff", params={"unit_id": org.units["C3"].id}, headers=dist.headers)
    assert outside.status_code == 403
    collab = client.get("/api/v1/staff", headers=org["collab"].headers)
    assert collab.status_code == 403


def test_admin_lists_everyone(client, org):
    body = _listed(client, org.admin, q=org.tag)
    assert {i["username"] for i in body["items"]} >= {a.username for a in org.accounts.values()}


@pytest.mark.parametrize(
    "reader, target, status",
    [
        ("ward", "collab", 200),
        ("ward", "collab3", 404),  # another commune
        ("ward", "ward2", 404),  # a peer
        ("ward", "dist", 404),  # a superior
        ("dist", "ward", 200),
        ("dist", "ward3", 404),
        ("insp", "dist2", 200),
        ("insp", "ward4", 404),  # another province
        ("collab", "collab2", 403),
        ("ward", "ward", 200),  # oneself
    ],
)
def test_reading_one_account(client, owner, org, reader, target, status):
    before = len(denials(owner, org[reader].username))
    response = client.get(f"/api/v1/staff/{org[target].id}", headers=org[reader].headers)
    assert response.status_code == status, response.text
    assert len(denials(owner, org[reader].username)) - before == (status != 200)
    if status == 200:
        assert response.json()["username"] == org[target].username and "password_hash" not in response.text


# --- moves, role changes, self-management -----------------------------------------------------------


def test_a_move_ends_the_sessions_and_changes_the_scope(client, owner, org, uid):
    ward = org["ward"]
    moving = enrol(client, ward.headers, f"mv-{uid}", "collaborator", org.units["H1"])
    child = client.post("/api/v1/children", json=child_payload(org.units["H1"].id), headers=moving.headers)
    assert child.status_code == 201, child.text
    child_id = child.json()["id"]
    response = client.patch(
        f"/api/v1/staff/{moving.id}", json={"unit_id": org.units["H2"].id}, headers=ward.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["unit"]["id"] == org.units["H2"].id
    assert client.get("/api/v1/me", headers=moving.headers).status_code == 401  # at once
    fresh = login(client, moving.username, STAFF_PASSWORD)
    assert (
        client.get(f"/api/v1/children/{child_id}", headers=fresh).status_code == 404
    )  # H1 is no longer theirs
    assert (
        client.get(f"/api/v1/children/{child_id}", headers=ward.headers).status_code == 200
    )  # the record stays
    entry = changes(owner, "staff", moving.id)[-1]
    assert entry["action"] == "move"
    assert (entry["detail"]["before"]["unit_id"], entry["detail"]["after"]["unit_id"]) == (
        org.units["H1"].id,
        org.units["H2"].id,
    )
    assert entry["detail"]["revoked_sessions"] == 1


def test_renaming_keeps_the_sessions(client, owner, org, uid):
    ward = org["ward"]
    renamed = enrol(client, ward.headers, f"rn-{uid}", "collaborator", org.units["H1"])
    response = client.patch(
        f"/api/v1/staff/{renamed.id}", json={"full_name": "  Nguyễn   Thị Lan "}, headers=ward.headers
    )
    assert response.status_code == 200 and response.json()["full_name"] == "Nguyễn Thị Lan"
    assert client.get("/api/v1/me", headers=renamed.headers).status_code == 200
    entry = changes(owner, "staff", renamed.id)[-1]
    assert entry["action"] == "update" and entry["detail"]["after"]["full_name"] == "Nguyễn Thị Lan"


@pytest.mark.parametrize(
    "manager, target_role, target_unit, change, status",
    [
        ("ward", "collaborator", "H1", {"unit_id": "H3"}, 403),  # into a sibling commune
        ("ward", "collaborator", "H1", {"unit_id": "H5"}, 403),  # into another district
        ("ward", "collaborator", "H1", {"role": "ward_officer", "unit_id": "C1"}, 403),  # to their own rank
        ("ward", "collaborator", "H1", {"role": "provincial_inspector", "unit_id": "P"}, 403),
        ("ward", "collaborator", "H1", {"role": "admin", "unit_id": None}, 403),
        ("ward", "collaborator", "H1", {"role": "ward_officer"}, 403),  # rank first, then level
        ("ward", "collaborator", "H1", {"unit_id": "C1"}, 422),  # a collaborator works at a hamlet
        ("dist", "ward_officer", "C1", {"unit_id": "C2"}, 200),
        ("dist", "ward_officer", "C1", {"unit_id": "C3"}, 403),  # another district
        ("dist", "ward_officer", "C1", {"role": "district_officer", "unit_id": "D1"}, 403),
        ("dist", "ward_officer", "C1", {"role": "collaborator", "unit_id": "H2"}, 200),  # a demotion
        ("insp", "ward_officer", "C1", {"role": "district_officer", "unit_id": "D2"}, 200),
        ("insp", "ward_officer", "C1", {"role": "district_officer", "unit_id": "D3"}, 403),  # other province
        ("insp", "district_officer", "D1", {"role": "provincial_inspector", "unit_id": "P"}, 403),
        ("admin", "district_officer", "D1", {"role": "provincial_inspector", "unit_id": "P2"}, 200),
    ],
)
def test_moves_and_role_changes(client, owner, org, uid, manager, target_role, target_unit, change, status):
    target = enrol(client, org.admin, f"tg-{uid}", target_role, org.units[target_unit])
    body = {k: (org.units[v].id if k == "unit_id" and v else v) for k, v in change.items()}
    before = len(denials(owner, _username(org, manager)))
    response = client.patch(f"/api/v1/staff/{target.id}", json=body, headers=_headers(org, manager))
    assert response.status_code == status, response.text
    assert len(denials(owner, _username(org, manager))) - before == (status == 403)
    owner.rollback()
    role, unit_id = owner.execute(
        text("SELECT role, unit_id FROM users WHERE id = :i"), {"i": target.id}
    ).one()
    if status == 200:
        assert role == change.get("role", target_role) and unit_id == body.get(
            "unit_id", org.units[target_unit].id
        )
        assert client.get("/api/v1/me", headers=target.headers).status_code == 401
    else:
        assert (role, unit_id) == (target_role, org.units[target_unit].id)  # nothing half-written
        assert client.get("/api/v1/me", headers=target.headers).status_code == 200


@pytest.mark.parametrize("key", ["ward", "dist", "insp"])
def test_self_promotion_self_move_and_self_deactivation_are_refused(client, owner, org, key):
    me = org[key]
    before = len(denials(owner, me.username))
    attempts = [
        client.patch(f"/api/v1/staff/{me.id}", json={"role": "admin", "unit_id": None}, headers=me.headers),
        client.patch(f"/api/v1/staff/{me.id}", json={"unit_id": org.units["P"].id}, headers=me.headers),
        client.patch(f"/api/v1/staff/{me.id}", json={"full_name": "Tự đổi tên"}, headers=me.headers),
        client.post(f"/api/v1/staff/{me.id}/deactivate", headers=me.headers),
        client.post(f"/api/v1/staff/{me.id}/password-reset", headers=me.headers),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert "your own account" in attempts[0].json()["detail"]
    assert len(denials(owner, me.username)) - before == len(attempts)
    owner.rollback()
    row = owner.execute(text("SELECT role, unit_id, is_active FROM users WHERE id = :i"), {"i": me.id}).one()
    assert tuple(row) == (me.role, me.unit.id, True)


def test_the_admin_cannot_change_themselves_either(client):
    admin = login(client, *DEMO_ADMIN)
    me = client.get("/api/v1/me", headers=admin).json()
    assert client.post(f"/api/v1/staff/{me['id']}/deactivate", headers=admin).status_code == 403


@pytest.mark.parametrize(
    "actor, target",
    [
        ("ward", "ward2"),
        ("ward", "dist"),
        ("ward", "collab3"),
        ("dist", "ward3"),
        ("dist", "insp"),
        ("insp", "ward4"),
    ],
)
def test_accounts_outside_the_managed_set_are_not_found(client, owner, org, actor, target):
    before = len(denials(owner, org[actor].username))
    url = f"/api/v1/staff/{org[target].id}"
    answers = [
        client.patch(url, json={"full_name": "x y"}, headers=org[actor].headers),
        client.post(f"{url}/deactivate", headers=org[actor].headers),
        client.post(f"{url}/password-reset", headers=org[actor].headers),
        client.post(f"{url}/sessions/revoke", headers=org[actor].headers),
    ]
    assert [r.status_code for r in answers] == [404] * 4
    assert len(denials(owner, org[actor].username)) - before == 4
    assert client.get("/api/v1/me", headers=org[target].headers).status_code == 200


def test_collaborators_manage_nobody(client, owner, org):
    collab = org["collab"]
    answers = [
        client.post(f"/api/v1/staff/{org['collab2'].id}/deactivate", headers=collab.headers),
        client.patch(
            f"/api/v1/staff/{org['collab2'].id}", json={"unit_id": org.units["H1"].id}, headers=collab.headers
        ),
        client.post(f"/api/v1/staff/{org['collab2'].id}/password-reset", headers=collab.headers),
    ]
    assert [r.status_code for r in answers] == [403, 403, 403]


# --- deactivation ------------------------------------------------------------------------------------


def test_deactivation_ends_access_at_once_and_the_records_stay(client, owner, org, uid):
    ward = org["ward"]
    leaving = enrol(client, ward.headers, f"off-{uid}", "collaborator", org.units["H2"])
    other_session = login(client, leaving.username, STAFF_PASSWORD)
    made = client.post("/api/v1/children", json=child_payload(org.units["H2"].id), headers=leaving.headers)
    assert made.status_code == 201
    child_id = made.json()["id"]
    response = client.post(f"/api/v1/staff/{leaving.id}/deactivate", headers=ward.headers)
    assert response.status_code == 200 and response.json()["is_active"] is False
    for headers in (leaving.headers, other_session):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    owner.rollback()
    live = owner.execute(
        text("SELECT count(*) FROM auth_tokens WHERE user_id = :u AND revoked_at IS NULL"), {"u": leaving.id}
    ).scalar_one()
    assert live == 0
    login_again = client.post(
        "/api/v1/auth/login", json={"username": leaving.username, "password": STAFF_PASSWORD}
    )
    assert login_again.status_code == 401
    assert client.get(f"/api/v1/children/{child_id}", headers=ward.headers).status_code == 200
    owner.rollback()
    actor = owner.execute(
        text("SELECT actor_username FROM child_history WHERE child_id = :c ORDER BY id LIMIT 1"),
        {"c": child_id},
    ).scalar_one()
    assert actor == leaving.username
    entry = changes(owner, "staff", leaving.id)[-1]
    assert entry["action"] == "deactivate" and entry["detail"]["revoked_sessions"] == 2
    assert (entry["detail"]["before"]["is_active"], entry["detail"]["after"]["is_active"]) == (True, False)
    assert (
        entry["detail"]["after"]["role"] == "collaborator"
        and entry["detail"]["after"]["unit_id"] == org.units["H2"].id
    )
    # still listed (as inactive) for the manager; deactivating twice changes nothing
    listed = _listed(client, ward.headers, active=False)
    assert leaving.id in {i["id"] for i in listed["items"]}
    recorded = len(changes(owner, "staff", leaving.id))
    assert client.post(f"/api/v1/staff/{leaving.id}/deactivate", headers=ward.headers).status_code == 200
    assert len(changes(owner, "staff", leaving.id)) == recorded


def test_reactivation_needs_a_fresh_password_code_but_not_a_new_account(client, owner, org, uid):
    ward = org["ward"]
    back = enrol(client, ward.headers, f"back-{uid}", "collaborator", org.units["H1"])
    assert client.post(f"/api/v1/staff/{back.id}/deactivate", headers=ward.headers).status_code == 200
    assert client.post(f"/api/v1/staff/{back.id}/password-reset", headers=ward.headers).status_code == 409
    response = client.post(f"/api/v1/staff/{back.id}/activate", headers=ward.headers)
    assert response.status_code == 200 and response.json()["is_active"] is True
    assert login(client, back.username, STAFF_PASSWORD)
    assert changes(owner, "staff", back.id)[-1]["action"] == "activate"


def test_a_manager_can_end_all_sessions_of_an_account(client, owner, org, uid):
    ward = org["ward"]
    target = enrol(client, ward.headers, f"ses-{uid}", "collaborator", org.units["H1"])
    second = login(client, target.username, STAFF_PASSWORD)
    response = client.post(f"/api/v1/staff/{target.id}/sessions/revoke", headers=ward.headers)
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert client.get("/api/v1/me", headers=target.headers).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert login(client, target.username, STAFF_PASSWORD)  # the account itself still works
    assert changes(owner, "staff", target.id)[-1]["action"] == "revoke_sessions"


def test_the_staff_api_is_in_the_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/staff",
        "/api/v1/staff/{user_id}",
        "/api/v1/staff/{user_id}/deactivate",
        "/api/v1/staff/{user_id}/password-reset",
        "/api/v1/auth/set-password",
        "/api/v1/units/{unit_id}/hamlets",
        "/api/v1/hamlets/{hamlet_id}/close",
        "/api/v1/trainings/{course_id}/attendees",
        "/api/v1/units/{unit_id}/training-counts",
    ):
        assert path in paths, path


def test_every_staff_answer_has_its_schema_in_the_document(client):
    """Each success answer of the staff, hamlet and training operations names its shape, and the
    shape says which keys are always there (null or not) and which may be absent."""
    document = client.get("/schema/openapi.json").json()
    shapes = document["components"]["schemas"]
    named = {}
    for path, operations in document["paths"].items():
        if not any(
            part in path for part in ("/staff", "/hamlets", "/trainings", "/training-", "/me/contact")
        ):
            continue
        for method, operation in operations.items():
            (status,) = [s for s in operation["responses"] if s.startswith("2")]
            if status == "204":
                continue
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            named[method.upper(), path] = ref.rsplit("/", 1)[-1]
    assert len(named) == 20, named
    assert named["POST", "/api/v1/staff"] == "AccountCreated"
    assert {"setup_code", "code_delivery", "email", "unit"} <= set(shapes["AccountCreated"]["required"])
    reset = shapes[named["POST", "/api/v1/staff/{user_id}/password-reset"]]
    assert set(reset["required"]) == {"code", "purpose", "code_delivery"}  # expires_at only when shown
    course = shapes[named["GET", "/api/v1/trainings/{course_id}"]]
    assert "attendance" in course["required"] and "attendees" not in course["required"]
    listed = shapes[named["GET", "/api/v1/units/{unit_id}/training-attendance"]]
    assert {"items", "total", "page", "page_size"} <= set(listed["required"])
