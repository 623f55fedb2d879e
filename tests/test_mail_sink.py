"""The embedded default's mail sink (``make run``): a real aiosmtpd process filing messages in a Maildir,
and the portal's SMTP channel delivering a code message to it."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import time
from dataclasses import replace

from infra.processes import mail_sink_command, stop_process
from infra.settings import get_settings
from portal.notifications.channels import DeliveryFailed, SmtpChannel


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_mail_sink_files_what_the_smtp_channel_sends(tmp_path):
    port = _free_port()
    maildir = tmp_path / "mail"
    sink = subprocess.Popen(mail_sink_command("127.0.0.1", port, str(maildir)))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        settings = get_settings()
        channel = SmtpChannel(replace(settings, smtp_host="127.0.0.1", smtp_port=port))
        channel.send("ctv@example.vn", "Mã dùng một lần", "Mã dùng một lần: ABCD-EFGH-JKMN-PQRS")
        found = list(mailbox.Maildir(str(maildir), factory=None))
        assert len(found) == 1
        message = found[0]
        assert message["To"] == "ctv@example.vn"
        body = message.get_payload(decode=True).decode()
        assert "ABCD-EFGH-JKMN-PQRS" in body
    finally:
        stop_process(sink)
    # the sink gone, the channel says so (the worker retries later)
    try:
        channel.send("ctv@example.vn", "x", "y")
    except DeliveryFailed as failure:
        assert "unreachable" in failure.reason and "ctv@" not in failure.reason
    else:
        raise AssertionError("sending to a stopped server must fail")
