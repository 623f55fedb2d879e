"""How a message leaves the portal: e-mail over SMTP, SMS through a gateway, a Zalo OA message.

Each channel has one method, ``send(address, subject, body, key)``, and raises
:class:`DeliveryFailed` with a short reason (no address, no body) when the message did not leave;
the worker retries. An SMS gateway is any class with that method: :class:`HttpSmsGateway` posts JSON
to a provider's HTTP endpoint (``SMS_GATEWAY_URL``); a provider with another protocol gets its
own class here, chosen in :func:`channel_for`.

``key`` names the outbox row: it goes out as the e-mail's Message-ID and as the ``Idempotency-Key``
header of the HTTP channels, so that a message sent again after a worker died between sending and
recording it is recognised as the same message by a provider that honours the key.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from infra.settings import Settings, get_settings


class DeliveryFailed(Exception):
    """The message did not leave; ``reason`` is safe to store and log (it names no person)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def send(self, address: str, subject: str, body: str, key: str | None = None) -> None: ...


class SmtpChannel:
    """E-mail through the configured SMTP server (``SMTP_HOST``/``SMTP_PORT``, optional STARTTLS
    and login). ``make run`` points it at the local mail sink under ``var/mail``."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, address: str, subject: str, body: str, key: str | None = None) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_from
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{key}@portal.invalid>" if key else make_msgid(domain="portal.invalid")
        message.set_content(body)
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=15) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed("the mail server refused the address", permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"mail server unreachable or refused: {type(exc).__name__}") from exc


def _keyed(headers: dict[str, str], key: str | None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key} if key else headers


class HttpSmsGateway:
    """An HTTP SMS gateway: ``POST SMS_GATEWAY_URL`` with ``{"to": ..., "text": ...}`` and a bearer
    token; any 2xx is accepted by the provider, 4xx is permanent, anything else is retried."""

    name = "sms"

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def send(self, address: str, subject: str, body: str, key: str | None = None) -> None:
        payload = json.dumps({"to": address, "text": f"{subject}\n{body}"}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        request = urllib.request.Request(self.url, data=payload, method="POST", headers=_keyed(headers, key))
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310 - configured URL
                if not 200 <= answer.status < 300:
                    raise DeliveryFailed(f"SMS gateway answered {answer.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"SMS gateway answered {exc.code}", permanent=400 <= exc.code < 500) from exc
        except OSError as exc:
            raise DeliveryFailed(f"SMS gateway unreachable: {type(exc).__name__}") from exc


class ZaloOaChannel:
    """A Zalo Official Account message to a follower (``ZALO_OA_URL``, the OA's message endpoint, with
    its access token): ``{"recipient": {"user_id": ...}, "message": {"text": ...}}``. Zalo answers 200
    with ``{"error": 0}`` when it took the message; another error number is retried, a 4xx is permanent."""

    name = "zalo"

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def send(self, address: str, subject: str, body: str, key: str | None = None) -> None:
        payload = {"recipient": {"user_id": address}, "message": {"text": f"{subject}\n{body}"}}
        headers = {"Content-Type": "application/json", "access_token": self.token}
        request = urllib.request.Request(
            self.url, data=json.dumps(payload).encode(), method="POST", headers=_keyed(headers, key)
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310 - configured URL
                try:
                    error = int(json.loads(answer.read(4096) or b"{}").get("error", 0))
                except (ValueError, AttributeError):
                    error = -1
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"Zalo answered {exc.code}", permanent=400 <= exc.code < 500) from exc
        except OSError as exc:
            raise DeliveryFailed(f"Zalo unreachable: {type(exc).__name__}") from exc
        if error != 0:
            raise DeliveryFailed(f"Zalo refused the message (error {error})")


def sms_available(settings: Settings | None = None) -> bool:
    return (settings or get_settings()).sms_gateway_url is not None


def channel_for(name: str, settings: Settings | None = None) -> Channel:
    s = settings or get_settings()
    if name == "email":
        return SmtpChannel(s)
    if name == "sms" and s.sms_gateway_url:
        return HttpSmsGateway(s.sms_gateway_url, s.sms_gateway_token)
    if name == "zalo" and s.zalo_oa_url:
        return ZaloOaChannel(s.zalo_oa_url, s.zalo_oa_token)
    raise DeliveryFailed(f"no {name} channel is configured", permanent=True)
