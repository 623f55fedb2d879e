"""Passwords: one-time setup and reset codes (shown once, stored as a digest, short-lived, single use),
the password policy, Vietnamese passwords, and sessions and login locks ended by a new password."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from infra.settings import get_settings
from tests.support import login
from tests.test_staff_support import STAFF_PASSWORD, create, enrol, set_password

NEW_PASSWORD = "Hoa sen nở giữa đầm 7"
LOGIN = "/api/v1/auth/login"


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


def _attempt(client, username, password):
    return client.post(LOGIN, json={"username": username, "password": password})


def _reset(client, org, user_id, manager="ward"):
    response = client.post(f"/api/v1/staff/{user_id}/password-reset", headers=org[manager].headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_account_sets_its_password_with_the_setup_code_once(client, owner, org, uid):
    created = create(client, org["ward"].headers, f"pw-{uid}", "collaborator", org.units["H1"].id)
    code = created.json()["setup_code"]
    assert code["purpose"] == "setup"
    response = set_password(client, code["code"], NEW_PASSWORD)
    assert response.status_code == 200 and response.json()["username"] == f"pw-{uid}"
    assert _attempt(client, f"pw-{uid}", NEW_PASSWORD).status_code == 200
    again = set_password(client, code["code"], "Một mật khẩu khác hẳn 9")
    assert again.status_code == 401  # single use
    owner.rollback()
    entry = (
        owner.execute(
            text("SELECT * FROM audit_log WHERE username = :u AND action = 'set_password' ORDER BY id"),
            {"u": f"pw-{uid}"},
        )
        .one()
        ._mapping
    )
    assert entry["outcome"] == "allowed" and entry["detail"]["purpose"] == "setup"
    assert code["code"] not in str(dict(entry)) and NEW_PASSWORD not in str(dict(entry))


def test_codes_are_stored_only_as_digests(client, owner, org, uid):
    created = create(client, org["ward"].headers, f"dg-{uid}", "collaborator", org.units["H1"].id).json()
    code = created["setup_code"]["code"]
    owner.rollback()
    rows = owner.execute(
        text("SELECT code_hash, expires_at, created_at FROM password_codes WHERE user_id = :u"),
        {"u": created["id"]},
    ).all()
    assert len(rows) == 1
    assert rows[0].code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    dump = str(
        owner.execute(
            text("SELECT row_to_json(p) FROM password_codes p WHERE user_id = :u"), {"u": created["id"]}
        ).all()
    )
    assert code not in dump and code.replace("-", "") not in dump
    read = client.get(f"/api/v1/staff/{created['id']}", headers=org["ward"].headers)
    assert code not in read.text and "setup_code" not in read.json()  # shown once, at creation


def test_codes_forgive_case_spaces_and_dashes(client, org, uid):
    created = create(client, org["ward"].headers, f"cs-{uid}", "collaborator", org.units["H1"].id).json()
    typed = " " + created["setup_code"]["code"].lower().replace("-", " ") + " "
    assert set_password(client, typed, NEW_PASSWORD).status_code == 200


def test_a_reset_code_is_short_lived_and_ends_every_session(client, owner, org, uid):
    user = enrol(client, org["ward"].headers, f"rs-{uid}", "collaborator", org.units["H2"])
    second = login(client, user.username, STAFF_PASSWORD)
    issued = _reset(client, org, user.id)
    expires = datetime.fromisoformat(issued["expires_at"])
    assert issued["purpose"] == "reset"
    assert timedelta(minutes=50) < expires - datetime.now(UTC) <= timedelta(hours=1)
    assert client.get("/api/v1/me", headers=user.headers).status_code == 200  # issuing alone ends nothing
    assert set_password(client, issued["code"], NEW_PASSWORD).status_code == 200
    for headers in (user.headers, second):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert _attempt(client, user.username, STAFF_PASSWORD).status_code == 401
    assert _attempt(client, user.username, NEW_PASSWORD).status_code == 200
    owner.rollback()
    actions = owner.execute(
        text(
            "SELECT action, username FROM audit_log WHERE resource = 'staff' AND :i = ANY(resource_ids) ORDER BY id"
        ),
        {"i": str(user.id)},
    ).all()
    assert [tuple(a) for a in actions][-2:] == [
        ("reset_password", org["ward"].username),
        ("set_password", user.username),
    ]


def test_a_new_code_cancels_the_previous_one(client, org, uid):
    user = enrol(client, org["ward"].headers, f"nc-{uid}", "collaborator", org.units["H1"])
    first, second = _reset(client, org, user.id), _reset(client, org, user.id)
    assert set_password(client, first["code"], NEW_PASSWORD).status_code == 401
    assert set_password(client, second["code"], NEW_PASSWORD).status_code == 200


def test_an_expired_code_is_refused(client, owner, org, uid):
    user = enrol(client, org["ward"].headers, f"ex-{uid}", "collaborator", org.units["H1"])
    issued = _reset(client, org, user.id)
    owner.execute(
        text(
            "UPDATE password_codes SET expires_at = now() - interval '1 second' WHERE user_id = :u AND used_at IS NULL"
        ),
        {"u": user.id},
    )
    owner.commit()
    assert set_password(client, issued["code"], NEW_PASSWORD).status_code == 401
    assert _attempt(client, user.username, STAFF_PASSWORD).status_code == 200


def test_deactivation_cancels_open_codes(client, org, uid):
    user = enrol(client, org["ward"].headers, f"dc-{uid}", "collaborator", org.units["H1"])
    issued = _reset(client, org, user.id)
    assert client.post(f"/api/v1/staff/{user.id}/deactivate", headers=org["ward"].headers).status_code == 200
    assert client.post(f"/api/v1/staff/{user.id}/activate", headers=org["ward"].headers).status_code == 200
    assert set_password(client, issued["code"], NEW_PASSWORD).status_code == 401


def test_an_unknown_code_is_401_and_audited(client, owner):
    response = set_password(client, "AAAA-BBBB-CCCC-DDDD", NEW_PASSWORD)
    assert response.status_code == 401
    assert set_password(client, "short", NEW_PASSWORD).status_code == 401
    owner.rollback()
    rows = owner.execute(
        text(
            "SELECT outcome, user_id FROM audit_log WHERE action = 'set_password' AND outcome = 'unauthenticated' "
            "AND detail->>'path' = '/api/v1/auth/set-password' ORDER BY id DESC LIMIT 2"
        )
    ).all()
    assert [tuple(r) for r in rows] == [("unauthenticated", None)] * 2


@pytest.mark.parametrize(
    "password, code",
    [
        ("ngắn quá", "too_short"),
        ("123456789", "too_short"),
        ("{username}", "contains_username"),
        ("XX{username}2026", "contains_username"),
        ("matkhau123", "common"),
        ("Mật khẩu 123", "common"),  # folded, without spaces: matkhau123
        ("MATKHAU2026", "common"),
        ("1111111111", "common"),
        ("aaaaaaaaaaaaaaa", "common"),
        ("  leading spaces here", "invalid"),
    ],
)
def test_the_password_policy_names_the_password_field(client, org, uid, password, code):
    username = f"pol-{uid}"
    created = create(client, org["ward"].headers, username, "collaborator", org.units["H1"].id).json()
    response = set_password(client, created["setup_code"]["code"], password.format(username=username))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"password"}
    assert code in {e["code"] for e in errors}
    # the code was not used up by the refused attempt
    assert set_password(client, created["setup_code"]["code"], NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "password",
    ["Hoa sen nở giữa đầm 7", "Đường về làng tôi", "ếch ngồi đáy giếng!", "correct horse battery staple"],
)
def test_good_passwords_including_vietnamese_ones(client, org, uid, password):
    created = create(client, org["ward"].headers, f"ok-{uid}", "collaborator", org.units["H1"].id).json()
    assert set_password(client, created["setup_code"]["code"], password).status_code == 200
    assert _attempt(client, f"ok-{uid}", password).status_code == 200


def test_a_vietnamese_password_typed_decomposed_or_precomposed_is_the_same(client, org, uid):
    created = create(client, org["ward"].headers, f"nfd-{uid}", "collaborator", org.units["H1"].id).json()
    composed = unicodedata.normalize("NFC", "Mùa thu Hà Nội đẹp")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert set_password(client, created["setup_code"]["code"], decomposed).status_code == 200
    assert _attempt(client, f"nfd-{uid}", composed).status_code == 200
    assert _attempt(client, f"nfd-{uid}", decomposed).status_code == 200
    assert _attempt(client, f"nfd-{uid}", "Mua thu Ha Noi dep").status_code == 401


def test_a_new_password_lifts_the_login_lock(client, org, uid):
    user = enrol(client, org["ward"].headers, f"lk-{uid}", "collaborator", org.units["H1"])
    for _ in range(get_settings().login_max_failures):
        assert _attempt(client, user.username, "wrong password").status_code == 401
    assert _attempt(client, user.username, STAFF_PASSWORD).status_code == 429
    issued = _reset(client, org, user.id)
    assert set_password(client, issued["code"], NEW_PASSWORD).status_code == 200
    assert _attempt(client, user.username, NEW_PASSWORD).status_code == 200


def test_the_lockout_still_applies_to_staff_accounts(client, org, uid):
    user = enrol(client, org["ward"].headers, f"lk2-{uid}", "collaborator", org.units["H1"])
    for _ in range(get_settings().login_max_failures):
        _attempt(client, user.username, "wrong password")
    locked = _attempt(client, user.username, STAFF_PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "manager, target, status",
    [
        ("ward", "collab", 201),
        ("dist", "collab", 201),
        ("dist", "ward", 201),
        ("ward", "collab3", 404),
        ("ward", "ward2", 404),
        ("collab", "collab2", 403),
        ("insp", "collab4", 404),
    ],
)
def test_who_may_issue_a_reset_code(client, org, manager, target, status):
    response = client.post(f"/api/v1/staff/{org[target].id}/password-reset", headers=org[manager].headers)
    assert response.status_code == status, response.text
    assert ("code" in response.json()) == (status == 201)
