"""A child who moves to another commune or province (issue 15): both sides, each step, who sees what.

Against real PostgreSQL with row-level security: the API's answers at every step, and the database's own
answer for a scoped session of each side (the second wall), with the audit rows each side keeps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infra.db import admin_engine, scoped_session
from portal.registry.models import Child, ChildMove
from tenancy.models import Unit
from tenancy.scope import Scope
from tenancy.service import unit_by_code
from tests.support import child_payload, fitting_id, login, make_hamlet, make_user, unit

TODAY = date.today().isoformat()
ERA = date(2025, 7, 1)  # the two-tier structure in force since 1 July 2025


@dataclass
class Side:
    commune: Unit
    hamlet: Unit
    collaborator: dict[str, str]
    officer: dict[str, str]


@dataclass
class World:
    a: Side  # Hà Nội (01): the origin
    b: Side  # Hải Phòng (31): the destination, another province
    bystander: dict[str, str]  # a ward officer of another commune of province 01
    district: dict[str, str]
    inspector: dict[str, str]
    a_sibling_hamlet: Unit


def _commune(owner: Session, province: Unit, skip: set[int]) -> Unit:
    return next(
        u
        for u in owner.scalars(
            select(Unit)
            .where(Unit.level == "commune", Unit.path.startswith(province.path), Unit.valid_to.is_(None))
            .order_by(Unit.code)
        )
        if u.id not in skip
    )


@pytest.fixture(scope="module")
def world(client, database) -> World:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        tag = uuid.uuid4().hex[:6]
        p1, p2 = (unit_by_code(owner, "province", code, ERA) for code in ("01", "31"))
        assert p1 is not None and p2 is not None
        ca = unit_by_code(owner, "commune", "00331", ERA)  # Phường Yên Sở since 2025
        assert ca is not None
        cb = _commune(owner, p2, set())
        cc = _commune(owner, p1, {ca.id})
        sides = []
        for name, commune in (("a", ca), ("b", cb)):
            hamlet = make_hamlet(owner, commune, f"Thôn chuyển {name} {tag}")
            collab = make_user(owner, f"mv-collab-{name}-{tag}", "collaborator", hamlet.id)
            officer = make_user(owner, f"mv-officer-{name}-{tag}", "ward_officer", commune.id)
            sides.append((commune, hamlet, collab.username, officer.username))
        sibling = make_hamlet(owner, ca, f"Thôn bên {tag}")
        bystander = make_user(owner, f"mv-officer-c-{tag}", "ward_officer", cc.id).username
        old_district = unit(owner, "district", "008")  # Hoàng Mai, abolished in 2025 with the districts
        district = make_user(owner, f"mv-district-{tag}", "district_officer", old_district.id).username
        inspector = make_user(owner, f"mv-inspector-{tag}", "provincial_inspector", p1.id).username
    return World(
        a=Side(sides[0][0], sides[0][1], login(client, sides[0][2]), login(client, sides[0][3])),
        b=Side(sides[1][0], sides[1][1], login(client, sides[1][2]), login(client, sides[1][3])),
        bystander=login(client, bystander),
        district=login(client, district),
        inspector=login(client, inspector),
        a_sibling_hamlet=sibling,
    )


def _national_id() -> str:
    return fitting_id()  # child_payload's girl born in 2018


def _child(client, world: World, **overrides) -> dict:
    r = client.post(
        "/api/v1/children",
        json=child_payload(world.a.hamlet.id, national_id=_national_id(), **overrides),
        headers=world.a.collaborator,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _move(client, world: World, child_id: str, to_unit_id: int | None, **extra) -> dict:
    body = {"moved_on": TODAY, "to_unit_id": to_unit_id, **extra}
    r = client.post(f"/api/v1/children/{child_id}/moves", json=body, headers=world.a.collaborator)
    assert r.status_code == 201, r.text
    return r.json()


def _rls_sees(child_id: str, root: str) -> tuple[int, int]:
    """What the database itself gives a session scoped to ``root``: rows read, rows an UPDATE touches."""
    with scoped_session(Scope(records=root, aggregates=root)) as session:
        seen = session.execute(text("SELECT count(*) FROM children WHERE id = :i"), {"i": child_id}).scalar()
        touched = session.execute(
            text("UPDATE children SET notes = 'x' WHERE id = :i"), {"i": child_id}
        ).rowcount
        session.rollback()
    return int(seen or 0), touched


def _audited(owner: Session, child_id: str, action: str) -> set[int]:
    rows = owner.execute(
        text("SELECT unit_id FROM audit_log WHERE action = :a AND :c = ANY(resource_ids)"),
        {"a": action, "c": child_id},
    )
    return {r[0] for r in rows}


def test_a_child_moved_to_another_province_and_accepted_there(client, owner, world):
    child = _child(client, world)
    cid = child["id"]
    move = _move(client, world, cid, world.b.commune.id, destination_note="Theo mẹ vào Hải Phòng")
    assert (move["state"], move["asked_by"], move["side"]) == ("open", "origin", "origin")
    assert move["to_commune"]["id"] == world.b.commune.id and move["child"]["id"] == cid

    # While open: the origin keeps the record, the destination's officer reads it (not writes it)
    assert client.get(f"/api/v1/children/{cid}", headers=world.a.collaborator).status_code == 200
    incoming = client.get("/api/v1/child-moves?side=in&state=open", headers=world.b.officer).json()
    assert incoming["total"] == len(incoming["items"]) >= 1  # other tests' moves may be open too
    assert {(m["state"], m["side"], m["to_commune"]["id"]) for m in incoming["items"]} == {
        ("open", "destination", world.b.commune.id)
    }
    ours = next(m for m in incoming["items"] if m["id"] == move["id"])
    assert ours["child"]["id"] == cid
    detail = client.get(f"/api/v1/child-moves/{move['id']}", headers=world.b.officer).json()
    assert detail["record"]["full_name"] == child["full_name"] and detail["record"]["guardians"]
    assert client.get(f"/api/v1/children/{cid}", headers=world.b.officer).status_code == 404
    assert (
        client.patch(f"/api/v1/children/{cid}", json={"notes": "x"}, headers=world.b.officer).status_code
        == 404
    )
    # ... and nobody else: the destination's collaborators, a bystander commune, the levels above
    seen_by_b_collaborator = client.get("/api/v1/child-moves?side=in", headers=world.b.collaborator).json()
    assert move["id"] not in {m["id"] for m in seen_by_b_collaborator["items"]}
    assert client.get(f"/api/v1/child-moves/{move['id']}", headers=world.bystander).status_code == 404
    for caller in (world.district, world.inspector):
        assert client.get("/api/v1/child-moves", headers=caller).status_code == 403
    assert _rls_sees(cid, world.a.hamlet.path) == (1, 1)
    assert _rls_sees(cid, world.b.commune.path) == (1, 0)  # SELECT only
    assert _rls_sees(cid, world.b.hamlet.path) == (0, 0)

    # Only the destination's ward officer decides: not the origin, not a collaborator
    r = client.post(
        f"/api/v1/child-moves/{move['id']}/accept",
        json={"hamlet_id": world.a.hamlet.id},
        headers=world.a.officer,
    )
    assert r.status_code == 403, r.text
    r = client.post(
        f"/api/v1/child-moves/{move['id']}/accept",
        json={"hamlet_id": world.b.hamlet.id},
        headers=world.b.collaborator,
    )
    assert r.status_code == 404  # a collaborator of the destination does not see the move at all
    r = client.post(
        f"/api/v1/child-moves/{move['id']}/accept",
        json={"hamlet_id": world.a.hamlet.id},
        headers=world.b.officer,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hamlet_id"

    r = client.post(
        f"/api/v1/child-moves/{move['id']}/accept",
        json={"hamlet_id": world.b.hamlet.id},
        headers=world.b.officer,
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["state"], done["to_hamlet"]["id"], done["child"]["id"]) == (
        "completed",
        world.b.hamlet.id,
        cid,
    )

    # After: only the new side reads the record, its history included; the old side keeps the move only
    assert client.get(f"/api/v1/children/{cid}", headers=world.a.collaborator).status_code == 404
    assert client.get(f"/api/v1/children/{cid}/history", headers=world.a.officer).status_code == 404
    out = client.get("/api/v1/child-moves?side=out", headers=world.a.officer).json()["items"]
    mine = next(m for m in out if m["id"] == move["id"])
    assert mine["state"] == "completed" and mine["child"] is None
    record = client.get(f"/api/v1/children/{cid}", headers=world.b.collaborator).json()
    assert record["hamlet_id"] == world.b.hamlet.id and record["status"] == "active"
    history = client.get(f"/api/v1/children/{cid}/history", headers=world.b.officer).json()["items"]
    assert [h["action"] for h in history] == ["create", "move_out", "move"]
    assert history[-1]["before"] == {"hamlet_id": world.a.hamlet.id}
    assert _rls_sees(cid, world.a.commune.path) == (0, 0)
    assert _rls_sees(cid, world.b.hamlet.path) == (1, 1)

    # Audited on both sides; the old hamlet's residence spell ends, the new one's starts
    assert _audited(owner, cid, "move_out") == {world.a.hamlet.id, world.b.commune.id}
    assert _audited(owner, cid, "move_accept") == {world.a.hamlet.id, world.b.hamlet.id}
    spells = owner.execute(
        text("SELECT hamlet_id, until FROM child_spells WHERE child_id = :c ORDER BY since, hamlet_id"),
        {"c": cid},
    ).all()
    assert {(h, u is None) for h, u in spells} >= {(world.b.hamlet.id, True)}
    assert all(u is not None for h, u in spells if h == world.a.hamlet.id)


def test_a_move_refused_then_opened_again_and_cancelled(client, owner, world):
    cid = _child(client, world)["id"]
    move = _move(client, world, cid, world.b.commune.id)
    again = client.post(
        f"/api/v1/children/{cid}/moves",
        json={"moved_on": TODAY, "to_unit_id": world.b.commune.id},
        headers=world.a.officer,
    )
    assert again.status_code == 409
    moving = client.patch(f"/api/v1/children/{cid}", json={"status": "moved_away"}, headers=world.a.officer)
    assert moving.status_code == 409  # the workflow owns the record's place while a move is open

    r = client.post(f"/api/v1/child-moves/{move['id']}/refuse", json={}, headers=world.b.officer)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = client.post(
        f"/api/v1/child-moves/{move['id']}/refuse",
        json={"note": "Gia đình chưa đến"},
        headers=world.b.officer,
    )
    assert r.status_code == 200 and r.json()["state"] == "refused"
    assert client.get(f"/api/v1/child-moves/{move['id']}", headers=world.b.officer).json()["record"] is None
    assert (
        client.get(f"/api/v1/children/{cid}", headers=world.a.collaborator).json()["hamlet_id"]
        == world.a.hamlet.id
    )
    assert _rls_sees(cid, world.b.commune.path) == (0, 0)

    second = _move(client, world, cid, world.b.commune.id)
    r = client.post(
        f"/api/v1/child-moves/{second['id']}/cancel", json={"note": "nhầm"}, headers=world.b.officer
    )
    assert r.status_code == 403  # the destination refuses, it does not cancel
    r = client.post(f"/api/v1/child-moves/{second['id']}/cancel", json={}, headers=world.a.collaborator)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    r = client.post(
        f"/api/v1/child-moves/{second['id']}/accept",
        json={"hamlet_id": world.b.hamlet.id},
        headers=world.b.officer,
    )
    assert r.status_code in (404, 409)  # no longer coming to them
    states = owner.scalars(
        select(ChildMove.state).where(ChildMove.child_id == uuid.UUID(cid)).order_by(ChildMove.id)
    )
    assert list(states) == ["refused", "cancelled"]


def test_an_unknown_destination_is_picked_up_by_national_id(client, owner, world):
    child = _child(client, world)
    r = client.post(
        f"/api/v1/children/{child['id']}/moves", json={"moved_on": TODAY}, headers=world.a.collaborator
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "destination_note"
    move = _move(client, world, child["id"], None, destination_note="Đi làm ăn xa, chưa rõ nơi đến")
    assert move["to_commune"] is None
    assert client.get(f"/api/v1/child-moves/{move['id']}", headers=world.b.officer).status_code == 404

    # The destination registers the child it found: the open move is claimed, not a duplicate made
    payload = child_payload(world.b.hamlet.id, national_id=child["national_id"], full_name="Nguyễn Thị Hoa")
    r = client.post("/api/v1/children", json=payload, headers=world.b.officer)
    assert r.status_code == 202, r.text
    claimed = r.json()
    assert (claimed["id"], claimed["to_commune"]["id"], claimed["child"]["id"]) == (
        move["id"],
        world.b.commune.id,
        child["id"],
    )
    assert (
        owner.scalar(
            select(text("count(*)")).select_from(Child).where(Child.national_id == child["national_id"])
        )
        == 1
    )
    r = client.post(
        f"/api/v1/child-moves/{move['id']}/accept",
        json={"hamlet_id": world.b.hamlet.id},
        headers=world.b.officer,
    )
    assert r.status_code == 200 and r.json()["state"] == "completed"


def test_registering_a_number_held_elsewhere_asks_the_origin_to_release_it(client, owner, world):
    child = _child(client, world)
    payload = child_payload(world.b.hamlet.id, national_id=child["national_id"])
    r = client.post("/api/v1/children", json=payload, headers=world.b.collaborator)
    assert r.status_code == 202, r.text
    asked = r.json()
    assert (asked["asked_by"], asked["state"], asked["child"]) == ("destination", "open", None)
    assert client.post("/api/v1/children", json=payload, headers=world.b.officer).json()["id"] == asked["id"]
    # The asking side sees nothing of the record until it is released
    assert client.get(f"/api/v1/child-moves/{asked['id']}", headers=world.b.officer).json()["record"] is None
    assert _rls_sees(child["id"], world.b.commune.path) == (0, 0)
    # The origin sees who asks, and releases the child into the hamlet the request named
    out = client.get("/api/v1/child-moves?side=out&state=open", headers=world.a.officer).json()["items"]
    request = next(m for m in out if m["id"] == asked["id"])
    assert request["child"]["id"] == child["id"] and request["to_hamlet"]["id"] == world.b.hamlet.id
    r = client.post(
        f"/api/v1/child-moves/{asked['id']}/accept",
        json={"hamlet_id": world.b.hamlet.id},
        headers=world.a.officer,
    )
    assert r.status_code == 409  # a request is released, not accepted
    r = client.post(f"/api/v1/child-moves/{asked['id']}/release", json={}, headers=world.b.officer)
    assert r.status_code == 403
    r = client.post(f"/api/v1/child-moves/{asked['id']}/release", json={}, headers=world.a.officer)
    assert r.status_code == 200, r.text
    assert (
        client.get(f"/api/v1/children/{child['id']}", headers=world.b.collaborator).json()["hamlet_id"]
        == world.b.hamlet.id
    )
    assert _audited(owner, child["id"], "move_requested") == {world.a.hamlet.id, world.b.hamlet.id}


def test_the_national_id_is_unique_among_active_records_only(client, world):
    child = _child(client, world)
    own = client.post(
        "/api/v1/children",
        json=child_payload(world.a_sibling_hamlet.id, national_id=child["national_id"]),
        headers=world.a.officer,
    )
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "national_id"
    gone = client.patch(
        f"/api/v1/children/{child['id']}", json={"status": "moved_away"}, headers=world.a.officer
    )
    assert gone.status_code == 200
    again = client.post(
        "/api/v1/children",
        json=child_payload(world.b.hamlet.id, national_id=child["national_id"]),
        headers=world.b.officer,
    )
    assert again.status_code == 201, again.text


@pytest.mark.parametrize(
    "body, field",
    [
        ({"moved_on": (date.today() + timedelta(days=2)).isoformat(), "to_unit_id": 0}, "moved_on"),
        ({"moved_on": "2000-01-01", "to_unit_id": None, "destination_note": "x"}, "moved_on"),
        ({"moved_on": TODAY, "to_unit_id": "own"}, "to_unit_id"),
        ({"moved_on": TODAY, "to_unit_id": "hamlet"}, "to_unit_id"),
        ({"moved_on": TODAY, "to_unit_id": None, "destination_note": "x" * 2001}, "destination_note"),
    ],
)
def test_a_move_out_with_bad_input_names_the_field_and_writes_nothing(client, owner, world, body, field):
    cid = _child(client, world)["id"]
    body = dict(body)
    body["to_unit_id"] = {"own": world.a.commune.id, "hamlet": world.b.hamlet.id}.get(
        body["to_unit_id"], body["to_unit_id"]
    )
    if body["to_unit_id"] == 0:
        body["to_unit_id"] = world.b.commune.id
    r = client.post(f"/api/v1/children/{cid}/moves", json=body, headers=world.a.collaborator)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}
    assert (
        owner.scalar(
            select(text("count(*)")).select_from(ChildMove).where(ChildMove.child_id == uuid.UUID(cid))
        )
        == 0
    )


@pytest.mark.parametrize(
    "who, expected",
    [
        ("collaborator", 201),
        ("officer", 201),
        ("sibling", 404),
        ("bystander", 404),
        ("district", 403),
        ("inspector", 403),
        ("destination", 404),
    ],
)
def test_who_may_record_a_move_out(client, world, who, expected):
    cid = _child(client, world)["id"]
    headers = {
        "collaborator": world.a.collaborator,
        "officer": world.a.officer,
        "bystander": world.bystander,
        "district": world.district,
        "inspector": world.inspector,
        "destination": world.b.officer,
    }.get(who)
    if who == "sibling":  # a collaborator of another hamlet of the same commune
        with Session(admin_engine(), expire_on_commit=False) as owner:
            name = f"mv-sib-{uuid.uuid4().hex[:6]}"
            make_user(owner, name, "collaborator", world.a_sibling_hamlet.id)
        headers = login(client, name)
    r = client.post(
        f"/api/v1/children/{cid}/moves",
        json={"moved_on": TODAY, "to_unit_id": world.b.commune.id},
        headers=headers,
    )
    assert r.status_code == expected, r.text


def test_a_collaborator_registering_a_child_already_coming_to_the_commune_is_told_so(client, world):
    child = _child(client, world)
    move = _move(client, world, child["id"], world.b.commune.id)
    payload = child_payload(world.b.hamlet.id, national_id=child["national_id"])
    r = client.post("/api/v1/children", json=payload, headers=world.b.collaborator)
    assert r.status_code == 409, r.text  # the move is the ward officer's to accept, not a new record
    r = client.post("/api/v1/children", json=payload, headers=world.b.officer)
    assert r.status_code == 409 and r.json()["move_id"] == move["id"]
