"""Every role tried on its own unit, a sibling, its parent and a child unit, for every action.

Expected outcomes are computed from two independent facts: what the role may do (the policy
table below, written out by hand, not read from Casbin) and whether the target lies in the
role's subtree (path arithmetic). Each denial must also be in the audit log.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from portal.registry.models import Child
from portal.registry.text import fold, sort_key
from tenancy.models import Unit
from tests.support import child_payload, hamlets_of, login, make_hamlet, make_user, unit

RECORD_ROLES = {"ward_officer", "collaborator"}  # the only roles that may touch personal data
RELATIONS = ("own", "sibling", "parent", "child")


def _inside(path: str, root: str | None) -> bool:
    return root is not None and path.startswith(root)


@pytest.fixture(scope="module")
def world(client, database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine()) as owner:
        p, p2 = unit(owner, "province", "01"), unit(owner, "province", "31")
        d, d2 = unit(owner, "district", "008"), unit(owner, "district", "004")
        c = unit(owner, "commune", "00340")
        c2 = next(
            u
            for u in owner.scalars(select(Unit).where(Unit.parent_id == d.id).order_by(Unit.code))
            if u.id != c.id
        )
        h, h2 = hamlets_of(owner, c)[:2]
        p2_commune = owner.scalars(
            select(Unit).where(Unit.level == "commune", Unit.path.startswith(p2.path)).order_by(Unit.code)
        ).first()
        tag = uuid.uuid4().hex[:6]
        p2_hamlet = make_hamlet(owner, p2_commune, f"Thôn kiểm thử {tag}")
        owner.add(
            Child(
                id=uuid.uuid4(),
                hamlet_id=p2_hamlet.id,
                unit_path=p2_hamlet.path,
                full_name="Phạm Văn Ngoài",
                search_name=fold("Phạm Văn Ngoài"),
                sort_name=sort_key("Phạm Văn Ngoài"),
                date_of_birth=__import__("datetime").date(2015, 1, 1),
                sex="male",
                ethnicity="Kinh",
                school_status="primary",
                status="active",
            )
        )
        owner.commit()
        roles = {
            "admin": (None, {"child": p, "sibling": p2}),
            "provincial_inspector": (p, {"own": p, "sibling": p2, "child": d}),
            "district_officer": (d, {"own": d, "sibling": d2, "parent": p, "child": c}),
            "ward_officer": (c, {"own": c, "sibling": c2, "parent": d, "child": h}),
            "collaborator": (h, {"own": h, "sibling": h2, "parent": c}),
            # no child records at all: the chairman decides cases, the hotline records intakes
            "commune_chairman": (c, {"own": c, "sibling": c2, "parent": d, "child": h}),
            "hotline_officer": (p, {"own": p, "sibling": p2, "child": d}),
        }
        accounts = {}
        for role, (home, _targets) in roles.items():
            user = make_user(owner, f"m-{role}-{tag}", role, home.id if home else None)
            accounts[role] = (user.username, home.path if home else "/")

        def representative_hamlet(target: Unit, own_root: str) -> Unit:
            """A hamlet in the target's subtree; for an ancestor target, one outside the caller's unit."""
            if target.level == "hamlet":
                return target
            candidates = owner.scalars(
                select(Unit)
                .where(Unit.level == "hamlet", Unit.path.startswith(target.path))
                .order_by(Unit.id)
            )
            return next(
                u
                for u in candidates
                if not (
                    target.path != own_root
                    and own_root.startswith(target.path)
                    and u.path.startswith(own_root)
                )
            )

        cases, case_records = {}, {}
        recorder = owner.execute(
            text("SELECT id FROM users WHERE username = :u"), {"u": accounts["admin"][0]}
        )
        recorder_id = recorder.scalar_one()
        for role, (home, targets) in roles.items():
            for relation, target in targets.items():
                hamlet = representative_hamlet(target, home.path if home else "/")
                child_id = owner.scalars(select(Child.id).where(Child.hamlet_id == hamlet.id).limit(1)).one()
                cases[(role, relation)] = (target.id, target.path, hamlet.id, hamlet.path, str(child_id))
                case_records[(role, relation)] = {
                    status: _case_row(owner, hamlet, child_id, status, recorder_id)
                    for status in ("received", "plan_submitted")
                }
        owner.commit()
        tokens = {role: login(client, username) for role, (username, _) in accounts.items()}
    return {"cases": cases, "case_records": case_records, "accounts": accounts, "tokens": tokens}


def _case_row(owner, hamlet: Unit, child_id: uuid.UUID, status: str, recorder: int) -> str:
    case_id = uuid.uuid4()
    owner.execute(
        text(
            "INSERT INTO cases (id, reference, hamlet_id, unit_path, child_id, child_name, child_date_of_birth, "
            "child_sex, case_type, channel, received_at, description, status, risk_level, created_by, created_at, "
            "updated_at, version) VALUES (:id, :ref, :h, :p, :c, 'Trẻ ma trận', '2015-01-01', 'female', "
            "'neglect', 'hotline_111', now(), 'Ma trận quyền', :s, :risk, :by, now(), now(), 1)"
        ),
        {
            "id": case_id,
            "ref": f"MX-{case_id.hex[:12]}",
            "h": hamlet.id,
            "p": hamlet.path,
            "c": child_id,
            "s": status,
            "by": recorder,
            "risk": None if status == "received" else "medium",
        },
    )
    return str(case_id)


MATRIX = [
    (role, rel)
    for role in (
        "admin",
        "provincial_inspector",
        "hotline_officer",
        "district_officer",
        "commune_chairman",
        "ward_officer",
        "collaborator",
    )
    for rel in RELATIONS
]


@pytest.mark.parametrize("role, relation", MATRIX)
def test_role_on_unit(client, owner, world, role, relation):
    if (role, relation) not in world["cases"]:
        pytest.skip(f"{role} has no {relation} unit")
    target_id, target_path, hamlet_id, hamlet_path, child_id = world["cases"][(role, relation)]
    username, root = world["accounts"][role]
    headers = world["tokens"][role]
    in_scope = _inside(target_path, root)
    hamlet_in_scope = _inside(hamlet_path, root)
    records = role in RECORD_ROLES
    denials_before = owner.execute(
        text("SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied'"), {"u": username}
    ).scalar_one()
    expected_denials = 0

    stats = client.get(f"/api/v1/units/{target_id}/stats", headers=headers)
    assert stats.status_code == (200 if in_scope else 403), stats.text
    expected_denials += stats.status_code != 200
    if stats.status_code == 200:
        assert "full_name" not in stats.text and "Phạm Văn Ngoài" not in stats.text
        assert stats.json()["suppressed"] is (not records)

    unit_read = client.get(f"/api/v1/units/{target_id}", headers=headers)
    assert unit_read.status_code == (200 if in_scope else 403)
    expected_denials += unit_read.status_code != 200

    listing = client.get(f"/api/v1/units/{target_id}/children", headers=headers)
    assert listing.status_code == (200 if records and in_scope else 403), listing.text
    expected_denials += listing.status_code != 200
    if listing.status_code == 200:
        hamlets_below = set(
            owner.scalars(select(Unit.id).where(Unit.level == "hamlet", Unit.path.startswith(target_path)))
        )
        assert {c["hamlet_id"] for c in listing.json()["items"]} <= hamlets_below

    read = client.get(f"/api/v1/children/{child_id}", headers=headers)
    assert read.status_code == (200 if records and hamlet_in_scope else 404 if records else 403), read.text
    expected_denials += read.status_code != 200

    history = client.get(f"/api/v1/children/{child_id}/history", headers=headers)
    assert history.status_code == read.status_code
    expected_denials += history.status_code != 200

    patch = client.patch(f"/api/v1/children/{child_id}", headers=headers, json={"notes": f"matrix {role}"})
    assert patch.status_code == read.status_code, patch.text
    expected_denials += patch.status_code != 200

    created = client.post(
        "/api/v1/children",
        headers=headers,
        json=child_payload(hamlet_id, full_name=f"Lê Thị {role} {relation}"),
    )
    assert created.status_code == (201 if records and hamlet_in_scope else 422 if records else 403), (
        created.text
    )
    if created.status_code == 422:
        assert [e["field"] for e in created.json()["errors"]] == ["hamlet_id"]
    expected_denials += created.status_code != 201

    denials_after = owner.execute(
        text("SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied'"), {"u": username}
    ).scalar_one()
    assert denials_after - denials_before == expected_denials


def test_list_never_loads_rows_outside_the_callers_subtree(client, owner, world):
    """A ward officer listing their own commune gets only its hamlets' children, with totals that match SQL."""
    target_id, target_path, *_ = world["cases"][("ward_officer", "own")]
    headers = world["tokens"]["ward_officer"]
    body = client.get(
        f"/api/v1/units/{target_id}/children", params={"page_size": 100}, headers=headers
    ).json()
    hamlet_ids = set(
        owner.scalars(select(Unit.id).where(Unit.level == "hamlet", Unit.path.startswith(target_path)))
    )
    expected = owner.execute(
        text("SELECT count(*) FROM children WHERE unit_path LIKE :p AND status = 'active'"),
        {"p": target_path + "%"},
    ).scalar_one()
    assert body["total"] == expected > 0
    assert {c["hamlet_id"] for c in body["items"]} <= hamlet_ids


