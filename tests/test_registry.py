"""The child registry API: create, read, update with history and versions, validation, search, audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from infra.clock import today as vn_today
from tenancy.models import Unit
from tests.support import child_payload, fitting_id, hamlets_of, login, make_hamlet, make_user, unit

CHILDREN = "/api/v1/children"


@dataclass
class Area:
    commune: Unit
    hamlet: Unit
    username: str
    headers: dict[str, str]

    def children_url(self, unit_id: int | None = None) -> str:
        return f"/api/v1/units/{unit_id or self.hamlet.id}/children"


def own_commune(owner) -> Unit:
    """The last ward of Long Biên: the tests' own hamlets go there, not into the demo ward Yên Sở."""
    district = unit(owner, "district", "004")
    return owner.scalars(
        select(Unit).where(Unit.parent_id == district.id, Unit.level == "commune").order_by(Unit.code.desc())
    ).first()


@pytest.fixture()
def area(client, owner, uid) -> Area:
    """A hamlet of its own and a collaborator working there: no other test's children."""
    commune = own_commune(owner)
    hamlet = make_hamlet(owner, commune, f"Tổ kiểm thử {uid}")
    user = make_user(owner, f"reg-{uid}", "collaborator", hamlet.id)
    return Area(commune, hamlet, user.username, login(client, user.username))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def national_id() -> str:
    return fitting_id()  # the payload's child: a girl born in 2018


