"""Month's end in a province, by role, through the JSON API (driven by bench/bench_load.py).

    locust -f bench/load/locustfile.py --headless -u 200 -r 50 -H http://127.0.0.1:8000 \\
        --accounts accounts.json --measure-seconds 60 --samples samples.json --exit-code-on-error 0

Every virtual user logs in once, as an account of its own (``--accounts``, written by the runner:
no two users share one), then works in its own unit with a think time between tasks:

- collaborator (weight 300), one hamlet each: the first page of the hamlet's children, open a child,
  search by name, update a child (a write: the record's notes, with the version just read), the
  hamlet's statistics;
- ward officer (60), one commune each: the commune's statistics, dashboard, children list, cases and
  reports;
- provincial inspector (20): the province's statistics and dashboard, a commune's statistics.

Requests are named by endpoint template (``name=``) so per-endpoint figures aggregate. Measurement
starts once every user is spawned and logged in (the ramp-up and the logins are not in the window) and
lasts ``--measure-seconds``; then the run stops itself and ``--samples`` holds every request completed
in the window (endpoint, method, kind of outcome, ms) and every login, for the runner to summarise.

Runs under gevent (locust monkey-patches on import): it imports nothing of the portal.
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]  # no stubs; locust's own dependency
import psutil
from gevent.event import Event  # type: ignore[import-untyped]
from gevent.lock import BoundedSemaphore  # type: ignore[import-untyped]
from locust import events, task
from locust.argument_parser import LocustArgumentParser
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser

PASSWORD_FIELD = "password"
LOGIN = "POST /api/v1/auth/login"
LOGIN_ATTEMPTS = 30
ALL_IN = Event()
"""Set once every user has logged in (or given up): nobody works before, so logins are not slowed by
the load and the load does not start with a few users only."""
LOGIN_TURN = BoundedSemaphore(1)
"""One login at a time: the login throttle answers a parallel attempt from the same address (all users
here are 127.0.0.1) with 429 rather than queueing it. A 429 or 503 is still tried again after its
Retry-After (with jitter)."""
PAGE = {"page": 1, "page_size": 20}
NOTES = (
    "Đã thăm hộ gia đình cuối tháng",
    "Cập nhật tình hình học tập",
    "Gia đình đã nhận hỗ trợ",
    "Hẹn thăm lại tháng sau",
)


@dataclass
class Run:
    """The state of this locust process: the accounts left, who is logged in, the window and samples."""

    accounts: dict[str, deque[dict[str, Any]]] = field(default_factory=dict)
    password: str = ""
    communes: list[int] = field(default_factory=list)
    logged_in: int = 0
    login_failed: int = 0
    measuring: bool = False
    window: dict[str, float] = field(default_factory=dict)
    samples: list[tuple[str, str, str, float]] = field(default_factory=list)
    logins: list[tuple[str, float]] = field(default_factory=list)


RUN = Run()


def _options(parser: LocustArgumentParser) -> None:
    parser.add_argument("--accounts", help="JSON file of the accounts (bench/bench_load.py writes it)")
    parser.add_argument("--measure-seconds", type=float, default=60.0, help="length of the window")
    parser.add_argument("--samples", help="where to write the window's samples (JSON)")
    parser.add_argument("--think-min", type=float, default=0.5, help="think time between tasks, from")
    parser.add_argument("--think-max", type=float, default=1.5, help="think time between tasks, to")
    parser.add_argument("--login-timeout", type=float, default=300.0, help="seconds to wait for logins")
    parser.add_argument(
        "--settle-seconds", type=float, default=3.0, help="seconds between the start of work and the window"
    )


def _load_accounts(environment: Environment, **_: Any) -> None:
    data = json.loads(Path(_parsed(environment).accounts).read_text())
    RUN.password = data[PASSWORD_FIELD]
    RUN.communes = data["communes"]
    RUN.accounts = {role: deque(data[role]) for role in ("collaborator", "ward_officer", "inspector")}


def _sample(
    request_type: str,
    name: str,
    response_time: float,
    response: Any,
    exception: BaseException | None,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    if exception is None:
        kind = "ok"
    elif status:
        kind = str(status)
    else:  # no answer at all (refused, reset, timed out): the class of the error, see _failure
        kind = str(exception).removeprefix("CatchResponseError(").rstrip(")") or type(exception).__name__
    if name == LOGIN:
        RUN.logins.append((kind, response_time))
    elif RUN.measuring:
        RUN.samples.append((name, request_type, kind, response_time))


def _start_window(user_count: int, **_: Any) -> None:
    gevent.spawn(_measure, user_count)


def _measure(user_count: int) -> None:
    """Wait for every user's login, measure for the window, write the samples and stop the run."""
    options = _parsed(_environment())
    deadline = time.monotonic() + options.login_timeout
    while RUN.logged_in + RUN.login_failed < user_count and time.monotonic() < deadline:
        gevent.sleep(0.05)
    ALL_IN.set()  # everybody starts working now (each after a random part of a think time)
    gevent.sleep(options.settle_seconds)
    me = psutil.Process()
    cpu0, t0 = me.cpu_times(), time.time()
    RUN.window = {"start": t0}
    RUN.measuring = True
    gevent.sleep(options.measure_seconds)
    RUN.measuring = False
    cpu1, t1 = me.cpu_times(), time.time()
    RUN.window["end"] = t1
    result = {
        "users": user_count,
        "logged_in": RUN.logged_in,
        "login_failed": RUN.login_failed,
        "window": RUN.window,
        "settle_s": options.settle_seconds,
        "locust_cpu_s": round((cpu1.user + cpu1.system) - (cpu0.user + cpu0.system), 3),
        "think_s": [options.think_min, options.think_max],
        "samples": RUN.samples,
        "logins": RUN.logins,
    }
    Path(options.samples).write_text(json.dumps(result))
    runner = _environment().runner
    if runner is not None:
        runner.quit()


