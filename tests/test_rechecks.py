"""Re-checks of registry data (issue 16; Decision 3978/QĐ-BYT): sample, re-check, results, follow-up.

Against real PostgreSQL with row-level security, on a small tree of its own (a province with two
districts, three communes, four hamlets): the API's answers at every step, and the database's own answer
for a session of the re-checker (the second wall), before and after completion and expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine, new_session
from tenancy.models import Unit
from tenancy.scope import Scope
from tests.support import child_payload, fitting_id, login, make_unit, make_user

FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "national_id",
    "guardian",
    "hamlet",
    "special_group",
)


@dataclass
class World:
    province: Unit
    other_province: Unit
    d1: Unit
    d2: Unit
    c1: Unit  # the re-checked commune: H1a (6 children), H1b (4)
    c2: Unit  # its sibling in D1: H2 (3)
    c3: Unit  # in D2
    h1a: Unit
    h1b: Unit
    users: dict[str, dict[str, str]]  # headers by name
    names: dict[str, str]  # usernames by name
    ids: dict[str, int]  # user ids by name
    children: dict[str, dict]  # id -> record, of C1
    outside: list[str]  # ids of C2's children


def _national_id() -> str:
    return fitting_id()  # fits child_payload's date of birth and sex (the registry checks the parts)


@pytest.fixture(scope="module")
def world(client, database) -> World:
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh phúc tra {tag}")
        p2 = make_unit(owner, None, "province", f"Tỉnh khác {tag}")
        d1 = make_unit(owner, p, "district", f"Huyện 1 {tag}")
        d2 = make_unit(owner, p, "district", f"Huyện 2 {tag}")
        c1 = make_unit(owner, d1, "commune", f"Xã Một {tag}")
        c2 = make_unit(owner, d1, "commune", f"Xã Hai {tag}")
        c3 = make_unit(owner, d2, "commune", f"Xã Ba {tag}")
        h1a = make_unit(owner, c1, "hamlet", "Thôn A")
        h1b = make_unit(owner, c1, "hamlet", "Thôn B")
        h2 = make_unit(owner, c2, "hamlet", "Thôn C")
        make_unit(owner, c3, "hamlet", "Thôn D")
        accounts = {
            "inspector": ("provincial_inspector", p),
            "sampler": ("district_officer", d1),
            "checker": ("district_officer", d1),
            "cycle": ("district_officer", d1),  # the full cycle's re-checker, and only its
            "late": ("district_officer", d1),  # the expiring re-check's
            "district2": ("district_officer", d2),
            "officer": ("ward_officer", c1),
            "officer2": ("ward_officer", c2),
            "collab": ("collaborator", h1a),
        }
        made = {k: make_user(owner, f"pt-{k}-{tag}", role, u.id) for k, (role, u) in accounts.items()}
        ids = {k: u.id for k, u in made.items()}
    users = {k: login(client, u.username) for k, u in made.items()}
    children: dict[str, dict] = {}
    for i, hamlet in enumerate([h1a] * 6 + [h1b] * 4):
        body = child_payload(hamlet.id, full_name=f"Phạm Thị Tra {tag} {i}", national_id=_national_id())
        r = client.post("/api/v1/children", json=body, headers=users["officer"])
        assert r.status_code == 201, r.text
        children[r.json()["id"]] = r.json()
    outside = []
    for i in range(3):
        body = child_payload(h2.id, full_name=f"Lê Văn Ngoài {tag} {i}", national_id=_national_id())
        r = client.post("/api/v1/children", json=body, headers=users["officer2"])
        assert r.status_code == 201, r.text
        outside.append(r.json()["id"])
    names = {k: u.username for k, u in made.items()}
    return World(p, p2, d1, d2, c1, c2, c3, h1a, h1b, users, names, ids, children, outside)


def _name(world: World, who: str) -> str:
    return world.names[who]


def _draw(client, world: World, who: str = "sampler", checker: str = "checker", **body) -> dict:
    payload = {"unit_id": world.c1.id, "rechecker": _name(world, checker), "sample_size": 4, **body}
    r = client.post("/api/v1/rechecks", json=payload, headers=world.users[who])
    assert r.status_code == 201, r.text
    return r.json()


def _sampled(owner: Session, recheck_id: int) -> dict[str, tuple[str, int]]:
    """pseudo -> (child id, hamlet id), as the owner reads them."""
    rows = owner.execute(
        text("SELECT pseudo, child_id, hamlet_id FROM recheck_records WHERE recheck_id = :k"),
        {"k": recheck_id},
    )
    return {r.pseudo: (str(r.child_id), r.hamlet_id) for r in rows}


def _rls_children(world: World, who: str) -> set[str]:
    """The children the database itself gives a session of ``who`` (a district officer: no record scope)."""
    session = new_session(Scope(records=None, aggregates=world.d1.path), user_id=world.ids[who])
    try:
        rows = session.execute(text("SELECT id FROM children")).scalars()
        guardians = session.execute(text("SELECT DISTINCT child_id FROM guardians")).scalars()
        found, with_guardian = {str(r) for r in rows}, {str(g) for g in guardians}
        assert with_guardian <= found  # guardians follow the children's policy
        return found
    finally:
        session.rollback()
        session.close()


def _leaks(world: World, body: str) -> list[str]:
    """Child ids, names or personal ids of the commune found in an answer's text."""
    found = []
    for cid, child in world.children.items():
        for value in (cid, child["full_name"], child["national_id"]):
            if value and value in body:
                found.append(value)
    return found


