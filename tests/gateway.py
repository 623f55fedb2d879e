"""A small fake SMS gateway and Zalo OA endpoint on loopback (an SMS provider is outside our control).

It speaks what the portal's adapters send (portal/notifications/channels.py): ``POST /sms`` with
``{"to", "text"}`` and a bearer token, ``POST /zalo`` with ``{"recipient": {"user_id"}, "message":
{"text"}}`` answering ``{"error": 0}``. ``down = True`` makes it answer 503 (an outage), ``refuse = True`` 400.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


class _Handler(BaseHTTPRequestHandler):
    gateway: ClassVar[FakeGateway]

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(min(length, 1 << 16)) or b"{}")
        g = self.gateway
        if g.down or g.refuse:
            self.send_response(400 if g.refuse else 503)
            self.end_headers()
            return
        key = self.headers.get("Idempotency-Key")
        with g.lock:
            if key is not None and key in g.keys:  # a provider honouring the key takes it once
                pass
            elif self.path == "/sms":
                g.messages.append(("sms", str(body.get("to")), str(body.get("text"))))
            elif self.path == "/zalo":
                g.messages.append(("zalo", str(body["recipient"]["user_id"]), str(body["message"]["text"])))
            if key is not None:
                g.keys.add(key)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": 0}')

    def log_message(self, *args: Any) -> None:  # quiet
        return


class FakeGateway:
    _current: FakeGateway | None = None

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []
        self.keys: set[str] = set()
        self.lock = threading.Lock()
        self.down = False
        self.refuse = False  # a 4xx: the provider will never take this message
        handler = type("Handler", (_Handler,), {"gateway": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @classmethod
    def start(cls) -> FakeGateway:
        cls._current = cls()
        return cls._current

    @classmethod
    def current(cls) -> FakeGateway:
        assert cls._current is not None, "tests/conftest.py starts the fake gateway"
        return cls._current

    def to(self, channel: str, address: str) -> list[str]:
        with self.lock:
            return [text for c, a, text in self.messages if c == channel and a == address]

    def wait_for(self, channel: str, address: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(channel, address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {channel} message to {address} within {timeout} s")
