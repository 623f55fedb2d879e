"""The login throttle: per account and client address with growing delays, per address across
accounts, the client address behind trusted proxies, and the pages obeying the same throttle.

Requests come from chosen socket peers (the test-only ``X-Test-Peer`` header, turned into the ASGI
``client`` by a wrapper around the app) and the throttle's clock is frozen, so delays are exact and
nothing sleeps.
"""

from __future__ import annotations

import random
from datetime import timedelta
from ipaddress import IPv4Address, ip_network

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from infra.clock import utcnow
from infra.settings import get_settings
from portal.app import create_app
from portal.auth import throttle
from portal.auth.client_address import resolve_client
from tests.e2e.site import Browser
from tests.support import PASSWORD, make_user, unit

LOGIN = "/api/v1/auth/login"
WRONG = "not-the-password-7"
FIRST, CAP = 300, 3600  # the default first delay and cap (tests/conftest.py keeps LOGIN_COOLDOWN_SECONDS=300)


def with_peer(app):
    """The app as reached from the socket peer named by ``X-Test-Peer`` (else the test client's)."""

    async def asgi(scope, receive, send):
        if scope["type"] == "http":
            peer = dict(scope["headers"]).get(b"x-test-peer")
            if peer:
                scope = {**scope, "client": (peer.decode(), 50000)}
        await app(scope, receive, send)

    return asgi


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return with_peer(create_app())


@pytest.fixture(scope="module")
def api(app) -> TestClient:  # type: ignore[type-arg]
    return TestClient(app=app)


@pytest.fixture()
def settings(monkeypatch):
    """Change throttle settings for one test (the settings are read once, then cached)."""

    def change(**env: object) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        get_settings.cache_clear()

    yield change
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture()
def clock(monkeypatch):
    """The throttle's clock, moved only by the test."""

    class Clock:
        now = utcnow()

        def advance(self, seconds: int) -> None:
            self.now += timedelta(seconds=seconds)

    frozen = Clock()
    monkeypatch.setattr(throttle, "utcnow", lambda: frozen.now)
    return frozen


_BENCH = int(IPv4Address("198.18.0.0"))


def address() -> str:
    """A fresh client address (198.18.0.0/15, a range no real client has)."""
    return str(IPv4Address(_BENCH + random.randrange(1 << 17)))


@pytest.fixture()
def user(owner, uid):
    return make_user(owner, f"thr-{uid}", "ward_officer", unit(owner, "commune", "00340").id)


def attempt(api, username: str, password: str, peer: str, forwarded: str | None = None):
    headers = {"x-test-peer": peer}
    if forwarded is not None:
        headers["x-forwarded-for"] = forwarded
    return api.post(LOGIN, json={"username": username, "password": password}, headers=headers)


def fail(api, username: str, peer: str, times: int, forwarded: str | None = None) -> None:
    for _ in range(times):
        response = attempt(api, username, WRONG, peer, forwarded)
        assert response.status_code == 401, response.text


def retry_after(response) -> int:
    assert response.status_code == 429, response.text
    assert "access_token" not in response.json()
    seconds = int(response.headers["Retry-After"])
    assert response.json()["retry_after"] == seconds
    return seconds


def audit(owner, username: str) -> list[dict]:
    owner.rollback()
    return [
        dict(r._mapping)
        for r in owner.execute(
            text(
                "SELECT outcome, client, detail, audit_log::text AS entry FROM audit_log "
                "WHERE action = 'login' AND lower(coalesce(username, detail->>'username')) = lower(:u) ORDER BY id"
            ),
            {"u": username},
        )
    ]


# --- one account from one address ---------------------------------------------------------------


def test_failures_from_one_address_delay_it_longer_each_time_never_another_address(api, owner, user, clock):
    a, b = address(), address()
    limit = get_settings().login_max_failures
    fail(api, user.username, a, limit)
    delays = [retry_after(attempt(api, user.username, PASSWORD, a))]
    assert attempt(api, user.username, PASSWORD, b).status_code == 200  # the owner, elsewhere
    for _ in range(5):
        clock.advance(delays[-1] - 1)
        assert retry_after(attempt(api, user.username, PASSWORD, a)) == 1  # not a second early
        clock.advance(1)
        fail(api, user.username, a, 1)
        delays.append(retry_after(attempt(api, user.username, PASSWORD, a)))
        assert attempt(api, user.username, PASSWORD, b).status_code == 200
    assert delays == [FIRST, 2 * FIRST, 4 * FIRST, 8 * FIRST, CAP, CAP]
    # the lock is on the username whatever its case, and the throttle says which one held
    assert retry_after(attempt(api, user.username.upper(), PASSWORD, a)) == CAP
    entries = audit(owner, user.username)
    locked = [e for e in entries if e["outcome"] == "locked"]
    assert len(locked) == 1 + 2 * 5 + 1 and {e["client"] for e in locked} == {a}
    assert {e["detail"]["throttle"] for e in locked} == {"account"}
    failures = [e for e in entries if e["outcome"] == "unauthenticated"]
    assert len(failures) == limit + 5 and {e["client"] for e in failures} == {a}
    assert {e["client"] for e in entries if e["outcome"] == "allowed"} == {b}
    assert not [e for e in entries if WRONG in e["entry"] or PASSWORD in e["entry"]]


