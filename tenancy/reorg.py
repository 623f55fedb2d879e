"""Reorganisations of the unit tree: plan (dry run), apply, revert.

A reorganisation is data (``reorganisations`` + ``reorg_operations``): merge (the source's units go
under the target), split (each hamlet of the source goes to the commune decided for it in
``reorg_hamlet_decisions``, else to the default target), abolish_level (units of a level under the
source are dissolved and their children re-parented to the grandparent), rename/recode, and
move_hamlet. Operations are planned against the tree as it is before the apply; a unit is moved by
one operation at most.

Applying rewrites paths in one transaction: units, and the records kept under unit paths, follow
their hamlet, so records and staff scopes move with it (a collaborator keeps their hamlet). Those
records belong to the application, not to the tree: the application registers a
:class:`RecordKeeper` (``keep_records``) that moves them, counts them for the review and says whose
access changes; without one, nothing is planned or applied.
Every hamlet whose path changes keeps its previous placement in ``hamlet_placements``, so any date
can still be read under the structure in force then, and every unit it closes is recorded as the
predecessor of the units that received its hamlets (``tenancy.succession``: whose staff read its
history). Each change is logged in ``reorg_steps``, which
``revert`` replays backwards. Applying twice changes nothing. Runs on the owner connection: a
reorganisation crosses every scope (callers are checked by Casbin first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from tenancy.scope import subtree_end
from tenancy.succession import forget_successions, record_successions


class ReorgError(Exception):
    """The reorganisation cannot be applied as it stands (a message per problem)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class AccessReviewRequired(Exception):
    def __init__(self, gains: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(gains)} accounts would see records they cannot see now")
        self.gains = gains


@dataclass
class AccessChanges:
    """Whose access a reorganisation changes (one dict per account, shown in the review as is)."""

    gains: list[dict[str, Any]] = field(default_factory=list)  # would see records they cannot see now
    losses: list[dict[str, Any]] = field(default_factory=list)
    reassign: list[dict[str, Any]] = field(default_factory=list)  # their unit is closed or moved away


class RecordKeeper(Protocol):
    """The application's records kept under unit paths, and its accounts. ``moves`` are the
    (old path, new path) of every moved subtree; ``closed`` the units the reorganisation closes."""

    def counts(
        self, session: Session, moves: list[tuple[str, str]], on: date, closed: set[int]
    ) -> dict[str, Any]:
        """What moves or needs finishing first, as entries of the review (in the order shown)."""
        ...

    def access(
        self, session: Session, moves: list[tuple[str, str]], on: date, closed: set[int]
    ) -> AccessChanges:
        """Whose access the moves change."""
        ...

    def follow(self, session: Session, old: str, new: str) -> None:
        """Move the records under the subtree ``old`` to ``new`` (same suffix below it)."""
        ...


_keeper: list[RecordKeeper] = []


def keep_records(keeper: RecordKeeper) -> None:
    """Register the application's records (once per process; a second registration replaces the first)."""
    _keeper[:] = [keeper]


def _records() -> RecordKeeper:
    if not _keeper:
        raise RuntimeError(
            "no RecordKeeper registered (tenancy.reorg.keep_records): records would not follow"
        )
    return _keeper[0]


@dataclass
class Plan:
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # (unit, from parent, to parent)
    closes: list[int] = field(default_factory=list)
    renames: list[tuple[int, str, str | None]] = field(default_factory=list)
    defaulted: list[dict[str, Any]] = field(default_factory=list)  # split hamlets without a decision
    problems: list[str] = field(default_factory=list)


def listing(session: Session) -> list[dict[str, Any]]:
    """Every reorganisation (its decision and state), by effective date."""
    return [
        dict(r._mapping)
        for r in session.execute(
            text(
                "SELECT id, code, name, legal_basis, effective_date, status, applied_at, applied_by, "
                "reverted_at FROM reorganisations ORDER BY effective_date, id"
            )
        )
    ]


