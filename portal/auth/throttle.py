"""The login throttle: failures counted per account *and* client address, and per address.

The rule (numbers from infra.settings):

- From one address on one username (known or not): the first ``login_max_failures`` failures
  cost nothing; the failure that reaches the limit starts a delay of ``login_cooldown_seconds``,
  and each further failure (once the delay is over) doubles it, up to ``login_max_delay_seconds``.
- From one address on any usernames: the same delays once ``login_address_max_failures``
  failures are reached, so an address trying many usernames is slowed down too.
- A success deletes that (username, address) counter. The address counter stays: a sprayer who
  owns one working account cannot reset it by logging in.
- A counter with no failure for ``login_forget_seconds`` (never less than the longest delay)
  counts from zero again; failures delete a bounded batch of such rows as they go.

Wrong passwords from one address therefore never delay the same account at another address.
Counters live in PostgreSQL (several processes serve logins). Attempts refused by a delay are
neither checked nor counted. An address is the client address (portal.auth.client_address)
as text; an IPv6 address counts as its /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv6Address, ip_network

from sqlalchemy import case, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.clock import utcnow
from infra.settings import get_settings
from portal.auth.client_address import parse_address
from portal.auth.models import LoginAddressThrottle, LoginThrottle

ACCOUNT = "account"
"""Throttled: too many failures on this username from this address."""
ADDRESS = "address"
"""Throttled: too many failures from this address on any usernames."""
BUSY = "busy"
"""Refused: another attempt from this address is being checked right now."""
UNKNOWN_ADDRESS = "unknown"
PRUNE_BATCH = 100


@dataclass(frozen=True)
class Throttled:
    retry_after: int
    """Whole seconds until an attempt is looked at again (the ``Retry-After`` header)."""
    by: str
    """:data:`ACCOUNT`, :data:`ADDRESS` or :data:`BUSY`."""


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


def address_key(client: str | None) -> str:
    """What the throttle counts an address as: an IPv4 address, an IPv6 /64, else the text itself."""
    address = parse_address(client) if client else None
    if address is None:
        return (client or UNKNOWN_ADDRESS)[:64]  # a Unix socket, a test client
    if isinstance(address, IPv6Address):
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


def delay_seconds(failures: int, free: int) -> int:
    """The delay after ``failures`` consecutive failures when the first ``free`` ones cost nothing."""
    settings = get_settings()
    if failures < free:
        return 0
    doubled: int = settings.login_cooldown_seconds * 2 ** min(failures - free, 32)
    return min(settings.login_max_delay_seconds, doubled)


def _forget_before(now: datetime) -> datetime:
    settings = get_settings()
    return now - timedelta(seconds=max(settings.login_forget_seconds, settings.login_max_delay_seconds))


def check(session: Session, username: str, client: str | None) -> Throttled | None:
    """None if an attempt on ``username`` from ``client`` may be checked now, else how long to wait.

    Security: the attempt then holds transaction locks on its address and on its (username,
    address) pair until the caller commits, so parallel requests cannot all pass the check before
    any failure is counted; a parallel attempt from the same address is refused (:data:`BUSY`,
    one second) rather than queued, so a flood cannot hold the pool's connections.
    """
    now = utcnow()
    user, address = account_key(username), address_key(client)
    locked = session.execute(
        text(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(:address, 0)) "
            "AND pg_try_advisory_xact_lock(hashtextextended(:pair, 0))"
        ),
        {"address": f"login-address:{address}", "pair": f"login:{address}:{user}"},
    ).scalar_one()
    if not locked:
        return Throttled(1, BUSY)
    until = {
        ADDRESS: session.scalar(
            select(LoginAddressThrottle.locked_until).where(LoginAddressThrottle.client == address)
        ),
        ACCOUNT: session.scalar(
            select(LoginThrottle.locked_until).where(
                LoginThrottle.username == user, LoginThrottle.client == address
            )
        ),
    }
    waits = {by: end for by, end in until.items() if end is not None and end > now}
    if not waits:
        return None
    by = max(waits, key=lambda k: waits[k])
    return Throttled(max(1, math.ceil((waits[by] - now).total_seconds())), by)


def record_failure(session: Session, username: str, client: str | None) -> None:
    """Count a failed attempt on ``username`` from ``client`` and start or lengthen the delays."""
    settings = get_settings()
    now = utcnow()
    forget_before = _forget_before(now)
    prune(session, forget_before)
    user, address = account_key(username), address_key(client)
    counters = (
        (LoginThrottle, {"username": user, "client": address}, settings.login_max_failures),
        (LoginAddressThrottle, {"client": address}, settings.login_address_max_failures),
    )
    for table, key, free in counters:
        failures = session.execute(
            insert(table)
            .values(**key, failures=1, last_failure_at=now)
            .on_conflict_do_update(
                index_elements=list(key),
                set_={
                    "failures": case((table.last_failure_at < forget_before, 1), else_=table.failures + 1),
                    "last_failure_at": now,
                },
            )
            .returning(table.failures)
        ).scalar_one()
        wait = delay_seconds(failures, free)
        session.execute(
            update(table)
            .where(*(getattr(table, column) == value for column, value in key.items()))
            .values(locked_until=now + timedelta(seconds=wait) if wait else None)
        )


def record_success(session: Session, username: str, client: str | None) -> None:
    """Forget the failures on ``username`` from ``client`` (the address counter stays)."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.username == account_key(username), LoginThrottle.client == address_key(client)
        )
    )


def clear_for_account(session: Session, username: str) -> None:
    """Lift every delay on ``username``, from every address (after its password was set anew).

    Counters of addresses across accounts stay: they are about the address, not this account.
    """
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == account_key(username)))


def prune(session: Session, before: datetime) -> None:
    """Delete up to :data:`PRUNE_BATCH` counters per table with no failure since ``before``.

    Rows locked by a concurrent attempt are skipped, never waited for.
    """
    for table in (LoginThrottle.__tablename__, LoginAddressThrottle.__tablename__):
        session.execute(
            text(
                f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
                f"SELECT ctid FROM {table} WHERE last_failure_at < :before "
                f"LIMIT {PRUNE_BATCH} FOR UPDATE SKIP LOCKED))"
            ),
            {"before": before},
        )
