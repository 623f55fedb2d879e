"""Duplicate records of a child (issue 16): caught on create and edit, confirmed as different, listed per
commune, merged and un-merged by the ward officer, with the figures counting the child once.

Against real PostgreSQL with row-level security, through the API; the database is asked directly (as
the owner, or as a session scoped to another commune) for what the API does not show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.db import admin_engine, scoped_session
from portal.registry.duplicates import Candidate, likely_duplicates
from portal.registry.text import fold
from portal.stats import layer
from tenancy.models import Unit
from tenancy.resolve import scope_for
from tenancy.scope import Scope
from tenancy.service import unit_by_code
from tests.cases_support import intake_body, open_case
from tests.support import child_payload, fitting_id, login, make_hamlet, make_user

ERA = date(2025, 7, 1)


@dataclass
class World:
    commune: Unit
    hamlet: Unit  # collaborator one's
    other_hamlet: Unit  # collaborator two's: the same child typed again elsewhere in the commune
    officer: dict[str, str]
    collaborator: dict[str, str]
    collaborator_two: dict[str, str]
    other_commune: Unit
    other_hamlet_b: Unit
    other_officer: dict[str, str]


@pytest.fixture(scope="module")
def world(client, database) -> World:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        tag = uuid.uuid4().hex[:6]
        commune = unit_by_code(owner, "commune", "00331", ERA)
        assert commune is not None
        other = next(
            u
            for u in owner.scalars(
                select(Unit).where(Unit.level == "commune", Unit.valid_to.is_(None)).order_by(Unit.code)
            )
            if u.id != commune.id and u.path.startswith(commune.path.split("/")[0] + "/")
        )
        hamlet = make_hamlet(owner, commune, f"Thôn trùng một {tag}")
        hamlet_two = make_hamlet(owner, commune, f"Thôn trùng hai {tag}")
        hamlet_b = make_hamlet(owner, other, f"Thôn khác {tag}")
        users = [
            make_user(owner, f"dup-officer-{tag}", "ward_officer", commune.id).username,
            make_user(owner, f"dup-collab-{tag}", "collaborator", hamlet.id).username,
            make_user(owner, f"dup-collab2-{tag}", "collaborator", hamlet_two.id).username,
            make_user(owner, f"dup-officer-b-{tag}", "ward_officer", other.id).username,
        ]
    officer, collab, collab2, officer_b = (login(client, u) for u in users)
    return World(commune, hamlet, hamlet_two, officer, collab, collab2, other, hamlet_b, officer_b)


def _name() -> str:
    """A name no other test uses (letters only: the folded name is what is compared)."""
    return "Nguyễn Thị Hoà " + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8]).title()


FATHER = {"full_name": "Nguyễn Văn Bình", "relationship": "father", "phone": "0912345678"}


def _post(client, headers, hamlet: Unit, **overrides) -> Any:
    """A record of the default child (``child_payload``) with the same father every time."""
    overrides.setdefault("guardians", [FATHER])
    return client.post("/api/v1/children", json=child_payload(hamlet.id, **overrides), headers=headers)


def _made(client, headers, hamlet: Unit, **overrides) -> dict[str, Any]:
    r = _post(client, headers, hamlet, **overrides)
    assert r.status_code == 201, r.text
    return r.json()


def _suspect_ids(response) -> list[str]:
    assert response.status_code == 409, response.text
    return [s["id"] for s in response.json()["suspects"]]


def test_the_same_child_typed_three_times_is_caught_twice(client, world):
    name = _name()
    first = _made(client, world.collaborator, world.hamlet, full_name=name)
    second = _post(client, world.collaborator, world.hamlet, full_name=name)
    assert _suspect_ids(second) == [first["id"]]
    suspect = second.json()["suspects"][0]
    assert suspect["full_name"] == name and suspect["date_of_birth"] == "2018-03-04"
    assert suspect["hamlet_id"] == world.hamlet.id and suspect["reason"] == "name_dob_guardian"
    # the third time, typed without accents, in capitals, with extra spaces, and the guardian likewise
    third = _post(
        client,
        world.collaborator,
        world.hamlet,
        full_name="  " + fold(name).upper().replace(" ", "  "),
        guardians=[{"full_name": "NGUYEN van  binh", "relationship": "father"}],
    )
    assert _suspect_ids(third) == [first["id"]]
    with Session(admin_engine()) as owner:
        stored = owner.execute(
            text("SELECT count(*) FROM children WHERE search_name = :n"), {"n": fold(name)}
        ).scalar_one()
    assert stored == 1


def test_same_year_and_sex_is_caught_a_different_sex_or_a_sibling_is_not(client, world):
    name = _name()
    first = _made(client, world.collaborator, world.hamlet, full_name=name)
    same_year = _post(client, world.collaborator, world.hamlet, full_name=name, date_of_birth="2018-11-20")
    assert _suspect_ids(same_year) == [first["id"]]
    assert same_year.json()["suspects"][0]["reason"] == "name_year_sex_guardian"
    # a boy of the same name and year is someone else; so is a sibling (same father, other name and birth)
    _made(client, world.collaborator, world.hamlet, full_name=name, date_of_birth="2018-11-20", sex="male")
    _made(client, world.collaborator, world.hamlet, full_name=_name(), date_of_birth="2016-05-01")
    # and a child of the same name and birth with another guardian
    other_parent = [{"full_name": "Trần Văn Cường", "relationship": "father"}]
    _made(client, world.collaborator, world.hamlet, full_name=name, guardians=other_parent)


def test_confirmed_as_different_is_stored_and_not_raised_again(client, world):
    name = _name()
    first = _made(client, world.collaborator, world.hamlet, full_name=name)
    second = _made(client, world.collaborator, world.hamlet, full_name=name, not_duplicate_of=[first["id"]])
    with Session(admin_engine()) as owner:
        pairs = owner.execute(
            text(
                "SELECT child_a, child_b, confirmed_by FROM child_distinct_pairs WHERE :a IN (child_a, child_b)"
            ),
            {"a": first["id"]},
        ).all()
    assert [sorted([str(pairs[0][0]), str(pairs[0][1])])] == [sorted([first["id"], second["id"]])]
    assert pairs[0][2] is not None
    # editing either record does not raise the pair again
    r = client.patch(
        f"/api/v1/children/{second['id']}",
        json={"notes": "Hai trẻ khác nhau", "full_name": name + " "},
        headers=world.collaborator,
    )
    assert r.status_code == 200, r.text
    listed = client.get(f"/api/v1/units/{world.commune.id}/duplicates?page_size=100", headers=world.officer)
    assert listed.status_code == 200, listed.text
    assert not [p for p in listed.json()["items"] if p["first"]["id"] in (first["id"], second["id"])]
    # a third one is a suspect of both
    third = _post(client, world.collaborator, world.hamlet, full_name=name)
    assert sorted(_suspect_ids(third)) == sorted([first["id"], second["id"]])
    # an id the caller cannot read is refused by name, without saying whether it exists
    unknown = _post(
        client, world.collaborator, world.hamlet, full_name=name, not_duplicate_of=[str(uuid.uuid4())]
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "not_duplicate_of"


def test_an_edit_into_a_duplicate_is_refused_unless_confirmed(client, world):
    name = _name()
    first = _made(client, world.collaborator, world.hamlet, full_name=name)
    other = _made(client, world.collaborator, world.hamlet, full_name=_name())
    r = client.patch(f"/api/v1/children/{other['id']}", json={"full_name": name}, headers=world.collaborator)
    assert _suspect_ids(r) == [first["id"]]
    assert (
        client.get(f"/api/v1/children/{other['id']}", headers=world.collaborator).json()["full_name"] != name
    )
    r = client.patch(
        f"/api/v1/children/{other['id']}",
        json={"full_name": name, "not_duplicate_of": [first["id"]]},
        headers=world.collaborator,
    )
    assert r.status_code == 200, r.text


def test_the_commune_list_pairs_records_of_two_hamlets_and_only_its_own(client, world):
    name = _name()
    a = _made(client, world.collaborator, world.hamlet, full_name=name)
    b = _made(
        client, world.collaborator_two, world.other_hamlet, full_name=name
    )  # the other hamlet sees no a
    elsewhere = _made(client, world.other_officer, world.other_hamlet_b, full_name=name)  # another commune
    listed = client.get(f"/api/v1/units/{world.commune.id}/duplicates?page_size=100", headers=world.officer)
    assert listed.status_code == 200, listed.text
    mine = [p for p in listed.json()["items"] if fold(p["first"]["full_name"]) == fold(name)]
    assert [sorted([p["first"]["id"], p["second"]["id"]]) for p in mine] == [sorted([a["id"], b["id"]])]
    every = {p[k]["id"] for p in listed.json()["items"] for k in ("first", "second")}
    assert elsewhere["id"] not in every
    theirs = client.get(f"/api/v1/units/{world.other_commune.id}/duplicates", headers=world.other_officer)
    assert theirs.status_code == 200 and a["id"] not in str(theirs.json())
    assert (
        client.get(f"/api/v1/units/{world.commune.id}/duplicates", headers=world.other_officer).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/units/{world.commune.id}/duplicates", headers=world.collaborator).status_code
        == 403
    )
    paged = client.get(
        f"/api/v1/units/{world.commune.id}/duplicates?page_size=1", headers=world.officer
    ).json()
    assert len(paged["items"]) == 1 and paged["total"] >= 1
    # "a different child" from the list: the pair leaves it
    r = client.post(f"/api/v1/children/{a['id']}/distinct", json={"other_id": b["id"]}, headers=world.officer)
    assert r.status_code == 204, r.text
    listed = client.get(f"/api/v1/units/{world.commune.id}/duplicates?page_size=100", headers=world.officer)
    assert a["id"] not in str(listed.json())


def _refresh() -> None:
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)


def _total(unit: Unit) -> int:
    with Session(admin_engine()) as owner:
        n = owner.execute(
            text(
                "SELECT n FROM stat_cells WHERE unit_id = :u AND month = :m AND dimension = 'total' AND key = ''"
            ),
            {"u": unit.id, "m": layer.open_month()},
        ).scalar()
    return int(n or 0)


def _state(client, world, child_id: str) -> dict[str, Any]:
    """The record as the officer reads it, without what a merge and its undo move forward."""
    record = client.get(f"/api/v1/children/{child_id}", headers=world.officer).json()
    return {k: v for k, v in record.items() if k not in ("version", "updated_at")}


def _owned(child_id: str) -> dict[str, Any]:
    with Session(admin_engine()) as owner:
        return {
            "cases": sorted(
                str(i)
                for i in owner.scalars(text("SELECT id FROM cases WHERE child_id = :c"), {"c": child_id})
            ),
            "history": sorted(
                owner.scalars(
                    text(
                        "SELECT id FROM child_history WHERE child_id = :c AND action NOT IN ('merge','unmerge')"
                    ),
                    {"c": child_id},
                )
            ),
            "spells": owner.execute(
                text("SELECT id, hamlet_id, since, until FROM child_spells WHERE child_id = :c ORDER BY id"),
                {"c": child_id},
            ).all(),
        }


def test_merge_moves_everything_counts_one_child_and_undo_restores_both(client, world):
    name, number = _name(), _number()
    _refresh()
    hamlet_n, other_n = _total(world.hamlet), _total(world.other_hamlet)
    keep = _made(client, world.collaborator, world.hamlet, full_name=name)
    gone = _made(
        client,
        world.collaborator_two,
        world.other_hamlet,
        full_name=name,
        guardians=[
            {"full_name": "Nguyễn Văn Bình", "relationship": "father"},
            {"full_name": "Lê Thị Mai", "relationship": "mother", "phone": "0911222333"},
        ],
        groups=[{"code": "d", "since": "2020-01-01"}],
        national_id=number,
    )
    client.patch(
        f"/api/v1/children/{gone['id']}", json={"notes": "Đã đi học"}, headers=world.collaborator_two
    )
    case = open_case(client, world.officer, intake_body(gone["id"]))
    _refresh()
    assert (_total(world.hamlet), _total(world.other_hamlet)) == (hamlet_n + 1, other_n + 1)
    before = {i: (_state(client, world, i), _owned(i)) for i in (keep["id"], gone["id"])}

    r = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": gone["id"]}, headers=world.officer
    )
    assert r.status_code == 201, r.text
    merge = r.json()
    assert merge["survivor"]["id"] == keep["id"] and merge["absorbed"]["status"] == "merged"
    survivor = client.get(f"/api/v1/children/{keep['id']}", headers=world.officer).json()
    assert sorted(g["full_name"] for g in survivor["guardians"]) == ["Lê Thị Mai", "Nguyễn Văn Bình"]
    assert [g["code"] for g in survivor["groups"]] == ["d"]
    assert survivor["national_id"] == number  # the number still finds the child
    moved = _owned(keep["id"])
    assert case["id"] in moved["cases"]
    assert set(before[gone["id"]][1]["history"]) <= set(moved["history"])
    assert _owned(gone["id"])["spells"] == [] and _owned(gone["id"])["cases"] == []
    listed = client.get(
        f"/api/v1/units/{world.commune.id}/children?q={fold(name)}&page_size=100", headers=world.officer
    ).json()
    assert [c["id"] for c in listed["items"]] == [keep["id"]]
    _refresh()
    assert (_total(world.hamlet), _total(world.other_hamlet)) == (hamlet_n + 1, other_n)
    # a merged record is not edited, nor merged again
    r = client.patch(f"/api/v1/children/{gone['id']}", json={"notes": "x"}, headers=world.officer)
    assert r.status_code == 409, r.text
    again = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": gone["id"]}, headers=world.officer
    )
    assert again.status_code == 409, again.text

    r = client.post(f"/api/v1/child-merges/{merge['id']}/undo", headers=world.officer)
    assert r.status_code == 200, r.text
    assert r.json()["undone_at"] is not None
    with Session(admin_engine()) as owner:
        audited = owner.execute(
            text(
                "SELECT action, role FROM audit_log WHERE action IN ('merge', 'unmerge') "
                "AND :k = ANY (resource_ids) AND :a = ANY (resource_ids) ORDER BY id"
            ),
            {"k": keep["id"], "a": gone["id"]},
        ).all()
    assert [tuple(row) for row in audited] == [("merge", "ward_officer"), ("unmerge", "ward_officer")]
    for child_id, (state, owned) in before.items():
        assert _state(client, world, child_id) == state
        assert _owned(child_id) == owned
    _refresh()
    assert (_total(world.hamlet), _total(world.other_hamlet)) == (hamlet_n + 1, other_n + 1)
    assert client.post(f"/api/v1/child-merges/{merge['id']}/undo", headers=world.officer).status_code == 409


def test_undo_is_refused_once_the_survivor_changed(client, world):
    name = _name()
    keep = _made(client, world.collaborator, world.hamlet, full_name=name)
    gone = _made(client, world.collaborator_two, world.other_hamlet, full_name=name)
    r = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": gone["id"]}, headers=world.officer
    )
    assert r.status_code == 201, r.text
    edit = client.patch(
        f"/api/v1/children/{keep['id']}", json={"notes": "Sau khi gộp"}, headers=world.officer
    )
    assert edit.status_code == 200, edit.text
    undo = client.post(f"/api/v1/child-merges/{r.json()['id']}/undo", headers=world.officer)
    assert undo.status_code == 409 and "changed after the merge" in undo.text


def test_only_the_ward_officer_of_the_commune_merges(client, world):
    name = _name()
    keep = _made(client, world.collaborator, world.hamlet, full_name=name)
    gone = _made(client, world.collaborator_two, world.other_hamlet, full_name=name)
    body = {"absorbed_id": gone["id"]}
    assert (
        client.post(f"/api/v1/children/{keep['id']}/merge", json=body, headers=world.collaborator).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/children/{keep['id']}/merge", json=body, headers=world.other_officer
        ).status_code
        == 404
    )
    elsewhere = _made(client, world.other_officer, world.other_hamlet_b, full_name=name)
    cross = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": elsewhere["id"]}, headers=world.officer
    )
    assert cross.status_code == 404, cross.text
    r = client.post(f"/api/v1/children/{keep['id']}/merge", json=body, headers=world.officer)
    assert r.status_code == 201, r.text
    merge_id = r.json()["id"]
    assert client.get(f"/api/v1/child-merges/{merge_id}", headers=world.other_officer).status_code == 404
    assert (
        client.post(f"/api/v1/child-merges/{merge_id}/undo", headers=world.other_officer).status_code == 404
    )
    assert client.post(f"/api/v1/child-merges/{merge_id}/undo", headers=world.collaborator).status_code == 403


def test_row_level_security_keeps_merges_and_pairs_to_their_commune(client, world):
    name = _name()
    keep = _made(client, world.collaborator, world.hamlet, full_name=name)
    gone = _made(client, world.collaborator_two, world.other_hamlet, full_name=name)
    _made(client, world.collaborator, world.hamlet, full_name=name, not_duplicate_of=[keep["id"]])
    r = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": gone["id"]}, headers=world.officer
    )
    assert r.status_code == 201, r.text
    other = Scope(records=world.other_commune.path, aggregates=world.other_commune.path)
    with scoped_session(other) as session:
        assert (
            session.execute(
                text("SELECT count(*) FROM child_merges WHERE id = :i"), {"i": r.json()["id"]}
            ).scalar()
            == 0
        )
        assert (
            session.execute(
                text("SELECT count(*) FROM child_distinct_pairs WHERE :c IN (child_a, child_b)"),
                {"c": keep["id"]},
            ).scalar()
            == 0
        )
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("SELECT child_unmerge(:i)"), {"i": r.json()["id"]})
        assert refused.value.orig.sqlstate == "42501"  # type: ignore[union-attr]
        session.rollback()
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("SELECT child_merge(:a, :b)"), {"a": keep["id"], "b": gone["id"]})
        assert refused.value.orig.sqlstate == "42501"  # type: ignore[union-attr]
        session.rollback()
    mine = Scope(records=world.commune.path, aggregates=world.commune.path)
    with scoped_session(mine) as session:
        assert (
            session.execute(
                text("SELECT count(*) FROM child_merges WHERE id = :i"), {"i": r.json()["id"]}
            ).scalar()
            == 1
        )
    with Session(admin_engine()) as owner:
        grants = (
            owner.execute(
                text(
                    "SELECT privilege_type FROM information_schema.role_table_grants "
                    "WHERE table_name = 'child_merges' AND grantee <> current_user"
                )
            )
            .scalars()
            .all()
        )
    assert set(grants) == {"SELECT"}


@pytest.mark.parametrize(
    "name", ["Nguyễn Thị Hoà", "  ĐẶNG   văn  Đức ", "Lê Thị Ánh Tuyết", "Hồ Ngọc Hà", "Bùi Thị Ưng"]
)
def test_the_database_folds_names_as_the_registry_does(client, name):
    with Session(admin_engine()) as owner:
        assert owner.execute(text("SELECT app_fold(:n)"), {"n": name}).scalar_one() == fold(name)


def _officer_caller(unit: Unit) -> Caller:
    return Caller(0, "dup-import", "Import", "ward_officer", unit, scope_for("ward_officer", unit.path))


def test_likely_duplicates_checks_a_batch_as_the_import_will(client, world):
    """The entry the register import calls: one answer per candidate, by personal id or by name, only
    within the caller's area, strongest first, a suspect in the same hamlet ahead."""
    name, number = _name(), _number()
    here = _made(client, world.collaborator, world.hamlet, full_name=name, national_id=number)
    there = _made(client, world.collaborator_two, world.other_hamlet, full_name=name)
    elsewhere = _made(client, world.other_officer, world.other_hamlet_b, full_name=name)
    born = date(2018, 3, 4)
    batch = [
        Candidate(fold(name).upper(), born, "female", None, ["nguyen van BINH"], world.hamlet.id),
        Candidate("Hoàng Văn Khác", date(2017, 1, 1), "male", number, ["Hoàng Văn Cha"]),
        Candidate(name, born, "female", None, ["Trần Thị Mẹ"]),  # same name and birth, no shared guardian
        Candidate(name, date(2018, 9, 9), "male", None, [FATHER["full_name"]]),  # a boy of the same year
        Candidate(name, date(2018, 9, 9), "female", None, [FATHER["full_name"]], world.other_hamlet.id),
    ]
    caller = _officer_caller(world.commune)
    with scoped_session(caller.scope) as session:
        found = likely_duplicates(session, caller, batch)
    assert [[(str(m.child_id), m.reason) for m in matches] for matches in found] == [
        [(here["id"], "name_dob_guardian"), (there["id"], "name_dob_guardian")],
        [(here["id"], "national_id")],
        [],
        [],
        [(there["id"], "name_year_sex_guardian"), (here["id"], "name_year_sex_guardian")],
    ]
    assert found[0][0].score > found[0][1].score  # the same hamlet first
    assert elsewhere["id"] not in str(found)
    # a collaborator's area is its hamlet
    collaborator = Caller(
        0, "dup-collab", "Collab", "collaborator", world.hamlet, scope_for("collaborator", world.hamlet.path)
    )
    with scoped_session(collaborator.scope) as session:
        assert [str(m.child_id) for m in likely_duplicates(session, collaborator, batch[:1])[0]] == [
            here["id"]
        ]


