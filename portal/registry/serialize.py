"""Child records as JSON-ready dicts (the API shape, and the snapshots kept in history)."""

from __future__ import annotations

from typing import Any

from portal.registry.models import Child, ChildHistory, ChildPeriod

SCALARS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "hamlet_id",
    "national_id",
    "birth_province_code",
    "birth_registered",
    "household_code",
    "address",
    "school_status",
    "status",
    "notes",
)
LISTS = {"group": "groups", "risk": "at_risk", "support": "supports"}


def _period(p: ChildPeriod) -> dict[str, Any]:
    return {
        "code": p.code,
        "subgroup": p.subgroup,
        "since": p.since.isoformat(),
        "until": p.until.isoformat() if p.until else None,
        "note": p.note,
    }


def snapshot(child: Child) -> dict[str, Any]:
    """Everything a user can change, in JSON types: compared field by field for history."""
    out: dict[str, Any] = {}
    for f in SCALARS:
        v = getattr(child, f)
        out[f] = v.isoformat() if f == "date_of_birth" else v
    for name in LISTS.values():
        out[name] = []
    for p in sorted(child.periods, key=lambda p: (p.kind, p.code, p.since)):
        out[LISTS[p.kind]].append(_period(p))
    out["guardians"] = [
        {
            "full_name": g.full_name,
            "relationship": g.relationship,
            "phone": g.phone,
            "lives_with_child": g.lives_with_child,
        }
        for g in child.guardians
    ]
    return out


def child_json(child: Child) -> dict[str, Any]:
    return {
        "id": str(child.id),
        **snapshot(child),
        "version": child.version,
        "created_at": child.created_at.isoformat(),
        "updated_at": child.updated_at.isoformat(),
    }


def history_json(entry: ChildHistory) -> dict[str, Any]:
    return {
        "id": entry.id,
        "changed_at": entry.changed_at.isoformat(),
        "actor": entry.actor_username,
        "action": entry.action,
        "hamlet_id": entry.hamlet_id,
        "before": entry.before,
        "after": entry.after,
        "changed_fields": sorted(entry.after.keys()),
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