def test_the_full_cycle_sample_recheck_results_and_follow_up(client, owner, world):
    drawn = _draw(client, world, checker="cycle", seed=12345)
    rid, recheck = drawn["recheck"]["id"], drawn["recheck"]
    assert (recheck["drawn"], recheck["seed"], recheck["state"], recheck["standing"]) == (
        4,
        12345,
        "open",
        "sampler",
    )
    assert recheck["threshold"] == 5.0
    pseudos = [s["pseudo"] for s in drawn["sample"]]
    assert len(pseudos) == 4 and all(
        p.startswith("PT-") and p.endswith(f"-{i:03d}") for i, p in enumerate(pseudos, 1)
    )
    assert all(s["hamlet"] is None for s in drawn["sample"])  # the sampler is not told where
    sampled = _sampled(owner, rid)
    assert set(sampled) == set(pseudos)
    ids = {c for c, _ in sampled.values()}
    assert ids <= set(world.children)

    # The sampler never receives a name or an id: not when drawing, listing, reading nor a record.
    for r in (
        client.get("/api/v1/rechecks", headers=world.users["sampler"]),
        client.get(f"/api/v1/rechecks/{rid}", headers=world.users["sampler"]),
        client.get(f"/api/v1/rechecks/{rid}/results", headers=world.users["sampler"]),
    ):
        assert r.status_code == 200 and not _leaks(world, r.text), r.text
    assert not _leaks(world, str(drawn))
    assert (
        client.get(f"/api/v1/rechecks/{rid}/records/{pseudos[0]}", headers=world.users["sampler"]).status_code
        == 404
    )
    # ... nor does the database give their session a sampled record or the pseudonym's child.
    assert _rls_children(world, "sampler") == set()
    s = new_session(Scope(records=None, aggregates=world.d1.path), user_id=world.ids["sampler"])
    assert s.execute(text("SELECT count(*) FROM recheck_records")).scalar() == 0
    s.close()

    # The commune's ward officer sees nothing of it while it is open (the sample is not known beforehand).
    assert client.get(f"/api/v1/rechecks/{rid}", headers=world.users["officer"]).status_code == 404
    assert rid not in {
        k["id"] for k in client.get("/api/v1/rechecks", headers=world.users["officer"]).json()["items"]
    }

    # The re-checker: the work list with hamlets, then each sampled record, each read audited.
    checker = world.users["cycle"]
    work = client.get(f"/api/v1/rechecks/{rid}", headers=checker).json()
    assert work["recheck"]["standing"] == "rechecker" and work["working"]
    assert {s["hamlet"] for s in work["sample"]} <= {"Thôn A", "Thôn B"}
    records = {}
    for pseudo in pseudos:
        r = client.get(f"/api/v1/rechecks/{rid}/records/{pseudo}", headers=checker)
        assert r.status_code == 200, r.text
        records[pseudo] = r.json()["record"]
        assert records[pseudo]["full_name"] == world.children[sampled[pseudo][0]]["full_name"]
    audited = owner.execute(
        text(
            "SELECT resource_ids[1] FROM audit_log WHERE user_id = :u AND action = 'read' AND resource = 'child'"
        ),
        {"u": world.ids["cycle"]},
    ).scalars()
    assert ids <= set(audited)

    # Exactly the sampled records: no other child of the commune, in the API or in the database.
    assert _rls_children(world, "cycle") == ids
    other = next(c for c in world.children if c not in ids)
    assert client.get(f"/api/v1/children/{other}", headers=checker).status_code in (403, 404)
    assert client.get(f"/api/v1/rechecks/{rid}/records/PT-0000-0000-001", headers=checker).status_code == 404
    s = new_session(Scope(records=None, aggregates=world.d1.path), user_id=world.ids["cycle"])
    assert (
        s.execute(text("UPDATE children SET notes = 'x' WHERE id = :i"), {"i": next(iter(ids))}).rowcount == 0
    )
    s.rollback()
    s.close()

    # Results per field: one sex mismatch, one record with a wrong name and personal id.
    def post(pseudo, fields):
        return client.post(
            f"/api/v1/rechecks/{rid}/records/{pseudo}/result", json={"fields": fields}, headers=checker
        )

    all_match = [{"field": f, "match": True} for f in FIELDS]
    r = post(pseudos[1], [{"field": "sex", "match": False}])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fields[0].observed", r.text
    r = post(pseudos[1], [{"field": "colour", "match": True}])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fields[0].field", r.text
    assert post(pseudos[0], all_match).status_code == 200
    wrong_sex = [
        f if f["field"] != "sex" else {"field": "sex", "match": False, "observed": "male"} for f in all_match
    ]
    assert post(pseudos[1], wrong_sex).status_code == 200
    wrong_two = [
        {"field": f, "match": False, "observed": "Phạm Thị Trà"}
        if f == "full_name"
        else {"field": f, "match": False, "observed": "001218000001"}
        if f == "national_id"
        else {"field": f, "match": True}
        for f in FIELDS
    ]
    r = post(pseudos[2], wrong_two)
    assert r.status_code == 200 and [x["field"] for x in r.json()["results"] if not x["match"]] == [
        "full_name",
        "national_id",
    ]
    assert post(pseudos[3], all_match[:4]).status_code == 200  # only four fields could be checked
    progress = client.get(f"/api/v1/rechecks/{rid}", headers=world.users["sampler"]).json()["sample"]
    assert [(s["checked"], s["mismatches"]) for s in progress] == [(True, 0), (True, 1), (True, 2), (True, 0)]

    # Only the sampler completes; then the re-checker's access is gone, in the API and in SQL.
    assert client.post(f"/api/v1/rechecks/{rid}/complete", headers=checker).status_code == 403
    done = client.post(f"/api/v1/rechecks/{rid}/complete", headers=world.users["sampler"])
    assert done.status_code == 200, done.text
    assert not _leaks(world, done.text) and done.json()["records"] == []
    rates = {
        f["field"]: (f["checked"], f["mismatches"], f["rate"], f["above"]) for f in done.json()["fields"]
    }
    assert rates["sex"] == (4, 1, 25.0, True)
    assert rates["full_name"] == (4, 1, 25.0, True)
    assert rates["national_id"] == (3, 1, 33.3, True)
    assert rates["guardian"] == (3, 0, 0.0, False)
    assert done.json()["above_threshold"] and done.json()["checked"] == 4
    by_hamlet = {
        h["unit"]["id"]: (h["records"], h["checked"], h["mismatches"]) for h in done.json()["hamlets"]
    }
    expected: dict[int, list[int]] = {}
    for pseudo, fields_checked, wrong in zip(pseudos, (8, 8, 8, 4), (0, 1, 2, 0), strict=True):
        row = expected.setdefault(sampled[pseudo][1], [0, 0, 0])
        row[0], row[1], row[2] = row[0] + 1, row[1] + fields_checked, row[2] + wrong
    assert by_hamlet == {h: tuple(v) for h, v in expected.items()}
    assert client.get(f"/api/v1/rechecks/{rid}/records/{pseudos[0]}", headers=checker).status_code == 403
    assert post(pseudos[0], all_match).status_code == 403
    assert _rls_children(world, "cycle") == set()
    assert client.post(f"/api/v1/rechecks/{rid}/complete", headers=world.users["sampler"]).status_code == 409

    # The commune's ward officer: its own records with their mismatches, to correct them; no one else's.
    officer = client.get(f"/api/v1/rechecks/{rid}/results", headers=world.users["officer"])
    assert officer.status_code == 200, officer.text
    named = {r["child_id"]: r for r in officer.json()["records"]}
    assert set(named) == {sampled[pseudos[1]][0], sampled[pseudos[2]][0]}
    assert named[sampled[pseudos[1]][0]]["mismatches"] == [{"field": "sex", "observed": "male"}]
    assert client.get(f"/api/v1/rechecks/{rid}/results", headers=world.users["officer2"]).status_code == 404

    # Above the threshold: a recommendation to the commune, answered and accepted as any inspection's.
    rec_id = done.json()["recheck"]["recommendation_id"]
    assert rec_id is not None
    mine = client.get("/api/v1/recommendations", headers=world.users["officer"]).json()["items"]
    rec = next(r for r in mine if r["id"] == rec_id)
    assert (
        rec["responsible_unit"]["id"] == world.c1.id
        and "Họ và tên" in rec["text"]
        and rec["status"] == "open"
    )
    r = client.post(
        f"/api/v1/recommendations/{rec_id}/answer",
        json={"text": "Đã sửa hai hồ sơ."},
        headers=world.users["officer"],
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/recommendations/{rec_id}/accept", json={"text": "Đạt."}, headers=world.users["sampler"]
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text


def test_the_draw_is_reproducible_and_stratified_by_hamlet(client, owner, world):
    a = _draw(client, world, seed=777, sample_size=5)
    b = _draw(client, world, seed=777, sample_size=5)
    c = _draw(client, world, seed=778, sample_size=5)
    sa, sb, sc = (_sampled(owner, x["recheck"]["id"]) for x in (a, b, c))
    children = lambda s: sorted(cid for cid, _ in s.values())  # noqa: E731
    assert children(sa) == children(sb)
    per_hamlet = [h for _, h in sa.values()]
    assert (per_hamlet.count(world.h1a.id), per_hamlet.count(world.h1b.id)) == (3, 2)  # 6:4 of 5
    for s in (sb, sc):
        hs = [h for _, h in s.values()]
        assert (hs.count(world.h1a.id), hs.count(world.h1b.id)) == (3, 2)
    # a percentage, and a draw without strata
    d = _draw(client, world, sample_percent=30, sample_size=None, stratified=False, seed=5)
    assert d["recheck"]["drawn"] == 3 and d["recheck"]["sample_percent"] == 30.0
    e = _draw(client, world, sample_size=50)
    assert e["recheck"]["drawn"] == 10  # never more than the unit holds


def test_expiry_ends_the_access_in_the_api_and_in_sql(client, owner, world):
    drawn = _draw(client, world, checker="late", sample_size=2, days=14)
    rid, pseudo = drawn["recheck"]["id"], drawn["sample"][0]["pseudo"]
    checker = world.users["late"]
    assert client.get(f"/api/v1/rechecks/{rid}/records/{pseudo}", headers=checker).status_code == 200
    assert len(_rls_children(world, "late")) == 2
    expires = owner.execute(
        text("SELECT expires_at - created_at FROM rechecks WHERE id = :k"), {"k": rid}
    ).scalar()
    assert expires.days == 14
    # Time passes: the deadline is behind us (the owner moves the re-check's dates back 15 days).
    owner.execute(
        text(
            "UPDATE rechecks SET created_at = created_at - interval '15 days', "
            "expires_at = expires_at - interval '15 days' WHERE id = :k"
        ),
        {"k": rid},
    )
    owner.commit()
    assert client.get(f"/api/v1/rechecks/{rid}/records/{pseudo}", headers=checker).status_code == 403
    denied = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE user_id = :u AND outcome = 'denied' AND resource = 'recheck'"
        ),
        {"u": world.ids["late"]},
    ).scalar()
    assert denied == 1  # the refusal is audited
    r = client.post(
        f"/api/v1/rechecks/{rid}/records/{pseudo}/result",
        json={"fields": [{"field": "sex", "match": True}]},
        headers=checker,
    )
    assert r.status_code == 403
    assert _rls_children(world, "late") == set()
    s = new_session(Scope(records=None, aggregates=world.d1.path), user_id=world.ids["late"])
    assert (
        s.execute(text("SELECT count(*) FROM recheck_records WHERE recheck_id = :k"), {"k": rid}).scalar()
        == 0
    )
    s.close()
    detail = client.get(f"/api/v1/rechecks/{rid}", headers=checker).json()
    assert detail["recheck"]["state"] == "expired" and all(s["hamlet"] is None for s in detail["sample"])
    # The sampler still completes it, with what was checked (nothing: no recommendation).
    done = client.post(f"/api/v1/rechecks/{rid}/complete", headers=world.users["sampler"]).json()
    assert done["checked"] == 0 and done["recheck"]["recommendation_id"] is None


