"""Admission: past what a web process can work on, answer 503 at once instead of queueing for seconds.

Each process works on at most ``inflight`` requests at a time (one database connection each, see
``infra.sizing``) and lets at most ``queue`` more wait for a turn, each for at most ``wait`` seconds.
A request beyond that, or one that waited too long, is answered 503 with ``Retry-After`` (``Busy``)
before anything is read or written for it. ``/health`` is always answered.

The middleware also opens the request's unit of work (``infra.unit_of_work``) around everything the
request does, so services' audit rows travel with the request's COMMIT.
"""

from __future__ import annotations

import logging

import anyio
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from infra import unit_of_work
from infra.errors import Busy

log = logging.getLogger(__name__)


class Admission(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/health$",)

    def __init__(self, inflight: int, queue: int, wait: float, retry_after: int = 1) -> None:
        self.inflight, self.queue, self.wait, self.retry_after = inflight, queue, wait, retry_after
        self._slots: anyio.Semaphore | None = None
        self.waiting = 0
        self.refused = 0

    def _semaphore(self) -> anyio.Semaphore:
        if self._slots is None:  # made on the server's event loop, at the first request
            self._slots = anyio.Semaphore(self.inflight)
        return self._slots

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        slots = self._semaphore()
        if slots.value == 0:
            await self._wait_for(slots)
        else:
            await slots.acquire()
        try:
            with unit_of_work.open_request():
                await next_app(scope, receive, send)
        finally:
            slots.release()

    async def _wait_for(self, slots: anyio.Semaphore) -> None:
        if self.waiting >= self.queue:
            self._refuse()
        self.waiting += 1
        try:
            with anyio.move_on_after(self.wait):
                await slots.acquire()
                return
        finally:
            self.waiting -= 1
        self._refuse()

    def _refuse(self) -> None:
        self.refused += 1
        if self.refused % 100 == 1:
            log.warning("busy: %d request(s) answered 503 so far by this process", self.refused)
        raise Busy(self.retry_after)