def _units(session: Session, where: str, **params: Any) -> list[dict[str, Any]]:
    sql = (
        f"SELECT id, parent_id, level, code, name, path, depth, valid_from, valid_to FROM units WHERE {where}"
    )
    return [dict(r._mapping) for r in session.execute(text(sql + " ORDER BY path"), params)]


def _valid_on(unit: dict[str, Any], on: date) -> bool:
    return (unit["valid_from"] is None or unit["valid_from"] <= on) and (
        unit["valid_to"] is None or unit["valid_to"] > on
    )


def _reorg(session: Session, reorg_id: int) -> dict[str, Any]:
    row = session.execute(
        text("SELECT * FROM reorganisations WHERE id = :i FOR UPDATE"), {"i": reorg_id}
    ).first()
    if row is None:
        raise ReorgError([f"reorganisation {reorg_id} does not exist"])
    return dict(row._mapping)


def build_plan(session: Session, reorg_id: int) -> Plan:
    reorg = _reorg(session, reorg_id)
    on = reorg["effective_date"]
    plan = Plan()
    decisions = dict(
        session.execute(
            text("SELECT hamlet_id, target_unit_id FROM reorg_hamlet_decisions WHERE reorg_id = :r"),
            {"r": reorg_id},
        )
        .tuples()
        .all()
    )
    ops = session.execute(
        text("SELECT * FROM reorg_operations WHERE reorg_id = :r ORDER BY seq"), {"r": reorg_id}
    )
    moved: set[int] = set()

    def move(unit: dict[str, Any], target: dict[str, Any] | None, seq: int) -> None:
        if target is None or not _valid_on(target, on):
            plan.problems.append(f"operation {seq}: target of {unit['name']} is not a unit in force on {on}")
        elif unit["id"] in moved:
            plan.problems.append(f"operation {seq}: {unit['name']} ({unit['id']}) is moved twice")
        elif unit["parent_id"] != target["id"]:
            moved.add(unit["id"])
            plan.moves.append((unit["id"], unit["parent_id"], target["id"]))

    def children_of(parent_id: int) -> list[dict[str, Any]]:
        return [
            u
            for u in _units(session, "parent_id = :p", p=parent_id)
            if u["valid_to"] is None or u["valid_to"] > on
        ]

    def one(unit_id: int | None) -> dict[str, Any] | None:
        found = _units(session, "id = :i", i=unit_id) if unit_id is not None else []
        return found[0] if found else None

    for op in ops:
        source, target = one(op.source_unit_id), one(op.target_unit_id)
        assert source is not None
        if op.kind in ("merge", "split"):
            for unit in children_of(source["id"]):
                chosen = one(decisions[unit["id"]]) if unit["id"] in decisions else target
                if op.kind == "split" and unit["id"] not in decisions:
                    plan.defaulted.append(
                        {
                            "hamlet_id": unit["id"],
                            "hamlet": unit["name"],
                            "from": source["name"],
                            "default_target": target["name"] if target else None,
                        }
                    )
                move(unit, chosen, op.seq)
            if source["valid_to"] is None or source["valid_to"] > on:
                plan.closes.append(source["id"])
        elif op.kind == "abolish_level":
            for dissolved in _units(
                session,
                "level = :l AND path >= :p AND path < :e",
                l=op.level,
                p=source["path"],
                e=subtree_end(source["path"]),
            ):
                parent = one(dissolved["parent_id"])
                for unit in children_of(dissolved["id"]):
                    move(unit, parent, op.seq)
                if _valid_on(dissolved, on):
                    plan.closes.append(dissolved["id"])
        elif op.kind == "move_hamlet":
            if source["level"] != "hamlet" or (target and target["level"] != "commune"):
                plan.problems.append(f"operation {op.seq}: move_hamlet takes a hamlet and a commune")
            else:
                move(source, target, op.seq)
        elif op.kind == "rename":
            plan.renames.append((source["id"], op.new_name or source["name"], op.new_code or source["code"]))
    return plan


