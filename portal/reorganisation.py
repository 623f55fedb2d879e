"""The portal's side of a reorganisation of the unit tree (tenancy.reorg).

Children and exports are kept under their hamlet's path and follow it when it moves; cases follow
their hamlet too (their workers may need new grants). The review counts what moves, lists the reports
to finish first, and says whose access changes: Casbin tells whether an account reads records or only
aggregates. Registered with tenancy.reorg when the portal package is imported (portal/__init__.py).
The service below (list, dry run, apply, revert) is what the API and the pages call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.db import admin_engine
from portal.audit.service import record
from tenancy import reorg
from tenancy.reorg import AccessChanges
from tenancy.scope import in_subtree, subtree_end

FOLLOWERS = (("children", "unit_path"), ("exports", "unit_path"))
"""Tables whose rows are kept under a unit path that a moved subtree rewrites."""

_WITHIN = (
    "JOIN unnest(CAST(:lo AS text[]), CAST(:hi AS text[])) AS r(lo, hi) ON {col} >= r.lo AND {col} < r.hi"
)


def _ranges(moves: list[tuple[str, str]]) -> dict[str, list[str]]:
    return {"lo": [old for old, _new in moves], "hi": [subtree_end(old) for old, _new in moves]}


def _staff(session: Session) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in session.execute(
            text(
                "SELECT u.username, u.role, n.id AS unit_id, n.name AS unit_name, n.path, n.valid_to "
                "FROM users u JOIN units n ON n.id = u.unit_id "
                "WHERE u.is_active AND u.role IS NOT NULL ORDER BY u.username"
            )
        )
    ]


class PortalRecords:
    """The :class:`tenancy.reorg.RecordKeeper` of the portal."""

    def counts(
        self, session: Session, moves: list[tuple[str, str]], on: date, closed: set[int]
    ) -> dict[str, Any]:
        ranges = _ranges(moves)
        children = session.execute(
            text("SELECT count(*) FROM children " + _WITHIN.format(col="unit_path")), ranges
        ).scalar_one()
        unfinished = [
            dict(r._mapping)
            for r in session.execute(
                text(
                    "SELECT rp.id, n.name AS unit_name, rp.period, rp.status FROM reports rp "
                    "JOIN units n ON n.id = rp.unit_id "
                    + _WITHIN.format(col="n.path")
                    + " WHERE rp.status <> 'approved' AND rp.period_end < :on "
                    "UNION SELECT rp.id, n.name, rp.period, rp.status "
                    "FROM reports rp JOIN units n ON n.id = rp.unit_id "
                    "WHERE rp.unit_id = ANY(:closed) AND rp.status <> 'approved' AND rp.period_end < :on "
                    "ORDER BY 3, 2"
                ),
                {**ranges, "on": on, "closed": list(closed)},
            )
        ]
        open_cases = session.execute(
            text(
                "SELECT count(*) FROM cases " + _WITHIN.format(col="unit_path") + " WHERE status <> 'closed'"
            ),
            ranges,
        ).scalar_one()
        return {
            "children_moved": children,
            "open_cases_moved": open_cases,  # they follow their hamlet; their workers may need new grants
            # Reports of periods before the change, not approved yet: finish them first, as they are
            # consolidated under the tree of their period's last day.
            "reports_in_progress": len(unfinished),
            "reports_in_progress_list": unfinished[:50],
        }

    def access(
        self, session: Session, moves: list[tuple[str, str]], on: date, closed: set[int]
    ) -> AccessChanges:
        changes = AccessChanges()
        for user in _staff(session):
            records = allowed(user["role"], "child", "read")
            entry = {k: user[k] for k in ("username", "role", "unit_id", "unit_name")}
            if any(in_subtree(new, user["path"]) and not in_subtree(old, user["path"]) for old, new in moves):
                changes.gains.append({**entry, "sees": "records" if records else "aggregates"})
            loses = any(
                in_subtree(old, user["path"]) and not in_subtree(new, user["path"])
                for old, new in moves
                if not in_subtree(user["path"], old)  # a unit inside the moved subtree moves along with it
            )
            if loses:
                changes.losses.append(entry)
            ended = user["valid_to"] is not None and user["valid_to"] <= on
            if user["unit_id"] in closed or (ended and loses):
                changes.reassign.append(
                    entry
                )  # their unit is merged, split or abolished by this reorganisation
        return changes

    def follow(self, session: Session, old: str, new: str) -> None:
        span = {"old": old, "end": subtree_end(old), "new": new, "cut": len(old) + 1}
        for table, column in FOLLOWERS:
            session.execute(
                text(
                    f"UPDATE {table} SET {column} = :new || substr({column}, :cut) "
                    f"WHERE {column} >= :old AND {column} < :end"
                ),
                span,
            )


# The service the API and the pages call: Casbin first, then tenancy.reorg on the owner connection (a
# reorganisation crosses every scope); applies and reverts, and refused applies, are audited.


def reorganisations(caller: Caller) -> list[dict[str, Any]]:
    """Every reorganisation (its decision and state), by effective date."""
    authorize_action(caller, "reorganisation", "read")
    with Session(admin_engine()) as session:
        return reorg.listing(session)


def review(caller: Caller, reorg_id: int) -> dict[str, Any]:
    """The dry run: what would move and whose access would change; nothing is written (rolled back).
    Raises :class:`tenancy.reorg.ReorgError` for a reorganisation that does not exist."""
    authorize_action(caller, "reorganisation", "read")
    with Session(admin_engine()) as session:
        try:
            return reorg.dry_run(session, reorg_id)
        finally:
            session.rollback()


def apply(caller: Caller, reorg_id: int, confirm_access_gains: bool) -> dict[str, Any]:
    """Apply in one transaction of its own (committed here). Raises ``ReorgError`` (problems) and
    ``AccessReviewRequired`` (accounts would gain access without the explicit decision; audited)."""
    authorize_action(caller, "reorganisation", "apply")
    with Session(admin_engine()) as session:
        try:
            result = reorg.apply(session, reorg_id, caller.username, confirm_access_gains)
        except reorg.AccessReviewRequired as exc:
            session.rollback()
            detail = {"access_gains": len(exc.gains)}
            record(caller.actor, "apply", "reorganisation", "refused", resource_ids=[reorg_id], detail=detail)
            raise
        except reorg.ReorgError:
            session.rollback()
            raise
        session.commit()
    if not result.get("already_applied"):
        detail = {k: result[k] for k in ("units_moved", "hamlets_moved", "children_moved")}
        record(caller.actor, "apply", "reorganisation", "allowed", resource_ids=[reorg_id], detail=detail)
    return result


def revert(caller: Caller, reorg_id: int) -> int:
    """Undo an applied reorganisation (committed here); the number of steps undone. Raises
    ``ReorgError`` when it is not applied."""
    authorize_action(caller, "reorganisation", "apply")
    with Session(admin_engine()) as session:
        try:
            steps = reorg.revert(session, reorg_id)
        except reorg.ReorgError:
            session.rollback()
            raise
        session.commit()
    record(
        caller.actor, "revert", "reorganisation", "allowed", resource_ids=[reorg_id], detail={"steps": steps}
    )
    return steps
