"""The collaborators' offline app, server side: what a phone may keep, and its queue applied exactly once.

Against the real application and PostgreSQL (row-level security included): the snapshot holds the
collaborator's own hamlet only (not the sibling hamlet, not the other commune) and is refused to every
other role; a batch sent twice, or twice at the same time, adds nothing twice; a change made against an
older version comes back as a conflict with the server's version and changes nothing; refusals name
their fields; the month's report is saved as an incomplete draft; logout tells the browser to wipe.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine, new_session
from portal.app import create_app
from portal.field.models import FieldChange
from portal.reports.periods import containing
from tests.e2e.site import Browser, web_tree
from tests.support import audit_rows

MONTH = containing("month", date.today()).key


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(database: object) -> dict[str, Any]:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return web_tree(owner)


class Phone:
    """The app's calls as field.js makes them: the session cookie, the snapshot's CSRF token."""

    def __init__(self, app: object, username: str | None) -> None:
        self.browser = Browser(TestClient(app=app, base_url="http://testserver.local"))  # type: ignore[arg-type]
        if username:
            self.browser.login(username)
        self.device = str(uuid.uuid4())
        self.csrf = ""

    def snapshot(self, lang: str = "en") -> Any:
        r = self.browser.client.get("/field/api/snapshot", headers={"Accept-Language": lang})
        if r.status_code == 200:
            self.csrf = r.json()["csrf"]
        return r

    def sync(self, changes: list[dict[str, Any]], lang: str = "en", csrf: str | None = None) -> Any:
        return self.browser.client.post(
            "/field/api/sync",
            json={"device_id": self.device, "changes": changes},
            headers={"X-CSRF-Token": self.csrf if csrf is None else csrf, "Accept-Language": lang},
        )


def _phone(app: object, tree: dict[str, Any], who: str = "collab") -> Phone:
    phone = Phone(app, tree["users"][who])
    assert phone.snapshot().status_code == 200
    return phone


def _new_child(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "child_create",
        "change_id": str(uuid.uuid4()),
        "record": {
            "full_name": name,
            "date_of_birth": "2019-05-06",
            "sex": "female",
            "ethnicity": "Tày",
            **extra,
        },
    }


def _count(name: str) -> int:
    with Session(admin_engine()) as owner:
        return int(
            owner.execute(
                text("SELECT count(*) FROM children WHERE full_name = :n"), {"n": name}
            ).scalar_one()
        )


def test_the_snapshot_holds_the_collaborators_hamlet_and_nothing_beyond_it(app, tree):
    phone = Phone(app, tree["users"]["collab"])
    r = phone.snapshot()
    assert r.status_code == 200, r.text
    snap = r.json()
    ids = {c["id"] for c in snap["children"]}
    assert ids == {str(c.id) for c in tree["children"]}
    assert str(tree["outsider"].id) not in ids
    assert snap["hamlet"] == {"id": tree["hamlet"].id, "name": tree["hamlet"].name}
    assert all(c["version"] >= 1 and "guardians" in c and "groups" in c for c in snap["children"])
    assert {g["code"] for g in snap["reference"]["groups"]} and snap["reference"]["subgroups"]
    assert snap["reports"]["sheets"][-1]["period"] == MONTH and snap["reports"]["sections"]
    assert 0 < snap["size_bytes"] <= snap["limits"]["store_max_bytes"]
    assert snap["csrf"] and snap["wipe_at"] > snap["generated_at"]
    # the reading is audited once, naming every record the phone received
    reads = [a for a in audit_rows(Session(admin_engine()), tree["users"]["collab"]) if a["action"] == "read"]
    assert any(set(map(str, a["resource_ids"] or [])) == ids for a in reads)


def test_a_sibling_hamlets_collaborator_gets_their_own_hamlet_only(app, tree):
    with Session(admin_engine(), expire_on_commit=False) as owner:
        from tests.e2e.site import add_named_children
        from tests.support import make_user

        neighbour = add_named_children(owner, tree["hamlet2"], [f"Lò Văn Bên {tree['tag']}"])[0]
        user = make_user(owner, f"web-collab2-{tree['tag']}", "collaborator", tree["hamlet2"].id)
    snap = Phone(app, user.username).snapshot().json()
    assert [c["id"] for c in snap["children"]] == [str(neighbour.id)]


@pytest.mark.parametrize("who", ["officer", "chair", "inspector", "hotline", "other_officer"])
def test_every_other_role_is_refused_the_offline_app(app, tree, who):
    phone = Phone(app, tree["users"][who])
    assert phone.snapshot().status_code == 403
    page = phone.browser.get("/field")
    assert page.status_code == 403 and "<html" in page.text
    refused = phone.sync([_new_child("Không được")], csrf="x")
    assert refused.status_code == 403


def test_without_a_session_or_the_token_the_app_gets_nothing(app, tree):
    anonymous = Phone(app, None)
    assert anonymous.snapshot().status_code == 401
    phone = _phone(app, tree)
    name = f"Không token {tree['tag']}"
    assert phone.sync([_new_child(name)], csrf="0" * 64).status_code == 403
    assert _count(name) == 0
    refusals = audit_rows(Session(admin_engine()), tree["users"]["collab"], "denied")
    assert any(a["resource"] == "csrf" and a["detail"]["path"] == "/field/api/sync" for a in refusals)


def test_a_batch_sent_twice_adds_nothing_twice(app, tree):
    phone = _phone(app, tree)
    name = f"Hà Thị Mây {tree['tag']}"
    child = tree["children"][0]
    batch = [
        _new_child(name, groups=[{"code": "d", "since": "2024-01-02"}]),
        {
            "kind": "child_update",
            "change_id": str(uuid.uuid4()),
            "child_id": str(child.id),
            "base_version": 1,
            "fields": {"household_code": "HK-0042"},
        },
    ]
    first = phone.sync(batch)
    assert first.status_code == 200, first.text
    outcomes = first.json()["outcomes"]
    assert [o["outcome"] for o in outcomes] == ["applied", "applied"], outcomes
    assert outcomes[0]["record"]["groups"][0]["code"] == "d"
    assert outcomes[1]["version"] == 2 and outcomes[1]["record"]["household_code"] == "HK-0042"
    again = phone.sync(batch).json()["outcomes"]
    assert [(o["outcome"], o.get("replayed")) for o in again] == [("applied", True), ("applied", True)]
    assert again[0]["entity_id"] == outcomes[0]["entity_id"]
    assert _count(name) == 1
    with Session(admin_engine()) as owner:
        version = owner.execute(
            text("SELECT version FROM children WHERE id = :i"), {"i": child.id}
        ).scalar_one()
        history = owner.execute(
            text("SELECT count(*) FROM child_history WHERE child_id = :i AND action = 'update'"),
            {"i": child.id},
        ).scalar_one()
    assert version == 2 and history == 1


def test_the_same_batch_raced_from_two_requests_is_applied_once(app, tree):
    phone = _phone(app, tree)
    name = f"Đua Văn Hai {tree['tag']}"
    batch = [_new_child(name)]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: phone.sync(batch), range(2)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    outcomes = [a.json()["outcomes"][0] for a in answers]
    assert {o["outcome"] for o in outcomes} == {"applied"}
    assert sorted(bool(o.get("replayed")) for o in outcomes) == [False, True]
    assert _count(name) == 1


def test_a_change_made_against_an_older_version_is_a_conflict_with_both_versions(app, tree):
    phone = _phone(app, tree)
    child = tree["children"][1]
    # another device changed the child meanwhile
    other = _phone(app, tree)
    changed = other.sync(
        [
            {
                "kind": "child_update",
                "change_id": str(uuid.uuid4()),
                "child_id": str(child.id),
                "base_version": 1,
                "fields": {"address": "Số 2 ngõ Chợ"},
            }
        ]
    ).json()["outcomes"][0]
    assert changed["outcome"] == "applied" and changed["version"] == 2
    mine = {
        "kind": "child_update",
        "change_id": str(uuid.uuid4()),
        "child_id": str(child.id),
        "base_version": 1,
        "fields": {"address": "Số 9 đường Đê"},
    }
    conflict = phone.sync([mine]).json()["outcomes"][0]
    assert conflict["outcome"] == "conflict"
    assert conflict["current"]["address"] == "Số 2 ngõ Chợ" and conflict["current"]["version"] == 2
    with Session(admin_engine()) as owner:
        stored = owner.execute(
            text("SELECT address FROM children WHERE id = :i"), {"i": child.id}
        ).scalar_one()
    assert stored == "Số 2 ngõ Chợ"
    # the collaborator keeps theirs: sent again from the version they were shown
    kept = phone.sync([{**mine, "change_id": str(uuid.uuid4()), "base_version": 2}]).json()["outcomes"][0]
    assert (
        kept["outcome"] == "applied" and kept["record"]["address"] == "Số 9 đường Đê" and kept["version"] == 3
    )


def test_refusals_name_the_field_in_the_users_language(app, tree):
    phone = _phone(app, tree)
    future = _new_child(f"Tương Lai {tree['tag']}")
    future["record"]["date_of_birth"] = "2099-01-01"
    shape = {"kind": "child_create", "change_id": str(uuid.uuid4()), "record": {"full_name": 5}}
    nameless = {"kind": "teleport", "change_id": str(uuid.uuid4())}
    outsider = {
        "kind": "child_update",
        "change_id": str(uuid.uuid4()),
        "child_id": str(tree["outsider"].id),
        "base_version": 1,
        "fields": {"address": "x"},
    }
    out = phone.sync([future, shape, nameless, outsider], lang="vi").json()["outcomes"]
    assert [o["outcome"] for o in out] == ["rejected"] * 4
    assert out[0]["errors"][0]["field"] == "date_of_birth" and out[0]["errors"][0]["message"]
    assert "date" not in out[0]["errors"][0]["message"].lower()  # Vietnamese, not the service's English
    assert out[2]["errors"][0]["field"] == "kind"
    assert out[3]["errors"][0]["code"] == "not_found"
    with Session(admin_engine()) as owner:
        kept = owner.scalars(
            text("SELECT change_id FROM field_changes WHERE change_id = ANY(:ids)").bindparams(
                ids=[uuid.UUID(c["change_id"]) for c in (future, shape, nameless, outsider)]
            )
        ).all()
        address = owner.execute(
            text("SELECT address FROM children WHERE id = :i"), {"i": tree["outsider"].id}
        ).scalar()
    assert len(kept) == 3  # the change of no known kind is not remembered
    assert address is None
    denied = audit_rows(Session(admin_engine()), tree["users"]["collab"], "denied")
    assert any(str(tree["outsider"].id) in map(str, a["resource_ids"] or []) for a in denied)


def test_a_likely_duplicate_waits_for_the_collaborators_word(app, tree):
    phone = _phone(app, tree)
    name = f"Sùng Thị Dế {tree['tag']}"
    guardian = [{"full_name": "Sùng A Páo", "relationship": "father", "lives_with_child": True}]
    first = phone.sync([_new_child(name, guardians=guardian)]).json()["outcomes"][0]
    assert first["outcome"] == "applied"
    twin = _new_child(name, guardians=guardian)
    out = phone.sync([twin]).json()["outcomes"][0]
    assert out["outcome"] == "duplicate" and first["entity_id"] in {s["id"] for s in out["suspects"]}
    assert _count(name) == 1
    confirmed = {**twin, "change_id": str(uuid.uuid4())}
    confirmed["record"] = {**twin["record"], "not_duplicate_of": [first["entity_id"]]}
    assert phone.sync([confirmed]).json()["outcomes"][0]["outcome"] == "applied"
    assert _count(name) == 2


def test_the_months_report_is_saved_as_an_incomplete_draft_once(app, tree):
    phone = _phone(app, tree)
    sections = phone.snapshot().json()["reports"]["sections"]
    first = sections[0]
    cell = first["cells"][0]["key"]
    change = {
        "kind": "report_values",
        "change_id": str(uuid.uuid4()),
        "period": MONTH,
        "base_version": None,
        "values": {first["code"]: {cell: 3}},
    }
    out = phone.sync([change]).json()["outcomes"][0]
    assert out["outcome"] == "applied", out
    assert out["record"]["entered"][first["code"]][cell] == 3 and out["record"]["status"] == "draft"
    assert phone.sync([change]).json()["outcomes"][0]["replayed"] is True
    with Session(admin_engine()) as owner:
        reports = owner.execute(
            text("SELECT count(*), max(version) FROM reports WHERE unit_id = :u AND period = :p"),
            {"u": tree["hamlet"].id, "p": MONTH},
        ).one()
    assert reports[0] == 1
    # a phone that started before that draft existed is shown both versions
    stale = {**change, "change_id": str(uuid.uuid4()), "values": {first["code"]: {cell: 4}}}
    conflict = phone.sync([stale]).json()["outcomes"][0]
    assert conflict["outcome"] == "conflict" and conflict["current"]["entered"][first["code"]][cell] == 3
    kept = {**stale, "change_id": str(uuid.uuid4()), "base_version": conflict["current"]["version"]}
    assert phone.sync([kept]).json()["outcomes"][0]["record"]["entered"][first["code"]][cell] == 4
    snap = phone.snapshot().json()["reports"]["sheets"][-1]
    assert snap["entered"][first["code"]][cell] == 4 and snap["version"] == reports[1] + 1


def test_an_account_reads_only_its_own_remembered_changes(app, tree):
    phone = _phone(app, tree)
    change = _new_child(f"Riêng Tư {tree['tag']}")
    assert phone.sync([change]).json()["outcomes"][0]["outcome"] == "applied"
    with Session(admin_engine()) as owner:
        ids = dict(
            owner.execute(
                text("SELECT username, id FROM users WHERE username = ANY(:u)"),
                {"u": list(tree["users"].values())},
            ).all()
        )
    mine, other = ids[tree["users"]["collab"]], ids[tree["users"]["officer"]]
    for user_id, expected in ((mine, 1), (other, 0)):
        session = new_session(None, user_id=user_id)
        try:
            seen = (
                session.query(FieldChange)
                .filter(FieldChange.change_id == uuid.UUID(change["change_id"]))
                .count()
            )
        finally:
            session.close()
        assert seen == expected


def test_a_batch_is_bounded(app, tree):
    phone = _phone(app, tree)
    too_many = phone.sync([_new_child(f"Nhiều {i}") for i in range(101)])
    assert too_many.status_code == 400
    assert _count("Nhiều 0") == 0


def test_the_shell_worker_and_manifest_are_served_and_logout_wipes(app, tree):
    phone = Phone(app, tree["users"]["collab"])
    shell = phone.browser.get("/field")
    assert shell.status_code == 200 and 'rel="manifest"' in shell.text and "/static/field.js" in shell.text
    sw = phone.browser.client.get("/field/sw.js")
    assert sw.status_code == 200 and sw.headers["content-type"].startswith("text/javascript")
    assert (
        "/static/workbox/workbox-sw.js" in sw.text
        and '"revision"' in sw.text
        and "__PRECACHE__" not in sw.text
    )
    for asset in ("/static/workbox/workbox-sw.js", "/static/field.js", "/static/icons/field-192.png"):
        assert phone.browser.client.get(asset).status_code == 200, asset
    manifest = phone.browser.client.get("/field/manifest.webmanifest").json()
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    out = phone.browser.post("/logout")
    assert out.status_code == 303 and out.headers["clear-site-data"] == '"cache", "storage"'
    assert phone.snapshot().status_code == 401