def review(session: Session, plan: Plan, on: date) -> dict[str, Any]:
    """What the plan moves, and whose access changes (nobody may gain without an explicit decision)."""
    paths = {
        u["id"]: u["path"]
        for u in _units(session, "id = ANY(:ids)", ids=[x for m in plan.moves for x in (m[0], m[2])])
    }
    moves = [(paths[unit], paths[to] + f"{unit}/") for unit, _from, to in plan.moves]
    ranges = {"lo": [old for old, _new in moves], "hi": [subtree_end(old) for old, _new in moves]}
    hamlets = session.execute(
        text(
            "SELECT count(*) FROM units JOIN unnest(CAST(:lo AS text[]), CAST(:hi AS text[])) AS r(lo, hi) "
            "ON path >= r.lo AND path < r.hi WHERE level = 'hamlet'"
        ),
        ranges,
    ).scalar_one()
    closed = set(plan.closes)
    records = _records()
    counts = records.counts(session, moves, on, closed)
    access = records.access(session, moves, on, closed)
    return {
        "units_moved": len(plan.moves),
        "units_closed": len(plan.closes),
        "units_renamed": len(plan.renames),
        "hamlets_moved": hamlets,
        **counts,
        "hamlets_needing_decision": plan.defaulted,
        "access_gains": access.gains,
        "access_losses": access.losses,
        "staff_to_reassign": access.reassign,
        "problems": plan.problems,
    }


def dry_run(session: Session, reorg_id: int) -> dict[str, Any]:
    reorg = _reorg(session, reorg_id)
    if reorg["status"] == "applied":
        return {"status": "applied", **(reorg["summary"] or {})}
    return {
        "status": reorg["status"],
        **review(session, build_plan(session, reorg_id), reorg["effective_date"]),
    }


def _move(session: Session, reorg_id: int, unit_id: int, parent_id: int, on: date | None, log: bool) -> None:
    """Re-parent a unit and its whole subtree: units and the application's records follow; placements kept."""
    unit = _units(session, "id = :i", i=unit_id)[0]
    parent = _units(session, "id = :i", i=parent_id)[0]
    old, new = unit["path"], f"{parent['path']}{unit_id}/"
    span = {"old": old, "end": subtree_end(old), "new": new, "cut": len(old) + 1}
    if on is not None:
        session.execute(
            text(
                "INSERT INTO hamlet_placements (hamlet_id, parent_id, path, valid_from, valid_to, reorg_id) "
                "SELECT h.id, h.parent_id, h.path, (SELECT max(x.valid_to) FROM hamlet_placements x "
                "WHERE x.hamlet_id = h.id), :on, :r FROM units h "
                "WHERE h.level = 'hamlet' AND h.path >= :old AND h.path < :end"
            ),
            {**span, "on": on, "r": reorg_id},
        )
    if unit["level"] == "hamlet":
        clash = session.execute(
            text(
                "SELECT 1 FROM units WHERE parent_id = :p AND level = 'hamlet' "
                "AND lower(name) = lower(:n) AND id <> :i"
            ),
            {"p": parent_id, "n": unit["name"], "i": unit_id},
        ).first()
        if clash:  # two merged communes both had "Thôn 1": keep both, say where each came from
            former = _units(session, "id = :i", i=unit["parent_id"])[0]["name"]
            _rename(session, reorg_id, unit_id, f"{unit['name']} ({former})", unit["code"], log)
    session.execute(
        text(
            "UPDATE units SET path = :new || substr(path, :cut), depth = depth + :delta "
            "WHERE path >= :old AND path < :end"
        ),
        {**span, "delta": parent["depth"] + 1 - unit["depth"]},
    )
    session.execute(text("UPDATE units SET parent_id = :p WHERE id = :i"), {"p": parent_id, "i": unit_id})
    _records().follow(session, old, new)
    if log:
        _step(session, reorg_id, "move", unit_id, {"parent_id": unit["parent_id"]}, {"parent_id": parent_id})