def create(client, area: Area, **overrides) -> dict:
    response = client.post(CHILDREN, headers=area.headers, json=child_payload(area.hamlet.id, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def errors_of(response) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def count_named(owner, name: str) -> int:
    owner.rollback()  # a fresh snapshot
    return owner.execute(text("SELECT count(*) FROM children WHERE full_name = :n"), {"n": name}).scalar_one()


def audit_for(owner, username: str, action: str, outcome: str = "allowed") -> list[dict]:
    owner.rollback()
    return [
        dict(r._mapping)
        for r in owner.execute(
            text("SELECT * FROM audit_log WHERE username = :u AND action = :a AND outcome = :o ORDER BY id"),
            {"u": username, "a": action, "o": outcome},
        )
    ]


# --- create, read, update, history -------------------------------------------------------------


def test_create_returns_the_full_record_and_get_returns_the_same(client, area, uid):
    body = child_payload(
        area.hamlet.id,
        full_name=f"Nguyễn Thị Hoa {uid}",
        national_id=national_id(),
        address="Số 1 ngõ 2",
        groups=[{"code": "d", "subgroup": "d2", "since": "2020-01-01"}],
        at_risk=[
            {"code": "poor_household", "since": "2021-05-01", "until": "2023-05-01", "note": "đã thoát nghèo"}
        ],
        supports=[{"code": "monthly_allowance", "since": "2020-02-01"}],
    )
    response = client.post(CHILDREN, headers=area.headers, json=body)
    assert response.status_code == 201, response.text
    child = response.json()
    uuid.UUID(child["id"])
    assert child["full_name"] == body["full_name"]
    assert child["date_of_birth"] == "2018-03-04"
    assert (child["sex"], child["ethnicity"], child["hamlet_id"]) == ("female", "Kinh", area.hamlet.id)
    assert child["national_id"] == body["national_id"] and child["status"] == "active"
    assert child["groups"] == [
        {"code": "d", "subgroup": "d2", "since": "2020-01-01", "until": None, "note": None}
    ]
    assert child["at_risk"] == [
        {
            "code": "poor_household",
            "subgroup": None,
            "since": "2021-05-01",
            "until": "2023-05-01",
            "note": "đã thoát nghèo",
        }
    ]
    assert [s["code"] for s in child["supports"]] == ["monthly_allowance"]
    assert child["guardians"] == [
        {
            "full_name": body["guardians"][0]["full_name"],
            "relationship": "father",
            "phone": "0912345678",
            "lives_with_child": True,
        }
    ]
    assert child["version"] == 1

    read = client.get(f"{CHILDREN}/{child['id']}", headers=area.headers)
    assert read.status_code == 200, read.text
    assert read.json() == child


def test_reads_and_lists_answer_the_record_exactly_as_the_write_did(client, area, uid):
    """Reads and lists are built from SQL rows (portal.registry.records), writes from the ORM
    (serialize.child_json): the same record is the same JSON, lists in the same order."""
    written = create(
        client,
        area,
        full_name=f"Trần Văn Khoa {uid}",
        groups=[
            {"code": "d", "subgroup": "d2", "since": "2021-01-01"},
            {"code": "a", "since": "2019-06-01", "until": "2020-06-01", "note": "mồ côi cha"},
            {"code": "d", "subgroup": "d1", "since": "2020-01-01"},
        ],
        at_risk=[{"code": "poor_household", "since": "2022-05-01"}],
        supports=[
            {"code": "monthly_allowance", "since": "2020-02-01"},
            {"code": "health_insurance", "since": "2019-01-01"},
        ],
        guardians=[
            {"full_name": "Trần Thị Mai", "relationship": "mother", "phone": None, "lives_with_child": False},
            {"full_name": "Trần Văn Nam", "relationship": "grandparent", "phone": "0987654321"},
        ],
    )
    assert [(g["code"], g["since"]) for g in written["groups"]] == [
        ("a", "2019-06-01"),
        ("d", "2020-01-01"),
        ("d", "2021-01-01"),
    ]
    bare = create(client, area, full_name=f"Trần Thị Không {uid}", guardians=[])
    read = client.get(f"{CHILDREN}/{written['id']}", headers=area.headers)
    assert read.status_code == 200, read.text
    assert read.json() == written
    listed = client.get(area.children_url(), headers=area.headers, params={"q": uid, "page_size": 10})
    assert listed.status_code == 200, listed.text
    assert {item["id"]: item for item in listed.json()["items"]} == {written["id"]: written, bare["id"]: bare}
    assert listed.json()["total"] == 2


def test_names_are_stored_in_canonical_form_and_ethnicity_is_matched_without_accents(client, area, uid):
    decomposed = "Nguye\u0302\u0303n  Thi\u0323   Hoa " + uid  # NFD and double spaces
    child = create(client, area, full_name=decomposed, ethnicity="tay")
    assert child["full_name"] == f"Nguyễn Thị Hoa {uid}"
    assert child["ethnicity"] == "Tày"


def test_update_bumps_the_version_and_history_keeps_only_changed_fields(client, area, uid):
    child = create(client, area, full_name=f"Trần Văn Nam {uid}")
    url = f"{CHILDREN}/{child['id']}"
    new_guardians = [{"full_name": "Lê Thị Mai", "relationship": "mother", "phone": "0987654321"}]
    response = client.patch(
        url,
        headers=area.headers,
        json={"version": 1, "school_status": "lower_secondary", "guardians": new_guardians},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version"] == 2
    assert updated["school_status"] == "lower_secondary"
    assert [g["full_name"] for g in updated["guardians"]] == ["Lê Thị Mai"]
    assert updated["full_name"] == child["full_name"]  # untouched
    assert client.get(url, headers=area.headers).json() == updated

    history = client.get(f"{url}/history", headers=area.headers)
    assert history.status_code == 200, history.text
    items = history.json()["items"]
    assert [h["action"] for h in items] == ["create", "update"]
    assert all(h["actor"] == area.username for h in items)
    created, changed = items
    assert created["before"] is None and created["after"]["full_name"] == child["full_name"]
    assert set(changed["before"]) == set(changed["after"]) == {"school_status", "guardians"}
    assert changed["before"]["school_status"] == "primary"
    assert changed["after"]["school_status"] == "lower_secondary"
    assert changed["before"]["guardians"][0]["full_name"] == child["guardians"][0]["full_name"]
    assert changed["after"]["guardians"][0]["full_name"] == "Lê Thị Mai"

    again = client.patch(url, headers=area.headers, json={"version": 2, "full_name": f"Trần Văn Bắc {uid}"})
    assert again.status_code == 200 and again.json()["version"] == 3
    names = client.get(area.children_url(), params={"q": "bac"}, headers=area.headers).json()["items"]
    assert [c["id"] for c in names] == [child["id"]]  # the search name follows the new name


def test_replacing_one_list_keeps_the_others(client, area):
    child = create(
        client,
        area,
        groups=[{"code": "a", "since": "2019-01-01"}],
        supports=[{"code": "health_insurance", "since": "2019-01-01"}],
    )
    response = client.patch(
        f"{CHILDREN}/{child['id']}",
        headers=area.headers,
        json={"groups": [{"code": "d", "subgroup": "d1", "since": "2022-01-01"}]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(g["code"], g["subgroup"]) for g in body["groups"]] == [("d", "d1")]
    assert [s["code"] for s in body["supports"]] == ["health_insurance"]
    assert client.get(f"{CHILDREN}/{child['id']}", headers=area.headers).json() == body


def test_a_patch_that_changes_nothing_writes_no_history(client, area):
    child = create(client, area)
    response = client.patch(f"{CHILDREN}/{child['id']}", headers=area.headers, json={"sex": "female"})
    assert response.status_code == 200 and response.json()["version"] == 1
    items = client.get(f"{CHILDREN}/{child['id']}/history", headers=area.headers).json()["items"]
    assert [h["action"] for h in items] == ["create"]


def test_stale_version_is_a_conflict_and_changes_nothing(client, area):
    child = create(client, area)
    url = f"{CHILDREN}/{child['id']}"
    assert client.patch(url, headers=area.headers, json={"version": 1, "notes": "first"}).status_code == 200
    stale = client.patch(url, headers=area.headers, json={"version": 1, "notes": "second"})
    assert stale.status_code == 409, stale.text
    current = client.get(url, headers=area.headers).json()
    assert current["notes"] == "first" and current["version"] == 2


def test_a_child_outside_the_callers_area_is_not_found(client, owner, area, uid):
    child = create(client, area)
    other_hamlet = make_hamlet(owner, area.commune, f"Tổ khác {uid}")
    other = make_user(owner, f"reg-other-{uid}", "collaborator", other_hamlet.id)
    headers = login(client, other.username)
    assert client.get(f"{CHILDREN}/{child['id']}", headers=headers).status_code == 404
    assert client.patch(f"{CHILDREN}/{child['id']}", headers=headers, json={"notes": "x"}).status_code == 404
    assert client.get(f"{CHILDREN}/{child['id']}/history", headers=headers).status_code == 404
    assert client.get(f"{CHILDREN}/{uuid.uuid4()}", headers=area.headers).status_code == 404


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"date_of_birth": (vn_today() + timedelta(days=1)).isoformat()}, "date_of_birth", "future_date"),
        ({"date_of_birth": years_before(vn_today(), 16).isoformat()}, "date_of_birth", "too_old"),
        ({"date_of_birth": years_before(vn_today(), 20).isoformat()}, "date_of_birth", "too_old"),
        ({"groups": [{"code": "z", "since": "2020-01-01"}]}, "groups[0].code", "unknown_code"),
        (
            {"groups": [{"code": "a", "subgroup": "d1", "since": "2020-01-01"}]},
            "groups[0].subgroup",
            "unknown_code",
        ),
        (
            {"groups": [{"code": "d", "subgroup": "x9", "since": "2020-01-01"}]},
            "groups[0].subgroup",
            "unknown_code",
        ),
        ({"at_risk": [{"code": "d", "since": "2020-01-01"}]}, "at_risk[0].code", "unknown_code"),
        ({"groups": [{"code": "a", "since": "2017-01-01"}]}, "groups[0].since", "invalid"),
        (
            {"supports": [{"code": "gift", "since": "2021-01-01", "until": "2020-01-01"}]},
            "supports[0].until",
            "invalid",
        ),
        ({"ethnicity": "Klingon"}, "ethnicity", "invalid"),
        ({"sex": "unknown"}, "sex", "invalid"),
        ({"full_name": "   "}, "full_name", "required"),
        ({"national_id": "12345"}, "national_id", "invalid"),
        ({"school_status": "university"}, "school_status", "invalid"),
        (
            {"guardians": [{"full_name": "Lê Văn A", "relationship": "boss"}]},
            "guardians[0].relationship",
            "invalid",
        ),
        (
            {"guardians": [{"full_name": "Lê Văn A", "relationship": "father", "phone": "call me"}]},
            "guardians[0].phone",
            "invalid",
        ),
    ],
)
def test_invalid_values_are_422_naming_the_field(client, owner, area, uid, overrides, field, code):
    name = overrides.get("full_name", f"Hoàng Văn Sai {uid}")
    response = client.post(
        CHILDREN, headers=area.headers, json=child_payload(area.hamlet.id, **{"full_name": name, **overrides})
    )
    assert response.status_code == 422, response.text
    assert errors_of(response) == {field: code}
    assert field in response.json()["detail"]
    assert count_named(owner, name) == 0