@pytest.mark.parametrize("role, relation", MATRIX)
def test_role_on_a_case_in_each_state(client, world, role, relation):
    """Cases: the commune's ward officer reads every case of the commune; its chairman only one that
    waits for a decision (a submitted plan); the collaborator none it is not assigned (404: a case's
    existence does not leak); every other role is refused by Casbin (403)."""
    if (role, relation) not in world["cases"]:
        pytest.skip(f"{role} has no {relation} unit")
    _target_id, _target_path, _hamlet_id, hamlet_path, _child = world["cases"][(role, relation)]
    _username, root = world["accounts"][role]
    commune_root = "/".join(hamlet_path.rstrip("/").split("/")[:-1]) + "/"
    in_commune = root == commune_root
    for status, case_id in world["case_records"][(role, relation)].items():
        read = client.get(f"/api/v1/cases/{case_id}", headers=world["tokens"][role])
        if role == "ward_officer":
            expected = 200 if in_commune else 404
        elif role == "commune_chairman":
            expected = 200 if in_commune and status == "plan_submitted" else 404
        elif role == "collaborator":
            expected = 404
        else:
            expected = 403
        assert read.status_code == expected, (status, read.text)
        if expected == 200:
            assert read.json()["child"]["full_name"] == "Trẻ ma trận"