def _rename(session: Session, reorg_id: int, unit_id: int, name: str, code: str | None, log: bool) -> None:
    before = _units(session, "id = :i", i=unit_id)[0]
    session.execute(
        text("UPDATE units SET name = :n, code = :c WHERE id = :i"), {"n": name, "c": code, "i": unit_id}
    )
    if log:
        _step(
            session,
            reorg_id,
            "rename",
            unit_id,
            {"name": before["name"], "code": before["code"]},
            {"name": name, "code": code},
        )


def _step(
    session: Session, reorg_id: int, kind: str, unit_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    session.execute(
        text(
            "INSERT INTO reorg_steps (reorg_id, kind, unit_id, before, after) "
            "VALUES (:r, :k, :u, CAST(:b AS jsonb), CAST(:a AS jsonb))"
        ),
        {
            "r": reorg_id,
            "k": kind,
            "u": unit_id,
            "b": json.dumps(before, default=str),
            "a": json.dumps(after, default=str),
        },
    )


def apply(session: Session, reorg_id: int, actor: str, confirm_access_gains: bool = False) -> dict[str, Any]:
    """Apply in the caller's transaction. Idempotent: an applied reorganisation returns its summary."""
    reorg = _reorg(session, reorg_id)
    if reorg["status"] == "applied":
        return {"status": "applied", "already_applied": True, **(reorg["summary"] or {})}
    plan = build_plan(session, reorg_id)
    summary = review(session, plan, reorg["effective_date"])
    if plan.problems:
        raise ReorgError(plan.problems)
    if summary["access_gains"] and not confirm_access_gains:
        raise AccessReviewRequired(summary["access_gains"])
    on = reorg["effective_date"]
    for unit_id, _from, to in plan.moves:
        _move(session, reorg_id, unit_id, to, on, log=True)
    for unit_id in plan.closes:
        before = _units(session, "id = :i", i=unit_id)[0]["valid_to"]
        session.execute(text("UPDATE units SET valid_to = :on WHERE id = :i"), {"on": on, "i": unit_id})
        _step(session, reorg_id, "close", unit_id, {"valid_to": before}, {"valid_to": on})
    for unit_id, name, code in plan.renames:
        _rename(session, reorg_id, unit_id, name, code, log=True)
    record_successions(session, reorg_id)
    session.execute(
        text(
            "UPDATE reorganisations SET status = 'applied', applied_at = now(), applied_by = :a, "
            "summary = CAST(:s AS jsonb) WHERE id = :i"
        ),
        {"a": actor, "s": json.dumps(summary, default=str), "i": reorg_id},
    )
    return {"status": "applied", "already_applied": False, **summary}


def revert(session: Session, reorg_id: int) -> int:
    """Undo an applied reorganisation step by step (newest first); returns the number of steps undone."""
    reorg = _reorg(session, reorg_id)
    if reorg["status"] != "applied":
        raise ReorgError([f"reorganisation {reorg_id} is {reorg['status']}, not applied"])
    steps = session.execute(
        text("SELECT kind, unit_id, before FROM reorg_steps WHERE reorg_id = :r ORDER BY id DESC"),
        {"r": reorg_id},
    ).all()
    for kind, unit_id, before in steps:
        if kind == "move":
            _move(session, reorg_id, unit_id, before["parent_id"], None, log=False)
        elif kind == "close":
            session.execute(
                text("UPDATE units SET valid_to = :v WHERE id = :i"), {"v": before["valid_to"], "i": unit_id}
            )
        else:
            session.execute(
                text("UPDATE units SET name = :n, code = :c WHERE id = :i"),
                {"n": before["name"], "c": before["code"], "i": unit_id},
            )
    forget_successions(session, reorg_id)
    session.execute(text("DELETE FROM hamlet_placements WHERE reorg_id = :r"), {"r": reorg_id})
    session.execute(text("DELETE FROM reorg_steps WHERE reorg_id = :r"), {"r": reorg_id})
    session.execute(
        text(
            "UPDATE reorganisations SET status = 'reverted', reverted_at = now(), summary = NULL "
            "WHERE id = :i"
        ),
        {"i": reorg_id},
    )
    return len(steps)