def _checked_with_one_sex_error(client, world: World, threshold: float) -> dict:
    drawn = _draw(client, world, sample_size=4, threshold=threshold)
    rid = drawn["recheck"]["id"]
    for i, s in enumerate(drawn["sample"]):
        fields = [{"field": "sex", "match": i != 0, **({"observed": "male"} if i == 0 else {})}]
        r = client.post(
            f"/api/v1/rechecks/{rid}/records/{s['pseudo']}/result",
            json={"fields": fields},
            headers=world.users["checker"],
        )
        assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/rechecks/{rid}/complete", headers=world.users["sampler"])
    assert r.status_code == 200, r.text
    return r.json()


def test_a_recommendation_above_the_threshold_and_not_at_or_below_it(client, owner, world):
    above = _checked_with_one_sex_error(client, world, 20)  # 25% > 20%
    at = _checked_with_one_sex_error(client, world, 25)  # 25% is not above 25%
    below = _checked_with_one_sex_error(client, world, 30)
    assert above["above_threshold"] and above["recheck"]["recommendation_id"] is not None
    for result in (at, below):
        assert not result["above_threshold"] and result["recheck"]["recommendation_id"] is None
    n = owner.execute(
        text("SELECT count(*) FROM inspection_recommendations WHERE id = :r AND responsible_unit_id = :u"),
        {"r": above["recheck"]["recommendation_id"], "u": world.c1.id},
    ).scalar()
    assert n == 1