def test_the_sixteenth_birthday_is_the_limit(client, area):
    today = vn_today()
    last_day_as_child = years_before(today, 16) + timedelta(days=1)
    assert (
        create(client, area, date_of_birth=last_day_as_child.isoformat())["date_of_birth"]
        == last_day_as_child.isoformat()
    )
    assert create(client, area, date_of_birth=today.isoformat())["date_of_birth"] == today.isoformat()
    response = client.post(
        CHILDREN,
        headers=area.headers,
        json=child_payload(area.hamlet.id, date_of_birth=years_before(today, 16).isoformat()),
    )
    assert response.status_code == 422 and errors_of(response) == {"date_of_birth": "too_old"}


def test_several_errors_are_reported_together(client, owner, area, uid):
    name = f"Đỗ Văn Nhiều Lỗi {uid}"
    response = client.post(
        CHILDREN,
        headers=area.headers,
        json=child_payload(
            area.hamlet.id,
            full_name=name,
            date_of_birth=(vn_today() + timedelta(days=3)).isoformat(),
            sex="x",
            ethnicity="nope",
            guardians=[{"full_name": "Lê Văn A", "relationship": "boss"}],
            supports=[{"code": "zz", "since": "2020-01-01"}],
        ),
    )
    assert response.status_code == 422, response.text
    assert errors_of(response) == {
        "date_of_birth": "future_date",
        "sex": "invalid",
        "ethnicity": "invalid",
        "guardians[0].relationship": "invalid",
        "supports[0].code": "unknown_code",
        "supports[0].since": "invalid",
    }  # before a (future) birth date
    assert count_named(owner, name) == 0