def test_a_success_after_the_delay_starts_the_count_again(api, user, clock):
    a = address()
    limit = get_settings().login_max_failures
    fail(api, user.username, a, limit)
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == FIRST
    clock.advance(FIRST)
    assert attempt(api, user.username, PASSWORD, a).status_code == 200
    fail(api, user.username, a, limit - 1)
    assert attempt(api, user.username, PASSWORD, a).status_code == 200  # not delayed: counted from 0
    fail(api, user.username, a, limit)
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == FIRST  # the first delay, not doubled


def test_unknown_usernames_are_throttled_the_same_way(api, uid, clock):
    a = address()
    fail(api, f"ghost-{uid}", a, get_settings().login_max_failures)
    assert retry_after(attempt(api, f"ghost-{uid}", WRONG, a)) == FIRST


def test_counters_quiet_for_a_day_are_forgotten_and_deleted(api, owner, user, clock):
    a = address()
    limit = get_settings().login_max_failures
    fail(api, user.username, a, limit - 1)
    clock.advance(get_settings().login_forget_seconds + 1)
    cutoff = clock.now - timedelta(seconds=get_settings().login_forget_seconds)

    def stale() -> int:
        owner.rollback()
        return sum(
            owner.execute(
                text(f"SELECT count(*) FROM {table} WHERE last_failure_at < :t"), {"t": cutoff}
            ).scalar_one()
            for table in ("login_throttle", "login_address_throttle")
        )

    before = stale()
    assert before >= 2  # this test's two counters, and any left by earlier tests
    for _ in range(before // throttle.PRUNE_BATCH + 1):
        fail(api, f"someone-else-{user.username}", address(), 1)  # later failures clean up as they go
    assert stale() == 0
    fail(api, user.username, a, limit - 1)
    assert attempt(api, user.username, PASSWORD, a).status_code == 200  # counted from zero again


def test_a_new_password_lifts_the_delays_of_every_address(api, owner, user, clock):
    a, b = address(), address()
    for peer in (a, b):
        fail(api, user.username, peer, get_settings().login_max_failures)
        assert retry_after(attempt(api, user.username, PASSWORD, peer)) == FIRST
    throttle.clear_for_account(owner, f" {user.username.upper()}")
    owner.commit()
    assert attempt(api, user.username, PASSWORD, a).status_code == 200
    assert attempt(api, user.username, PASSWORD, b).status_code == 200


def test_a_parallel_attempt_from_the_same_address_is_refused_not_queued(api, owner, user):
    a = address()
    owner.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"login-address:{a}"}
    )  # an attempt from ``a`` being checked meanwhile
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == 1
    assert attempt(api, user.username, PASSWORD, address()).status_code == 200
    owner.rollback()
    assert attempt(api, user.username, PASSWORD, a).status_code == 200


# --- one address, many accounts -----------------------------------------------------------------


def test_one_address_trying_many_usernames_is_throttled_across_accounts(
    api, owner, user, uid, clock, settings
):
    settings(LOGIN_ADDRESS_MAX_FAILURES=8)
    a, b = address(), address()
    for n in range(8):
        fail(api, f"spray-{uid}-{n}", a, 1)  # one guess each: no account reaches its own limit
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == FIRST
    assert attempt(api, user.username, PASSWORD, b).status_code == 200
    clock.advance(FIRST)
    fail(api, f"spray-{uid}-8", a, 1)
    assert retry_after(attempt(api, f"spray-{uid}-9", WRONG, a)) == 2 * FIRST
    clock.advance(2 * FIRST)
    # logging in to an account it holds does not reset the address: the next failure doubles again
    assert attempt(api, user.username, PASSWORD, a).status_code == 200
    fail(api, f"spray-{uid}-10", a, 1)
    assert retry_after(attempt(api, f"spray-{uid}-11", WRONG, a)) == 4 * FIRST
    locked = [e for e in audit(owner, f"spray-{uid}-11") if e["outcome"] == "locked"]
    assert [(e["client"], e["detail"]["throttle"]) for e in locked] == [(a, "address")]