RELATIONS = ("own", "sibling", "parent", "child")
# role -> (home unit, {relation: expected status}); None: the relation does not exist for that home.
EXPECTED = {
    "provincial_inspector": ("province", {"own": 422, "sibling": 403, "parent": None, "child": 201}),
    "district_officer": ("d1", {"own": 422, "sibling": 403, "parent": 403, "child": 201}),
    "ward_officer": ("c1", {"own": 403, "sibling": 403, "parent": 403, "child": 403}),
    "collaborator": ("h1a", {"own": 403, "sibling": 403, "parent": 403, "child": None}),
    "commune_chairman": ("c1", {"own": 403, "sibling": 403, "parent": 403, "child": 403}),
    "hotline_officer": ("province", {"own": 403, "sibling": 403, "parent": None, "child": 403}),
    "admin": ("province", {"own": 403, "sibling": 403, "parent": None, "child": 403}),
}


def _relative(world: World, home: str, relation: str) -> Unit | None:
    tree = {
        "province": (world.province, world.other_province, None, world.c1),
        "d1": (world.d1, world.d2, world.province, world.c1),
        "c1": (world.c1, world.c2, world.d1, world.h1a),
        "h1a": (world.h1a, world.h1b, world.c1, None),
    }
    return tree[home][RELATIONS.index(relation)]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_who_may_draw_a_sample_of_which_unit(client, owner, world, role):
    home, expected = EXPECTED[role]
    account = make_user(owner, f"pt-m-{role}-{uuid.uuid4().hex[:6]}", role, _relative(world, home, "own").id)
    headers = login(client, account.username)
    for relation in RELATIONS:
        target = _relative(world, home, relation)
        if target is None:
            assert expected[relation] is None
            continue
        body = {"unit_id": target.id, "rechecker": account.username, "sample_size": 2}
        r = client.post("/api/v1/rechecks", json=body, headers=headers)
        assert r.status_code == expected[relation], (role, relation, r.text)
        if r.status_code == 201:  # named themselves: they draw and re-check (their work list at once)
            assert not _leaks(world, r.text) and r.json()["working"]
            assert r.json()["recheck"]["standing"] == "sampler"
        if r.status_code == 422:
            assert r.json()["errors"][0]["field"] == "unit_id"
    if role == "district_officer":  # the re-checker must work at the sampler's unit or below it
        body = {"unit_id": world.c1.id, "rechecker": _name(world, "district2"), "sample_size": 2}
        r = client.post("/api/v1/rechecks", json=body, headers=headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rechecker", r.text
        body = {"unit_id": world.c1.id, "rechecker": _name(world, "officer"), "sample_size": 2}
        assert client.post("/api/v1/rechecks", json=body, headers=headers).status_code == 422


def test_a_sample_names_its_size_or_its_percentage(client, world):
    headers = world.users["sampler"]
    base = {"unit_id": world.c1.id, "rechecker": _name(world, "checker")}
    for extra, field in (
        ({}, "sample_size"),
        ({"sample_size": 2, "sample_percent": 10}, "sample_size"),
        ({"sample_size": 0}, "sample_size"),
        ({"sample_percent": 120}, "sample_percent"),
        ({"sample_size": 2, "threshold": 101}, "threshold"),
        ({"sample_size": 2, "days": 0}, "days"),
    ):
        r = client.post("/api/v1/rechecks", json={**base, **extra}, headers=headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (extra, r.text)


def test_a_unit_with_fewer_records_than_the_smallest_published_count_is_not_sampled(client, world):
    """A sample may be the whole unit: 4 records (hamlet B) would reveal a count the figures show as "<5"."""
    body = {"unit_id": world.h1b.id, "rechecker": _name(world, "checker"), "sample_size": 10}
    refused = client.post("/api/v1/rechecks", json=body, headers=world.users["sampler"])
    assert refused.status_code == 422 and [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("unit_id", "no_records")
    ]
    assert "4" not in refused.json()["errors"][0]["message"]
    assert (
        client.post(
            "/api/v1/rechecks", json={**body, "unit_id": world.h1a.id}, headers=world.users["sampler"]
        ).status_code
        == 201
    )