def test_a_hamlet_outside_the_callers_commune_is_refused_and_audited(client, owner, uid):
    commune = own_commune(owner)
    other_commune = owner.scalars(
        select(Unit)
        .where(Unit.parent_id == commune.parent_id, Unit.id != commune.id, Unit.level == "commune")
        .order_by(Unit.code)
    ).first()
    elsewhere = hamlets_of(owner, other_commune)[0]  # a sibling ward of the same district
    officer = make_user(owner, f"reg-ward-{uid}", "ward_officer", commune.id)
    headers = login(client, officer.username)
    name = f"Vũ Thị Ngoài {uid}"
    response = client.post(CHILDREN, headers=headers, json=child_payload(elsewhere.id, full_name=name))
    assert response.status_code == 422, response.text
    assert errors_of(response) == {"hamlet_id": "out_of_scope"}
    assert count_named(owner, name) == 0
    denied = audit_for(owner, officer.username, "write", "denied")
    assert len(denied) == 1 and denied[0]["resource"] == "child" and denied[0]["status_code"] == 422
    # the same officer may record a child in any hamlet of their own commune
    inside = make_hamlet(owner, commune, f"Tổ trong xã {uid}")
    created = client.post(
        CHILDREN, headers=headers, json=child_payload(inside.id, full_name=f"Vũ Thị Trong {uid}")
    )
    assert created.status_code == 201, created.text


def test_moving_a_child_out_of_the_area_is_refused(client, owner, area, uid):
    child = create(client, area)
    elsewhere = make_hamlet(owner, area.commune, f"Tổ bên cạnh {uid}")
    response = client.patch(
        f"{CHILDREN}/{child['id']}", headers=area.headers, json={"hamlet_id": elsewhere.id}
    )
    assert response.status_code == 422 and errors_of(response) == {"hamlet_id": "out_of_scope"}
    assert len(audit_for(owner, area.username, "write", "denied")) == 1
    assert client.get(f"{CHILDREN}/{child['id']}", headers=area.headers).json()["hamlet_id"] == area.hamlet.id


