"""Past what a process works on at once, a request waits briefly in a bounded queue or is answered 503."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
from litestar import Litestar, get

from infra.errors import DomainError
from portal.app import create_app
from portal.boundary.admission import Admission
from portal.boundary.errors import domain_error_handler


def _app(gate: anyio.Event, inflight: int, queue: int, wait: float) -> Litestar:
    @get("/slow")
    async def slow() -> dict[str, str]:
        await gate.wait()
        return {"done": "yes"}

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[slow, health],
        middleware=[Admission(inflight, queue, wait)],
        exception_handlers={DomainError: domain_error_handler},
    )


@pytest.mark.anyio
async def test_a_full_process_queues_briefly_then_answers_503_with_retry_after() -> None:
    gate = anyio.Event()
    app = _app(gate, inflight=1, queue=1, wait=0.4)
    answers: dict[str, tuple[httpx.Response, float]] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:

        async def call(name: str, lang: str = "en") -> None:
            started = time.perf_counter()
            answer = await client.get("/slow", headers={"Accept-Language": lang})
            answers[name] = (answer, time.perf_counter() - started)

        async with anyio.create_task_group() as group:
            group.start_soon(call, "working")
            await anyio.sleep(0.05)
            group.start_soon(call, "queued")
            await anyio.sleep(0.05)
            group.start_soon(call, "beyond the queue", "vi")
            await anyio.sleep(0.05)
            health = await client.get("/health")  # always answered
            await anyio.sleep(0.5)
            gate.set()

    working, _ = answers["working"]
    queued, waited = answers["queued"]
    beyond, at_once = answers["beyond the queue"]
    assert health.status_code == 200
    assert working.status_code == 200 and working.json() == {"done": "yes"}
    for refused in (queued, beyond):
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["retry_after"] == 1
    assert queued.json()["detail"] == "the portal is busy: try again in 1 second(s)"
    assert beyond.json()["detail"] == "Cổng thông tin đang quá tải. Vui lòng thử lại sau giây lát."
    assert 0.35 <= waited < 0.6  # waited its turn for at most MAX_QUEUE_WAIT
    assert at_once < 0.1  # nothing to wait for: the queue was full


@pytest.mark.anyio
async def test_requests_within_capacity_all_pass() -> None:
    gate = anyio.Event()
    gate.set()
    app = _app(gate, inflight=2, queue=4, wait=1.0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal") as client:
        statuses: list[int] = []

        async def call() -> None:
            statuses.append((await client.get("/slow")).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(call)
    assert statuses == [200] * 6


def test_the_portal_admits_as_infra_sizing_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_INFLIGHT", "3")
    monkeypatch.setenv("MAX_QUEUED", "5")
    monkeypatch.setenv("MAX_QUEUE_WAIT", "0.25")
    app = create_app(check_role=False)
    [admission] = [m for m in app.middleware if isinstance(m, Admission)]
    assert (admission.inflight, admission.queue, admission.wait) == (3, 5, 0.25)