def test_an_ipv6_client_counts_as_its_slash_64(api, uid, clock, settings):
    settings(LOGIN_ADDRESS_MAX_FAILURES=4)
    net = ip_network(f"2001:db8:{random.randrange(1, 1 << 16):x}:{random.randrange(1 << 16):x}::/64")
    for n in range(4):
        fail(api, f"v6-{uid}-{n}", str(net[n + 1]), 1)  # four addresses of one subscriber
    assert retry_after(attempt(api, f"v6-{uid}-4", WRONG, str(net[999]))) == FIRST
    assert attempt(api, f"v6-{uid}-4", WRONG, "2001:db8::1").status_code == 401  # another subscriber


# --- where the client address comes from --------------------------------------------------------


def test_an_untrusted_peers_forwarded_for_is_ignored(api, owner, user, clock):
    a, b = address(), address()
    for _ in range(get_settings().login_max_failures):
        fail(api, user.username, a, 1, forwarded=address())  # a new "client" each time: no escape
    assert retry_after(attempt(api, user.username, PASSWORD, a, forwarded=b)) == FIRST
    assert attempt(api, user.username, PASSWORD, b, forwarded=a).status_code == 200  # not A's delay
    assert {e["client"] for e in audit(owner, user.username)} == {a, b}


def test_a_trusted_proxys_forwarded_for_names_the_client(api, owner, user, clock, settings):
    settings(TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    proxy, a, b = "10.20.30.40", address(), address()
    for _ in range(get_settings().login_max_failures):
        # the left part is the client's to forge; the right-most untrusted entry is what our proxy saw
        fail(api, user.username, proxy, 1, forwarded=f"{address()}, {a}, 10.1.1.1")
    assert retry_after(attempt(api, user.username, PASSWORD, proxy, forwarded=a)) == FIRST
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == FIRST  # A directly: the same A
    assert attempt(api, user.username, PASSWORD, proxy, forwarded=f"{a}, {b}").status_code == 200
    assert attempt(api, user.username, PASSWORD, proxy).status_code == 200  # the proxy is not A
    entries = audit(owner, user.username)
    assert {e["client"] for e in entries if e["outcome"] != "allowed"} == {a}
    assert {e["client"] for e in entries if e["outcome"] == "allowed"} == {b, proxy}


def test_resolve_client_takes_the_right_most_untrusted_address():
    proxies = (ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32"), ip_network("2001:db8::/32"))
    assert resolve_client("203.0.113.1", ["198.51.100.1"], proxies) == "203.0.113.1"
    assert resolve_client("10.0.0.1", [], proxies) == "10.0.0.1"
    assert resolve_client("10.0.0.1", ["1.1.1.1, 198.51.100.1, 10.2.2.2"], proxies) == "198.51.100.1"
    assert resolve_client("10.0.0.1", ["1.1.1.1", "198.51.100.1, 127.0.0.1"], proxies) == "198.51.100.1"
    assert resolve_client("::ffff:10.0.0.1", ["198.51.100.1:4711"], proxies) == "198.51.100.1"
    assert resolve_client("2001:db8::5", ["[2001:db9::7]:443"], proxies) == "2001:db9::7"
    assert resolve_client("10.0.0.1", ["10.3.3.3, 10.2.2.2"], proxies) == "10.3.3.3"  # only proxies
    assert resolve_client("10.0.0.1", ["198.51.100.1, not-an-address"], proxies) == "10.0.0.1"
    assert resolve_client("testclient", ["198.51.100.1"], proxies) == "testclient"
    assert resolve_client(None, ["198.51.100.1"], proxies) is None
    assert resolve_client("10.0.0.1", ["198.51.100.1"], ()) == "10.0.0.1"


# --- the pages ----------------------------------------------------------------------------------


def test_the_pages_obey_the_same_throttle(app, api, owner, user, clock):
    a, b = address(), address()
    browser = Browser(TestClient(app=app, base_url="http://testserver.local"))
    browser.get("/login", headers={"x-test-peer": a})
    for _ in range(get_settings().login_max_failures):
        response = browser.post(
            "/login", {"username": user.username, "password": WRONG}, headers={"x-test-peer": a}
        )
        assert response.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    response = browser.post(
        "/login", {"username": user.username, "password": PASSWORD}, headers={"x-test-peer": a}
    )
    assert response.status_code == 429
    assert f"Thử lại sau {FIRST} giây." in response.text and response.headers["Retry-After"] == str(FIRST)
    assert "portal_session" not in response.headers.get("set-cookie", "")
    assert retry_after(attempt(api, user.username, PASSWORD, a)) == FIRST  # the API: the same delay
    response = browser.post(
        "/login", {"username": user.username, "password": PASSWORD}, headers={"x-test-peer": b}
    )
    assert response.status_code == 303 and "portal_session=" in response.headers["set-cookie"]
    locked = [e for e in audit(owner, user.username) if e["outcome"] == "locked"]
    assert [(e["client"], e["detail"]["throttle"]) for e in locked] == [(a, "account"), (a, "account")]