def test_a_ward_officer_moves_a_child_between_hamlets_of_the_commune(client, owner, area, uid):
    child = create(client, area, full_name=f"Tô Văn Chuyển {uid}")
    officer = make_user(owner, f"reg-mover-{uid}", "ward_officer", area.commune.id)
    headers = login(client, officer.username)
    target = make_hamlet(owner, area.commune, f"Tổ mới {uid}")
    moved = client.patch(f"{CHILDREN}/{child['id']}", headers=headers, json={"hamlet_id": target.id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["hamlet_id"] == target.id and moved.json()["version"] == 2
    owner.rollback()
    assert (
        owner.execute(text("SELECT unit_path FROM children WHERE id = :i"), {"i": child["id"]}).scalar_one()
        == target.path
    )
    assert client.get(f"{CHILDREN}/{child['id']}", headers=area.headers).status_code == 404  # left her hamlet
    last = client.get(f"{CHILDREN}/{child['id']}/history", headers=headers).json()["items"][-1]
    assert (last["actor"], last["before"], last["after"]) == (
        officer.username,
        {"hamlet_id": area.hamlet.id},
        {"hamlet_id": target.id},
    )


@pytest.mark.parametrize("target", ["commune", "district", "missing"])
def test_hamlet_id_must_be_a_hamlet(client, owner, area, uid, target):
    unit_id = {"commune": area.commune.id, "district": area.commune.parent_id, "missing": 10**12}[target]
    name = f"Bùi Văn Xã {uid}"
    response = client.post(CHILDREN, headers=area.headers, json=child_payload(unit_id, full_name=name))
    assert response.status_code == 422, response.text
    assert errors_of(response) == {"hamlet_id": "not_a_hamlet"}
    assert count_named(owner, name) == 0


def test_patch_validation_is_422_and_changes_nothing(client, area):
    child = create(client, area, groups=[{"code": "a", "since": "2019-01-01"}])
    url = f"{CHILDREN}/{child['id']}"
    response = client.patch(url, headers=area.headers, json={"date_of_birth": "2019-06-01", "sex": "?"})
    assert response.status_code == 422, response.text
    assert errors_of(response) == {"date_of_birth": "invalid", "sex": "invalid"}  # born after the group began
    assert client.get(url, headers=area.headers).json() == child


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": "not-a-date"}, "date_of_birth"),
        ({"hamlet_id": "seven"}, "hamlet_id"),
        ({"birth_registered": "yes"}, "birth_registered"),
        ({"sex": None}, "sex"),
        ({"groups": [{"code": "a", "since": "yesterday"}]}, "groups[0].since"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        (
            {"guardians": [{"full_name": "Lê Văn A", "relationship": "father", "age": 40}]},
            "age",
        ),  # Litestar drops the path
    ],
)
def test_malformed_input_is_400_naming_the_field(client, owner, area, uid, overrides, field):
    name = f"Phan Văn Hỏng {uid}"
    response = client.post(
        CHILDREN, headers=area.headers, json={**child_payload(area.hamlet.id, full_name=name), **overrides}
    )
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field], response.text
    assert all(e["code"] == "malformed" for e in errors)
    assert count_named(owner, name) == 0


def test_a_missing_required_field_is_400(client, area):
    body = child_payload(area.hamlet.id)
    del body["sex"]
    response = client.post(CHILDREN, headers=area.headers, json=body)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["sex"], response.text


def test_a_failure_after_the_insert_leaves_nothing_half_written(client, owner, area, uid):
    nid = national_id()
    create(client, area, national_id=nid)
    name = f"Lý Văn Trùng {uid}"
    response = client.post(
        CHILDREN,
        headers=area.headers,
        json=child_payload(
            area.hamlet.id, full_name=name, national_id=nid, groups=[{"code": "a", "since": "2019-01-01"}]
        ),
    )
    assert response.status_code == 422, response.text
    assert errors_of(response) == {"national_id": "duplicate"}
    assert count_named(owner, name) == 0
    orphans = owner.execute(
        text(
            "SELECT (SELECT count(*) FROM guardians g WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.id = g.child_id))"
            " + (SELECT count(*) FROM child_history h WHERE h.after->>'full_name' = :n)"
        ),
        {"n": name},
    ).scalar_one()
    assert orphans == 0


# --- search and lists ---------------------------------------------------------------------------


