"""Where a request comes from: the socket peer, or what trusted proxies say it is.

Used by the login throttle and the audit log, so both name the same address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from litestar.connection import ASGIConnection

from infra.settings import get_settings

Network = IPv4Network | IPv6Network


def parse_address(text: str) -> IPv4Address | IPv6Address | None:
    """An IP address from a header entry (``1.2.3.4``, ``1.2.3.4:80``, ``[2001:db8::1]:443``), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port; a bare IPv6 address has several colons
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve_client(peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str | None:
    """The client address of a request.

    Security: ``X-Forwarded-For`` is written by whoever sent the request, so it is read only when
    the socket peer is a configured trusted proxy. Each trusted proxy appends the address it saw,
    so the client is the right-most entry that is not itself a trusted proxy; entries to its left
    may be forged and are never used. An entry there that is not an IP address means a proxy is
    misconfigured: the peer is answered then (never text a client could have chosen).
    """
    if peer is None or not _trusted(parse_address(peer), proxies):
        return peer
    hops = [part for value in forwarded_for for part in value.split(",") if part.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return peer
        if not _trusted(address, proxies):
            return str(address)
    return str(parse_address(hops[0])) if hops else peer  # only proxies: the farthest one


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The client address of this request under the ``TRUSTED_PROXIES`` setting (None: unknown)."""
    peer = connection.client.host if connection.client else None
    return resolve_client(
        peer, connection.headers.getall("x-forwarded-for", []), get_settings().trusted_proxies
    )
