"""Delegation never widens access: no manager holds a working credential of an account that reads more.

The matrix: every managing role × every target role × every unit of the tree (own, child, sibling,
parent, another province) × create / reset / move / re-role / reactivate. After each action, every
live one-time code the manager was shown (``issued_by`` the manager, not sent out of band) must
belong to an account whose reading lies inside the manager's. The oracle below is written from the
role definitions, not from authz.delegation. Then the exploitation paths of issue 11, end to end,
with the code read from a real SMTP server.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from portal.auth.models import User
from tests.mail import CODE
from tests.support import PASSWORD, login, mailed_code, make_unit, make_user

RECORD_ROLES = {"collaborator", "ward_officer"}
LEVEL = {
    "collaborator": "hamlet",
    "ward_officer": "commune",
    "district_officer": "district",
    "provincial_inspector": "province",
}
TARGET_ROLES = ("collaborator", "ward_officer", "district_officer", "provincial_inspector", "admin")


def reads(role: str, path: str | None) -> tuple[str | None, str | None]:
    """(records root, aggregates root) of an account, from the role definitions."""
    root = path if path is not None else ("/" if role == "admin" else None)
    return (root if role in RECORD_ROLES else None, root if role not in RECORD_ROLES else None)


def under(path: str | None, root: str | None) -> bool:
    return path is not None and root is not None and path.startswith(root)


def within(target: tuple[str | None, str | None], holder: tuple[str | None, str | None]) -> bool:
    records, aggregates = target
    if records is not None and not under(records, holder[0]):
        return False
    return aggregates is None or under(aggregates, holder[0]) or under(aggregates, holder[1])


@pytest.fixture(scope="module")
def client(database: object) -> TestClient:  # type: ignore[type-arg]
    with TestClient(app=create_app()) as c:
        yield c


@pytest.fixture(scope="module")
def world(database: object) -> dict[str, Any]:
    """Province > district (> commune > 2 hamlets, sibling commune > hamlet), sibling district >
    commune > hamlet, and another province > commune > hamlet; one manager of each kind."""
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh ủy quyền {tag}")
        d = make_unit(owner, p, "district", f"Huyện A {tag}")
        c = make_unit(owner, d, "commune", f"Xã A1 {tag}")
        h = make_unit(owner, c, "hamlet", f"Thôn A1a {tag}")
        h_sib = make_unit(owner, c, "hamlet", f"Thôn A1b {tag}")
        c_sib = make_unit(owner, d, "commune", f"Xã A2 {tag}")
        h_c_sib = make_unit(owner, c_sib, "hamlet", f"Thôn A2a {tag}")
        d_sib = make_unit(owner, p, "district", f"Huyện B {tag}")
        c_d_sib = make_unit(owner, d_sib, "commune", f"Xã B1 {tag}")
        h_d_sib = make_unit(owner, c_d_sib, "hamlet", f"Thôn B1a {tag}")
        p2 = make_unit(owner, None, "province", f"Tỉnh khác {tag}")
        c_p2 = make_unit(owner, p2, "commune", f"Xã khác {tag}")
        h_p2 = make_unit(owner, c_p2, "hamlet", f"Thôn khác {tag}")
        units = [p, d, c, h, h_sib, c_sib, h_c_sib, d_sib, c_d_sib, h_d_sib, p2, c_p2, h_p2]
        managers = {
            "ward_officer": make_user(owner, f"dg-ward-{tag}", "ward_officer", c.id),
            "district_officer": make_user(owner, f"dg-district-{tag}", "district_officer", d.id),
            "provincial_inspector": make_user(owner, f"dg-insp-{tag}", "provincial_inspector", p.id),
            "admin": make_user(owner, f"dg-admin-{tag}", "admin", None),
        }
    return {"tag": tag, "units": units, "managers": managers, "by_id": {u.id: u for u in units}}


def _account(owner, world, role: str, unit_id: int | None, active: bool = True) -> User:
    """A target account (it never logs in: its hash is unusable and cheap to make)."""
    user = User(
        username=f"dg-t-{uuid.uuid4().hex[:10]}",
        full_name="Người được quản lý",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$unusable$unusable",
        role=role,
        unit_id=unit_id,
        is_active=active,
        email=f"t-{uuid.uuid4().hex[:10]}@example.vn",
    )
    owner.add(user)
    owner.commit()
    return user


def _units_for(world, role: str) -> list[Any]:
    level = LEVEL.get(role)
    return [None] if level is None else [u for u in world["units"] if u.level == level]


def _manager_reads(world, role: str) -> tuple[str | None, str | None]:
    manager = world["managers"][role]
    unit = world["by_id"].get(manager.unit_id)
    return reads(role, unit.path if unit else None)


def _shown_codes_are_within(owner, world, manager_role: str, answer_text: str) -> int:
    """Every live code shown to the manager opens only an account it already reads; returns how many."""
    manager = world["managers"][manager_role]
    rows = owner.execute(
        text(
            "SELECT u.role, un.path FROM password_codes c JOIN users u ON u.id = c.user_id "
            "LEFT JOIN units un ON un.id = u.unit_id WHERE c.issued_by = :m AND c.notification_id IS NULL "
            "AND c.used_at IS NULL AND c.cancelled_at IS NULL AND c.expires_at > now() AND u.is_active"
        ),
        {"m": manager.id},
    ).all()
    holder = _manager_reads(world, manager_role)
    for role, path in rows:
        assert within(reads(role, path), holder), (manager_role, role, path)
    return len(rows)


def _create(client, headers, username: str, role: str, unit_id: int | None, **extra: Any) -> Any:
    """POST /api/v1/staff as the given manager (full name and e-mail optional)."""
    body = {"username": username, "full_name": extra.pop("full_name", "Tài khoản thử"), "role": role}
    body.update(unit_id=unit_id, **extra)
    return client.post("/api/v1/staff", json=body, headers=headers)


MANAGERS = ("ward_officer", "district_officer", "provincial_inspector", "admin")


@pytest.mark.parametrize("manager_role", MANAGERS)
def test_matrix_create_and_reset(client, owner, world, manager_role):
    headers = login(client, world["managers"][manager_role].username)
    holder = _manager_reads(world, manager_role)
    seen = {"created": 0, "shown": 0, "sent": 0}
    shown_roles: set[str] = set()
    for role in TARGET_ROLES:
        for unit in _units_for(world, role):
            path = unit.path if unit else None
            may_hold = within(reads(role, path), holder)
            email = f"dg-{uuid.uuid4().hex[:10]}@example.vn"
            body = {
                "username": f"dg-c-{uuid.uuid4().hex[:10]}",
                "full_name": "Tài khoản thử",
                "role": role,
                "unit_id": unit.id if unit else None,
                "email": email,
            }
            created = client.post("/api/v1/staff", json=body, headers=headers)
            assert created.status_code in (201, 403, 404, 422), created.text
            if created.status_code == 201:
                seen["created"] += 1
                answer = created.json()
                if may_hold:
                    assert answer["setup_code"] is not None and answer["code_delivery"] is None
                    seen["shown"] += 1
                    shown_roles.add(role)
                else:
                    assert answer["setup_code"] is None, (manager_role, role, path)
                    assert not CODE.search(created.text)
                    assert answer["code_delivery"]["to"] != email and "***" in answer["code_delivery"]["to"]
                    seen["sent"] += 1
            # reset of an existing account of this role at this unit
            target = _account(owner, world, role, unit.id if unit else None)
            reset = client.post(f"/api/v1/staff/{target.id}/password-reset", headers=headers)
            assert reset.status_code in (201, 403, 404), reset.text
            if reset.status_code == 201 and not may_hold:
                assert reset.json()["code"] is None and not CODE.search(reset.text)
            if reset.status_code == 201 and may_hold:
                assert CODE.search(reset.text)
    _shown_codes_are_within(owner, world, manager_role, "")
    assert seen["created"] > 0
    if manager_role == "ward_officer":
        assert seen["shown"] > 0 and seen["sent"] == 0  # its own hamlets' collaborators
    else:  # aggregate-only managers see codes of aggregate-only accounts in their area, no other
        assert seen["sent"] > 0 and not (shown_roles & RECORD_ROLES)


@pytest.mark.parametrize("manager_role", MANAGERS)
def test_matrix_move_rerole_reactivate_leave_no_code_in_hand(client, owner, world, manager_role):
    """A move, a new role or a reactivation answers no code and cancels every open one: a code
    shown for the account's old access never opens its new one."""
    headers = login(client, world["managers"][manager_role].username)
    cases = 0
    for role, new_role in itertools.product(TARGET_ROLES, TARGET_ROLES):
        for unit, new_unit in itertools.product(_units_for(world, role), _units_for(world, new_role)):
            target = _account(owner, world, role, unit.id if unit else None)
            owner.execute(
                text(
                    "INSERT INTO password_codes (user_id, code_hash, purpose, expires_at) "
                    "VALUES (:u, :h, 'reset', now() + interval '1 hour')"
                ),
                {"u": target.id, "h": uuid.uuid4().hex + uuid.uuid4().hex},
            )
            owner.commit()
            change: dict[str, Any] = {"unit_id": new_unit.id if new_unit else None}
            if new_role != role:
                change["role"] = new_role
            moved = client.patch(f"/api/v1/staff/{target.id}", json=change, headers=headers)
            assert moved.status_code in (200, 403, 404, 422), moved.text
            assert not CODE.search(moved.text)
            if moved.status_code == 200 and (new_role != role or new_unit is not unit):
                cases += 1
                live = owner.execute(
                    text(
                        "SELECT count(*) FROM password_codes WHERE user_id = :u "
                        "AND used_at IS NULL AND cancelled_at IS NULL"
                    ),
                    {"u": target.id},
                ).scalar_one()
                assert live == 0, (manager_role, role, new_role)
        for unit in _units_for(world, role):
            sleeping = _account(owner, world, role, unit.id if unit else None, active=False)
            woken = client.post(f"/api/v1/staff/{sleeping.id}/activate", headers=headers)
            assert woken.status_code in (200, 403, 404, 422), woken.text
            assert not CODE.search(woken.text)
    _shown_codes_are_within(owner, world, manager_role, "")
    if manager_role != "ward_officer":
        assert cases > 0