def list_ids(client, area, **params) -> list[str]:
    response = client.get(area.children_url(), params=params, headers=area.headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_search_ignores_accents_and_case(client, area, uid):
    nguyen = create(client, area, full_name=f"Nguyễn Thị Hoa {uid}")
    create(client, area, full_name=f"Trần Văn Hùng {uid}")
    assert list_ids(client, area, q="nguyen") == [nguyen["id"]]
    assert list_ids(client, area, q="NGUYỄN thi") == [nguyen["id"]]
    assert list_ids(client, area, q="hoa") == [nguyen["id"]]
    assert len(list_ids(client, area, q=uid)) == 2
    assert list_ids(client, area, q="Lê") == []


def test_search_by_national_id(client, area):
    nid = national_id()
    found = create(client, area, national_id=nid)
    create(client, area, national_id=national_id())
    assert list_ids(client, area, q=nid) == [found["id"]]
    assert list_ids(client, area, q=f" {nid} ") == [found["id"]]


def test_group_filter_counts_only_current_membership(client, area):
    yesterday = (vn_today() - timedelta(days=1)).isoformat()
    current = create(client, area, groups=[{"code": "d", "subgroup": "d3", "since": "2020-01-01"}])
    create(client, area, groups=[{"code": "d", "since": "2019-01-01", "until": "2020-01-01"}])  # left
    create(client, area, groups=[{"code": "a", "since": "2020-01-01"}])
    create(client, area)
    hiv = create(client, area, groups=[{"code": "đ", "since": yesterday}])
    assert hiv["groups"][0]["code"] == "dd"
    assert list_ids(client, area, group="d") == [current["id"]]
    assert list_ids(client, area, group="dd") == [hiv["id"]]
    assert list_ids(client, area, group="đ") == [hiv["id"]]
    bad = client.get(area.children_url(), params={"group": "zz"}, headers=area.headers)
    assert bad.status_code == 422 and errors_of(bad) == {"group": "unknown_code"}


def test_risk_filter_counts_only_current_flags_and_combines_with_the_group(client, area):
    poor = create(client, area, at_risk=[{"code": "poor_household", "since": "2021-01-01"}])
    create(client, area, at_risk=[{"code": "poor_household", "since": "2019-01-01", "until": "2020-01-01"}])
    create(client, area, at_risk=[{"code": "parents_away", "since": "2021-01-01"}])
    both = create(
        client,
        area,
        at_risk=[{"code": "poor_household", "since": "2021-01-01"}],
        groups=[{"code": "d", "subgroup": "d3", "since": "2021-01-01"}],
    )
    assert sorted(list_ids(client, area, risk="poor_household")) == sorted([poor["id"], both["id"]])
    assert list_ids(client, area, risk="poor_household", group="d") == [both["id"]]
    assert list_ids(client, area, risk="violence_risk") == []
    bad = client.get(area.children_url(), params={"risk": "rich"}, headers=area.headers)
    assert bad.status_code == 422 and errors_of(bad) == {"risk": "unknown_code"}


def test_pagination(client, area, uid):
    ids = [create(client, area, full_name=f"Mai Văn {given} {uid}")["id"] for given in ("Ba", "Hai", "Một")]
    first = client.get(area.children_url(), params={"page": 1, "page_size": 2}, headers=area.headers).json()
    second = client.get(area.children_url(), params={"page": 2, "page_size": 2}, headers=area.headers).json()
    assert (first["page"], first["page_size"], first["total"]) == (1, 2, 3)
    assert (second["page"], second["page_size"], second["total"]) == (2, 2, 3)
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert sorted(c["id"] for c in first["items"] + second["items"]) == sorted(ids)
    beyond = client.get(area.children_url(), params={"page": 3, "page_size": 2}, headers=area.headers).json()
    assert beyond["items"] == [] and beyond["total"] == 3
    full = client.get(area.children_url(), params={"page_size": 100}, headers=area.headers)
    assert full.status_code == 200 and full.json()["total"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"page": 0}, "page"),
        ({"status": "sleeping"}, "status"),
    ],
)
def test_bad_list_parameters_are_422(client, area, params, field):
    response = client.get(area.children_url(), params=params, headers=area.headers)
    assert response.status_code == 422, response.text
    assert field in errors_of(response)


def test_list_is_in_vietnamese_order_by_given_name(client, area):
    names = [
        "Lê Cường",
        "Vũ Thị Lan",
        "Nguyễn Thị Bình",
        "Phạm Thị Ánh",
        "Trần Văn An",
        "Đỗ Thị Lan",
        "Hoàng Văn Bảo",
    ]
    for name in names:
        create(client, area, full_name=name)
    response = client.get(area.children_url(), headers=area.headers)
    assert [c["full_name"] for c in response.json()["items"]] == [
        "Trần Văn An",
        "Phạm Thị Ánh",
        "Hoàng Văn Bảo",
        "Nguyễn Thị Bình",
        "Lê Cường",
        "Đỗ Thị Lan",
        "Vũ Thị Lan",
    ]