def test_undo_is_refused_when_the_absorbed_number_was_given_to_another_record(client, world):
    name = _name()
    keep = _made(client, world.collaborator, world.hamlet, full_name=name, national_id=_number())
    taken = _number()
    gone = _made(client, world.collaborator_two, world.other_hamlet, full_name=name, national_id=taken)
    r = client.post(
        f"/api/v1/children/{keep['id']}/merge", json={"absorbed_id": gone["id"]}, headers=world.officer
    )
    assert r.status_code == 201, r.text
    assert (
        client.get(f"/api/v1/children/{keep['id']}", headers=world.officer).json()["national_id"]
        == keep["national_id"]
    )
    # the number is free among active records: another commune registers a child with it
    _made(client, world.other_officer, world.other_hamlet_b, full_name=_name(), national_id=taken)
    undo = client.post(f"/api/v1/child-merges/{r.json()['id']}/undo", headers=world.officer)
    assert undo.status_code == 409, undo.text
    with Session(admin_engine()) as owner:
        status = owner.execute(
            text("SELECT status FROM children WHERE id = :i"), {"i": gone["id"]}
        ).scalar_one()
    assert status == "merged"


def _number() -> str:
    return fitting_id()  # fits child_payload's date of birth and sex (the registry checks the parts)


def test_bad_requests_name_the_field(client, world):
    child = _made(client, world.collaborator, world.hamlet, full_name=_name())
    itself = client.post(
        f"/api/v1/children/{child['id']}/merge", json={"absorbed_id": child["id"]}, headers=world.officer
    )
    assert itself.status_code == 422 and itself.json()["errors"][0]["field"] == "absorbed_id"
    malformed = client.post(
        f"/api/v1/children/{child['id']}/merge", json={"absorbed_id": "x"}, headers=world.officer
    )
    assert malformed.status_code == 400
    paged = client.get(f"/api/v1/units/{world.commune.id}/duplicates?page_size=1000", headers=world.officer)
    assert paged.status_code == 422 and paged.json()["errors"][0]["field"] == "page_size"
    unknown = client.post(
        f"/api/v1/children/{child['id']}/distinct",
        json={"other_id": str(uuid.uuid4())},
        headers=world.officer,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "unknown_child"
    assert client.post("/api/v1/child-merges/999999999/undo", headers=world.officer).status_code == 404
