"""Login, the login throttle, bearer tokens, logout, /me and default deny for accounts without role or unit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from infra.clock import utcnow
from infra.settings import get_settings
from portal.auth import throttle
from portal.auth.models import User
from tests.support import PASSWORD, child_payload, hamlets_of, login, make_user, unit

LOGIN = "/api/v1/auth/login"


def attempt(client, username: str, password: str):
    return client.post(LOGIN, json={"username": username, "password": password})


def audit_by_name(owner, username: str, outcome: str) -> list[dict]:
    """Refusals before anyone is known are anonymous: the username tried is kept in the detail."""
    owner.rollback()
    return [
        dict(r._mapping)
        for r in owner.execute(
            text("SELECT * FROM audit_log WHERE outcome = :o AND detail->>'username' = :u ORDER BY id"),
            {"o": outcome, "u": username},
        )
    ]


@pytest.fixture()
def ward_user(owner, uid) -> User:
    return make_user(owner, f"auth-{uid}", "ward_officer", unit(owner, "commune", "00340").id)


# --- login --------------------------------------------------------------------------------------


def test_login_returns_a_bearer_token_that_works(client, ward_user):
    response = attempt(client, ward_user.username, PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 32
    assert body["expires_in"] == get_settings().token_ttl_seconds
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == ward_user.username


def test_each_login_gets_its_own_token(client, ward_user):
    first, second = (attempt(client, ward_user.username, PASSWORD).json()["access_token"] for _ in range(2))
    assert first != second


def test_tokens_are_stored_only_as_digests(client, owner, ward_user):
    token = attempt(client, ward_user.username, PASSWORD).json()["access_token"]
    owner.rollback()
    stored = (
        owner.execute(text("SELECT token_hash FROM auth_tokens WHERE user_id = :u"), {"u": ward_user.id})
        .scalars()
        .all()
    )
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_a_successful_login_is_audited(client, owner, ward_user):
    attempt(client, ward_user.username, PASSWORD)
    owner.rollback()
    rows = owner.execute(
        text("SELECT action, resource, outcome, user_id FROM audit_log WHERE username = :u"),
        {"u": ward_user.username},
    ).all()
    assert [tuple(r) for r in rows] == [("login", "session", "allowed", ward_user.id)]


def test_wrong_password_is_401_and_audited(client, owner, ward_user):
    response = attempt(client, ward_user.username, "not the password")
    assert response.status_code == 401, response.text
    assert "access_token" not in response.json()
    rows = audit_by_name(owner, ward_user.username, "unauthenticated")
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["resource"], rows[0]["status_code"]) == ("login", "session", 401)
    assert rows[0]["user_id"] is None  # a failed login does not say whether the account exists


def test_unknown_username_is_the_same_401(client, ward_user, uid):
    unknown = attempt(client, f"nobody-{uid}", PASSWORD)
    wrong = attempt(client, ward_user.username, "nope")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_usernames_are_exact_but_surrounding_spaces_are_ignored(client, ward_user):
    assert attempt(client, f"  {ward_user.username} ", PASSWORD).status_code == 200
    assert attempt(client, ward_user.username.upper(), PASSWORD).status_code == 401


def test_malformed_login_body_is_400(client):
    assert client.post(LOGIN, json={"username": "x"}).status_code == 400
    assert client.post(LOGIN, json={"username": "x", "password": "y", "otp": 1}).status_code == 400


def test_an_inactive_user_cannot_log_in(client, owner, uid):
    user = make_user(
        owner, f"auth-off-{uid}", "ward_officer", unit(owner, "commune", "00340").id, active=False
    )
    assert attempt(client, user.username, PASSWORD).status_code == 401


def test_deactivating_an_account_ends_its_tokens(client, owner, ward_user):
    headers = login(client, ward_user.username)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    owner.execute(text("UPDATE users SET is_active = false WHERE id = :u"), {"u": ward_user.id})
    owner.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# --- throttle (per account and address; the full rule is in tests/test_login_throttle.py) ---------


def test_repeated_failures_delay_the_account_at_that_address_even_for_the_right_password(
    client, owner, ward_user
):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert attempt(client, ward_user.username, "wrong").status_code == 401
    locked = attempt(client, ward_user.username, PASSWORD)
    assert locked.status_code == 429, locked.text
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= get_settings().login_cooldown_seconds
    assert locked.json()["retry_after"] == retry_after
    assert "access_token" not in locked.json()
    rows = audit_by_name(owner, ward_user.username, "locked")
    assert len(rows) == 1 and rows[0]["client"] == "testclient"
    assert rows[0]["detail"]["throttle"] == "account"
    # the delay is per username, whatever its case
    assert attempt(client, ward_user.username.upper(), PASSWORD).status_code == 429


def test_one_failure_short_of_the_limit_does_not_lock_and_success_resets(client, ward_user):
    limit = get_settings().login_max_failures
    for _ in range(2):
        for _ in range(limit - 1):
            assert attempt(client, ward_user.username, "wrong").status_code == 401
        assert attempt(client, ward_user.username, PASSWORD).status_code == 200


def test_the_lock_ends_after_the_cool_down(client, ward_user, monkeypatch):
    for _ in range(get_settings().login_max_failures):
        attempt(client, ward_user.username, "wrong")
    assert attempt(client, ward_user.username, PASSWORD).status_code == 429
    later = utcnow() + timedelta(seconds=get_settings().login_cooldown_seconds)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert attempt(client, ward_user.username, PASSWORD).status_code == 200


def test_unknown_usernames_are_throttled_too(client, uid):
    name = f"ghost-{uid}"
    for _ in range(get_settings().login_max_failures):
        assert attempt(client, name, "guess").status_code == 401
    response = attempt(client, name, "guess")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_the_lock_of_one_user_does_not_touch_another(client, owner, ward_user, uid):
    other = make_user(
        owner, f"auth-other-{uid}", "collaborator", hamlets_of(owner, unit(owner, "commune", "00340"))[0].id
    )
    for _ in range(get_settings().login_max_failures):
        attempt(client, ward_user.username, "wrong")
    assert attempt(client, other.username, PASSWORD).status_code == 200


# --- tokens -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Basic ZGVtbzpkZW1v"},
        {"Authorization": f"Bearer {uuid.uuid4().hex}{uuid.uuid4().hex}"},
    ],
)
# A fixed id: test ids must be the same in every collecting process (pytest-xdist compares them).
@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/units/1", "/api/v1/children/0c8f7d4e-5b1a-4c59-9a63-2f0e1d3b7a64"]
)
def test_no_or_bad_token_is_401(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code == 401, response.text


def test_a_missing_token_is_audited(client, owner):
    path = f"/api/v1/children/{uuid.uuid4()}"
    assert client.get(path).status_code == 401
    owner.rollback()
    rows = owner.execute(
        text("SELECT outcome, username FROM audit_log WHERE detail->>'path' = :p"), {"p": path}
    ).all()
    assert [tuple(r) for r in rows] == [("unauthenticated", None)]


def test_logout_revokes_the_token(client, ward_user):
    headers = login(client, ward_user.username)
    other = login(client, ward_user.username)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200  # only that token


def test_an_expired_token_is_refused(client, owner, ward_user):
    headers = login(client, ward_user.username)
    owner.execute(
        text("UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE user_id = :u"),
        {"u": ward_user.id},
    )
    owner.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# --- /me ----------------------------------------------------------------------------------------


def test_me_describes_the_user_role_and_unit(client, owner, ward_user):
    commune = unit(owner, "commune", "00340")
    me = client.get("/api/v1/me", headers=login(client, ward_user.username))
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["id"], body["username"], body["full_name"], body["role"]) == (
        ward_user.id,
        ward_user.username,
        ward_user.full_name,
        "ward_officer",
    )
    assert body["unit"] == {
        "id": commune.id,
        "code": "00340",
        "name": commune.name,
        "level": "commune",
        "path": commune.path,
    }
    assert "password_hash" not in body


def test_me_for_the_demo_accounts(client):
    expected = {
        "demo-admin": ("admin", None),
        "demo-inspector": ("provincial_inspector", "province"),
        "demo-district": ("district_officer", "district"),
        "demo-officer": ("ward_officer", "commune"),
        "demo-collab-2": ("collaborator", "hamlet"),
    }
    for username, (role, level) in expected.items():
        body = client.get("/api/v1/me", headers=login(client, username, "demo-password")).json()
        assert body["role"] == role and (body["unit"] and body["unit"]["level"]) == level, body


# --- default deny -------------------------------------------------------------------------------


def _data_requests(owner, child_id: str) -> list[tuple[str, str, dict | None]]:
    commune = unit(owner, "commune", "00340")
    hamlet = hamlets_of(owner, commune)[0]
    return [
        ("GET", f"/api/v1/units/{commune.id}", None),
        ("GET", f"/api/v1/units/{commune.id}/units", None),
        ("GET", f"/api/v1/units/{hamlet.id}/children", None),
        ("GET", f"/api/v1/units/{commune.id}/stats", None),
        ("POST", f"/api/v1/units/{hamlet.id}/exports", None),
        ("POST", "/api/v1/children", child_payload(hamlet.id)),
        ("GET", f"/api/v1/children/{child_id}", None),
        ("PATCH", f"/api/v1/children/{child_id}", {"notes": "x"}),
        ("GET", f"/api/v1/children/{child_id}/history", None),
    ]


@pytest.mark.parametrize(
    ("role", "has_unit"),
    [
        (None, True),
        (None, False),
        ("ward_officer", False),
        ("collaborator", False),
        ("district_officer", False),
    ],
)
def test_no_role_or_no_unit_is_denied_everywhere_but_me(client, owner, uid, role, has_unit):
    commune = unit(owner, "commune", "00340")
    hamlet = hamlets_of(owner, commune)[0]
    child_id = owner.execute(
        text("SELECT id FROM children WHERE hamlet_id = :h LIMIT 1"), {"h": hamlet.id}
    ).scalar_one()
    user = make_user(owner, f"auth-deny-{uid}", role, commune.id if has_unit else None)
    headers = login(client, user.username)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == role
    assert (me.json()["unit"] is not None) == has_unit
    for method, path, body in _data_requests(owner, str(child_id)):
        response = client.request(method, path, headers=headers, json=body)
        assert response.status_code == 403, (method, path, response.status_code, response.text)
    owner.rollback()
    denied = owner.execute(
        text("SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied'"),
        {"u": user.username},
    ).scalar_one()
    assert denied == len(_data_requests(owner, str(child_id)))
    if role is None:
        assert client.get(f"/api/v1/exports/{uuid.uuid4()}", headers=headers).status_code == 403


def test_hashes_of_either_password_profile_verify_under_both(client, owner, uid):
    """The suite hashes with the cheap test profile; argon2 keeps the parameters in each hash, so an
    account hashed with the production parameters logs in as well, and a test hash verifies anywhere."""
    from portal.auth.passwords import hash_password, hasher, verify_password

    assert get_settings().password_hash_profile == "test"
    cheap = hash_password(PASSWORD)
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    strong = hasher("production").hash(PASSWORD)
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher("production").verify(cheap, PASSWORD) and verify_password(strong, PASSWORD)
    assert not verify_password(strong, PASSWORD + "x")
    user = make_user(owner, f"auth-strong-{uid}", "ward_officer", unit(owner, "commune", "00340").id)
    user.password_hash = strong
    owner.commit()
    assert attempt(client, user.username, PASSWORD).status_code == 200
    assert attempt(client, user.username, "wrong-" + PASSWORD).status_code == 401


def test_the_password_profile_is_production_unless_test_is_set_explicitly(monkeypatch):
    try:
        monkeypatch.delenv("PASSWORD_HASH_PROFILE")
        get_settings.cache_clear()
        assert get_settings().password_hash_profile == "production"
        for typo in ("tests", "dev", "fast"):
            monkeypatch.setenv("PASSWORD_HASH_PROFILE", typo)
            get_settings.cache_clear()
            with pytest.raises(ValueError, match="PASSWORD_HASH_PROFILE must be one of production, test"):
                get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert get_settings().password_hash_profile == "test"