def test_status_filter(client, area):
    active = create(client, area)
    moved = create(client, area)
    patched = client.patch(f"{CHILDREN}/{moved['id']}", headers=area.headers, json={"status": "moved_away"})
    assert patched.status_code == 200, patched.text
    assert list_ids(client, area) == [active["id"]]
    assert list_ids(client, area, status="moved_away") == [moved["id"]]
    assert sorted(list_ids(client, area, status="all")) == sorted([active["id"], moved["id"]])


def test_a_ward_officer_lists_the_whole_commune(client, owner, area, uid):
    child = create(client, area, full_name=f"Kiều Văn Phường {uid}")
    officer = make_user(owner, f"reg-w2-{uid}", "ward_officer", area.commune.id)
    headers = login(client, officer.username)
    listed = client.get(area.children_url(area.commune.id), params={"q": uid}, headers=headers).json()
    assert [c["id"] for c in listed["items"]] == [child["id"]]


# --- audit of reads -----------------------------------------------------------------------------


def test_every_read_is_audited(client, owner, area):
    child = create(client, area)
    cid = child["id"]
    assert [r["resource_ids"] for r in audit_for(owner, area.username, "create")] == [[cid]]

    assert audit_for(owner, area.username, "read") == []
    client.get(f"{CHILDREN}/{cid}", headers=area.headers)
    reads = audit_for(owner, area.username, "read")
    assert len(reads) == 1 and reads[0]["resource_ids"] == [cid] and reads[0]["resource"] == "child"
    assert reads[0]["unit_id"] == area.hamlet.id

    client.get(area.children_url(), headers=area.headers)
    lists = audit_for(owner, area.username, "list")
    assert len(lists) == 1 and lists[0]["resource_ids"] == [cid] and lists[0]["unit_id"] == area.hamlet.id

    client.get(f"{CHILDREN}/{cid}/history", headers=area.headers)
    assert [r["resource_ids"] for r in audit_for(owner, area.username, "history")] == [[cid]]

    client.patch(f"{CHILDREN}/{cid}", headers=area.headers, json={"notes": "đã thăm nhà"})
    updates = audit_for(owner, area.username, "update")
    assert len(updates) == 1 and updates[0]["resource_ids"] == [cid]
    assert updates[0]["detail"] == {"fields": ["notes"]}


def test_vietnamese_alphabet_and_tone_order():
    from portal.registry.text import sort_key

    names = [
        "Nguyễn Văn Đức",
        "Trần Văn Dũng",
        "Lê Thị Ánh",
        "Lê Thị Anh",
        "Lê Thị Ảnh",
        "Phạm Thị Ăn",
        "Ngô Văn An",
        "Bùi Thị Ân",
        "Đỗ Văn Ưng",
        "Vũ Văn Uy",
    ]
    assert sorted(names, key=sort_key) == [
        "Ngô Văn An",
        "Lê Thị Anh",
        "Lê Thị Ảnh",
        "Lê Thị Ánh",
        "Phạm Thị Ăn",
        "Bùi Thị Ân",
        "Trần Văn Dũng",
        "Nguyễn Văn Đức",
        "Vũ Văn Uy",
        "Đỗ Văn Ưng",
    ]


def test_a_closed_hamlet_takes_no_new_child(client, owner, uid):
    from tests.support import make_unit

    ward = unit(owner, "commune", "00340")
    closed = make_unit(
        owner, ward, "hamlet", f"Tổ đã giải thể {uid}", valid_to=vn_today() - timedelta(days=1)
    )
    officer = login(client, "demo-officer", "demo-password")
    refused = client.post("/api/v1/children", headers=officer, json=child_payload(closed.id))
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "hamlet_id", "message": refused.json()["errors"][0]["message"], "code": "closed"}
    ]
    assert (
        owner.execute(text("SELECT count(*) FROM children WHERE hamlet_id = :h"), {"h": closed.id}).scalar()
        == 0
    )