_ENV: list[Environment] = []


def _keep_environment(environment: Environment, **_: Any) -> None:
    _ENV.append(environment)


def _environment() -> Environment:
    return _ENV[0]


def _parsed(environment: Environment) -> Any:
    """The command line's options (with this file's own)."""
    assert environment.parsed_options is not None, "run through the locust command line"
    return environment.parsed_options


def _listen(hook: Any, handler: Callable[..., Any]) -> None:
    hook.add_listener(handler)  # locust's EventHook.add_listener is untyped


_listen(events.init_command_line_parser, _options)
_listen(events.init, _keep_environment)
_listen(events.test_start, _load_accounts)
_listen(events.request, _sample)
_listen(events.spawning_complete, _start_window)


def _failure(response: Any) -> str:
    """The kind of a failed answer: its status, or the error's class when there was no answer."""
    return str(response.status_code) if response.status_code else type(response.error).__name__


class Staff(FastHttpUser):
    """A member of staff: logs in once as an account of the role's pool, then works with a think time."""

    abstract = True
    role = ""

    def wait_time(self) -> float:
        options = _parsed(self.environment)
        return random.uniform(options.think_min, options.think_max)

    def on_start(self) -> None:
        pool = RUN.accounts[self.role]
        if not pool:
            RUN.login_failed += 1
            raise StopUser(f"no {self.role} account left: the runner made too few")
        self.account = pool.popleft()
        for _ in range(LOGIN_ATTEMPTS):
            with (
                LOGIN_TURN,
                self.client.post(
                    "/api/v1/auth/login",
                    json={"username": self.account["username"], "password": RUN.password},
                    name=LOGIN,
                    catch_response=True,
                ) as r,
            ):
                if r.status_code == 200:
                    self.auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
                    RUN.logged_in += 1
                    break
                r.failure(_failure(r))
                if r.status_code not in (429, 503):
                    RUN.login_failed += 1
                    raise StopUser()
                retry_after = (r.headers or {}).get("Retry-After") or "1"
            wait = min(5.0, float(retry_after)) if retry_after.isdigit() else 1.0
            gevent.sleep(random.uniform(0.5, 1.5) * wait)
        else:
            RUN.login_failed += 1
            raise StopUser()
        ALL_IN.wait()  # logins on a server that is not yet loaded; the work starts together
        gevent.sleep(random.uniform(0, self.wait_time()))

    def get(self, path: str, name: str, params: dict[str, Any] | None = None) -> Any:
        """GET, counted under ``name``; the decoded body, or None if the answer was not a 200."""
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        with self.client.get(path + query, name=name, headers=self.auth, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(_failure(r))
                return None
            return r.json()


class Collaborator(Staff):
    """A hamlet's collaborator keeping its records up to date."""

    weight = 300
    role = "collaborator"

    def on_start(self) -> None:
        super().on_start()
        self.hamlet = self.account["unit_id"]
        self.children: list[dict[str, Any]] = []

    @task(4)
    def first_page(self) -> None:
        body = self.get(f"/api/v1/units/{self.hamlet}/children", "collaborator first page", PAGE)
        if body and body["items"]:
            self.children = body["items"]

    def _some_child(self) -> dict[str, Any] | None:
        if not self.children:
            self.first_page()
        return random.choice(self.children) if self.children else None

    @task(3)
    def open_child(self) -> None:
        child = self._some_child()
        if child:
            self.get(f"/api/v1/children/{child['id']}", "/api/v1/children/{id}")

    @task(2)
    def search(self) -> None:
        child = self._some_child()
        if child:
            word = child["full_name"].split()[-1]
            self.get(
                f"/api/v1/units/{self.hamlet}/children",
                "/api/v1/units/{hamlet}/children?q=",
                {**PAGE, "q": word},
            )

    @task(1)
    def update_child(self) -> None:
        child = self._some_child()
        if not child:
            return
        current = self.get(f"/api/v1/children/{child['id']}", "/api/v1/children/{id}")
        if not current:
            return
        note = f"{random.choice(NOTES)} ({time.strftime('%d/%m/%Y %H:%M:%S')})"
        with self.client.request(
            "PATCH",
            f"/api/v1/children/{child['id']}",
            name="/api/v1/children/{id}",
            headers=self.auth,
            json={"notes": note, "version": current["version"]},
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(_failure(r))

    @task(1)
    def hamlet_stats(self) -> None:
        self.get(f"/api/v1/units/{self.hamlet}/stats", "/api/v1/units/{hamlet}/stats")


class WardOfficer(Staff):
    """A commune's officer following the month's figures, records, cases and reports."""

    weight = 60
    role = "ward_officer"

    def on_start(self) -> None:
        super().on_start()
        self.ward = self.account["unit_id"]

    @task(2)
    def ward_stats(self) -> None:
        self.get(f"/api/v1/units/{self.ward}/stats", "/api/v1/units/{ward}/stats")

    @task(2)
    def ward_dashboard(self) -> None:
        self.get(f"/api/v1/units/{self.ward}/dashboard", "/api/v1/units/{ward}/dashboard")

    @task(2)
    def ward_children(self) -> None:
        page = {**PAGE, "page": random.randint(1, 3)}
        self.get(f"/api/v1/units/{self.ward}/children", "/api/v1/units/{ward}/children", page)

    @task(1)
    def cases(self) -> None:
        self.get("/api/v1/cases", "/api/v1/cases", PAGE)

    @task(1)
    def reports(self) -> None:
        self.get("/api/v1/reports", "/api/v1/reports?unit_id={ward}", {**PAGE, "unit_id": self.ward})


class Inspector(Staff):
    """A provincial inspector reading the province's and its communes' published figures."""

    weight = 20
    role = "inspector"

    def on_start(self) -> None:
        super().on_start()
        self.province = self.account["unit_id"]

    @task(2)
    def province_stats(self) -> None:
        self.get(f"/api/v1/units/{self.province}/stats", "/api/v1/units/{province}/stats")

    @task(2)
    def province_dashboard(self) -> None:
        self.get(f"/api/v1/units/{self.province}/dashboard", "/api/v1/units/{province}/dashboard")

    @task(2)
    def ward_stats(self) -> None:
        ward = random.choice(RUN.communes)
        self.get(f"/api/v1/units/{ward}/stats", "/api/v1/units/{ward}/stats (inspector)")