def test_a_code_shown_to_a_ward_officer_stops_working_when_the_account_leaves_its_commune(
    client, owner, world
):
    tag = world["tag"]
    hamlet, other_commune_hamlet = world["units"][3], world["units"][6]
    officer = login(client, world["managers"]["ward_officer"].username)
    made = _create(client, officer, f"dg-mv-{tag}", "collaborator", hamlet.id, full_name="Cộng tác viên")
    assert made.status_code == 201 and made.json()["setup_code"]["code"]
    code = made.json()["setup_code"]["code"]
    district = login(client, world["managers"]["district_officer"].username)
    moved = client.patch(
        f"/api/v1/staff/{made.json()['id']}", json={"unit_id": other_commune_hamlet.id}, headers=district
    )
    assert moved.status_code == 200, moved.text
    used = client.post(
        "/api/v1/auth/set-password", json={"code": code, "password": "Một mật khẩu mới rất dài 2026"}
    )
    assert used.status_code == 401


def test_contact_address_is_changed_only_by_a_manager_who_may_hold_the_codes(client, owner, world):
    hamlet = world["units"][3]
    target = _account(owner, world, "collaborator", hamlet.id)
    for role in ("district_officer", "provincial_inspector", "admin"):
        headers = login(client, world["managers"][role].username)
        answer = client.patch(f"/api/v1/staff/{target.id}", json={"email": "me@attacker.vn"}, headers=headers)
        assert answer.status_code == 403, (role, answer.text)
    officer = login(client, world["managers"]["ward_officer"].username)
    fine = client.patch(
        f"/api/v1/staff/{target.id}", json={"email": f"new-{world['tag']}@example.vn"}, headers=officer
    )
    assert fine.status_code == 200 and fine.json()["email"].startswith("n***@")
    # an address registered to another account (here the target's) cannot be given to a new one
    inspector = login(client, world["managers"]["provincial_inspector"].username)
    again = _create(
        client,
        inspector,
        f"dg-dup-{world['tag']}",
        "collaborator",
        hamlet.id,
        full_name="Trùng địa chỉ",
        email=f"NEW-{world['tag']}@example.vn",
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "email"


def test_an_aggregate_manager_must_give_an_address_and_never_sees_the_code(client, world):
    headers = login(client, world["managers"]["provincial_inspector"].username)
    answer = _create(
        client,
        headers,
        f"dg-noaddr-{world['tag']}",
        "collaborator",
        world["units"][3].id,
        full_name="Không địa chỉ",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "email"


@pytest.mark.parametrize("manager_role", ["provincial_inspector", "district_officer", "admin"])
def test_issue_11_exploit_fails_and_the_person_gets_the_code_by_mail(
    client, owner, world, worker, mailbox, manager_role
):
    """The finding as written: create a collaborator, set its password with the setup code, read the
    hamlet's children. The manager gets no code; the person's mailbox does, and only the person logs in."""
    tag = uuid.uuid4().hex[:6]
    hamlet = world["units"][3]
    headers = login(client, world["managers"][manager_role].username)
    email = f"ctv-{tag}@example.vn"
    made = _create(
        client, headers, f"dg-x-{tag}", "collaborator", hamlet.id, full_name="Cộng tác viên mới", email=email
    )
    assert made.status_code == 201, made.text
    assert made.json()["setup_code"] is None and not CODE.search(made.text)
    assert made.json()["code_delivery"]["channel"] == "email"
    code = mailed_code(email)
    message = mailbox.wait_for(email)
    assert f"dg-x-{tag}" in message.get_body(preferencelist=("plain",)).get_content()
    # nothing the manager can read holds the code: the answer, the audit, the outbox row
    audit = owner.execute(
        text("SELECT detail::text FROM audit_log WHERE username = :u ORDER BY id DESC LIMIT 5"),
        {"u": world["managers"][manager_role].username},
    ).scalars()
    assert all(code not in (d or "") for d in audit)
    outbox = owner.execute(
        text("SELECT status, address FROM notifications WHERE id = :i"),
        {"i": made.json()["code_delivery"]["notification_id"]},
    ).one()
    assert outbox.status == "sent" and outbox.address == email
    # the reset of an existing collaborator: same
    victim = make_user(owner, f"dg-v-{tag}", "collaborator", hamlet.id)
    owner.execute(
        text("UPDATE users SET email = :e WHERE id = :i"), {"e": f"v-{tag}@example.vn", "i": victim.id}
    )
    owner.commit()
    reset = client.post(f"/api/v1/staff/{victim.id}/password-reset", headers=headers)
    assert reset.status_code == 201 and reset.json()["code"] is None and not CODE.search(reset.text)
    assert set(reset.json()) == {"purpose", "code", "code_delivery"}  # no expiry for a code never shown
    mailed = mailed_code(f"v-{tag}@example.vn")
    # the person (not the manager) sets the password and logs in
    password = "Thôn Yên Sở mùa lúa 2026"
    done = client.post("/api/v1/auth/set-password", json={"code": code, "password": password})
    assert done.status_code == 200, done.text
    login(client, f"dg-x-{tag}", password)
    assert (
        client.post(
            "/api/v1/auth/set-password", json={"code": mailed, "password": PASSWORD + " 2026"}
        ).status_code
        == 200
    )


def test_a_reset_without_an_address_is_refused_for_an_aggregate_manager(client, owner, world):
    target = _account(owner, world, "collaborator", world["units"][3].id)
    owner.execute(text("UPDATE users SET email = NULL WHERE id = :i"), {"i": target.id})
    owner.commit()
    headers = login(client, world["managers"]["admin"].username)
    refused = client.post(f"/api/v1/staff/{target.id}/password-reset", headers=headers)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "email"
    assert not CODE.search(refused.text)


def test_the_person_records_their_own_contact(client, owner, world):
    user = make_user(owner, f"dg-self-{world['tag']}", "collaborator", world["units"][3].id)
    headers = login(client, user.username)
    answer = client.patch(
        "/api/v1/me/contact", json={"email": f"self-{world['tag']}@example.vn"}, headers=headers
    )
    assert answer.status_code == 200 and answer.json()["email"].startswith("s***@")
    bad = client.patch("/api/v1/me/contact", json={"email": "not an address"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"


def test_the_staff_page_says_where_the_code_went_and_never_shows_it(owner, world, mailbox):
    from tests.e2e.site import Browser

    browser = Browser(TestClient(app=create_app(), base_url="http://testserver.local"))
    browser.login(world["managers"]["district_officer"].username)
    browser.get("/staff")
    tag = uuid.uuid4().hex[:6]
    commune = world["units"][2]
    form = {
        "full_name": "Cán bộ phường mới",
        "username": f"dg-web-{tag}",
        "role": "ward_officer",
        "unit_id": str(commune.id),
        "email": "",
    }
    answer = browser.post("/staff/new", form)
    assert answer.status_code == 422 and 'id="email-error"' in answer.text  # an address is required
    answer = browser.post("/staff/new", {**form, "email": f"web-{tag}@example.vn"})
    assert answer.status_code == 200, answer.text[:300]
    assert 'id="code-sent"' in answer.text and "w***@e***.vn" in answer.text
    assert not CODE.search(answer.text)
