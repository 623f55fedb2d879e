"""A real SMTP server on loopback (aiosmtpd) for the tests: the worker mails one-time codes to it."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from aiosmtpd.controller import Controller

CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    """Start with :meth:`start`; ``wait_for(address)`` returns the newest message sent to it."""

    def __init__(self) -> None:
        self.handler = _Collect()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    _current: MailSink | None = None

    @classmethod
    def start(cls) -> MailSink:
        sink = cls()
        sink.controller.start()
        cls._current = sink
        return sink

    @classmethod
    def current(cls) -> MailSink:
        """The run's sink (started by tests/conftest.py)."""
        assert cls._current is not None, "tests/conftest.py starts the mail sink"
        return cls._current

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.handler.lock:
            return [m for m in self.handler.messages if parseaddr(str(m["To"]))[1].lower() == address.lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no message #{count} to {address} within {timeout}s")

    @staticmethod
    def code_in(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = CODE.search(body.get_content())
        assert found, "the message carries a one-time code"
        return found.group(0)
