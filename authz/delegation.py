"""Delegation never widens access: who may hold a working credential of which account.

A manager may *administer* accounts below their rank in their area (portal.staff.access), but may
*hold a credential* of an account (see its one-time setup or reset code) only when everything that
account reads, the manager already reads:

- the account's child records lie inside the manager's record subtree;
- the account's aggregate figures lie inside what the manager reads, as records or aggregates
  (whoever reads every record of a commune can count them);
- every case the account reads by assignment or grant lies inside the manager's record subtree
  (checked in SQL by ``account_case_reach_outside``, which counts cases the manager cannot see).

So a commune's ward officer still receives the codes of its own hamlets' collaborators, while an
aggregate-only manager (district officer, provincial inspector, administrator) never receives the
code of an account that reads children's records: it goes to the person out of band
(portal.staff.delivery). This module is the only place the rule is written.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tenancy.resolve import scope_for
from tenancy.scope import Scope, in_subtree


def reads_within(account: Scope, holder: Scope) -> bool:
    """Does ``holder`` read everything ``account`` reads (records and aggregates)?"""
    if account.records is not None and not in_subtree(account.records, holder.records):
        return False
    return account.aggregates is None or (
        in_subtree(account.aggregates, holder.records) or in_subtree(account.aggregates, holder.aggregates)
    )


def may_hold_credential(
    session: Session,
    holder: Scope,
    role: str | None,
    unit_path: str | None,
    account_id: int | None = None,
) -> bool:
    """May someone reading ``holder`` hold a working credential of an account with ``role`` at
    ``unit_path`` (and, for an existing account, its cases)? The account is judged as active:
    a code makes it usable."""
    if not reads_within(scope_for(role, unit_path, active=True), holder):
        return False
    if account_id is None:
        return True
    outside = session.execute(
        text("SELECT account_case_reach_outside(:user, :root)"), {"user": account_id, "root": holder.records}
    ).scalar_one()
    return int(outside) == 0
