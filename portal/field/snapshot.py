"""What a collaborator's phone keeps: their hamlet and nothing beyond it.

Only an account whose unit is a hamlet gets one (the offline app is the hamlet collaborator's); the
records come from the registry's access rule (``children_for``) and row-level security, exactly as the
children list. The reading is audited once, naming every record the phone received. The snapshot says
until when the phone may keep it (``wipe_at``: the session's end, or ``field_queue_max_seconds`` after
now, whichever is sooner) and how much it may store; one bigger than that is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import today, utcnow
from infra.errors import Conflict, Forbidden
from infra.settings import get_settings
from portal.audit.service import record as audit
from portal.field.reports import month_sheets
from portal.registry.access import children_for
from portal.registry.models import Child
from portal.registry.records import record_columns, record_json
from portal.registry.reference import ETHNICITIES, stored_codes

HAMLET = "hamlet"
KIND_LISTS = {"group": "groups", "subgroup": "subgroups", "risk": "risks", "support": "supports"}


def field_account(caller: Caller) -> None:
    """The offline app is for an account of one hamlet: anyone else is refused (403)."""
    authorize_action(caller, "field", "sync")
    if caller.unit is None or caller.unit.level != HAMLET:
        raise Forbidden(
            "the offline app keeps one hamlet on a phone: it is for hamlet accounts",
            resource="field",
            action="sync",
        )


def _reference(session: Session) -> dict[str, Any]:
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in KIND_LISTS.values()}
    for ref in stored_codes(session):
        name = KIND_LISTS.get(ref.kind)
        if name is not None:
            lists[name].append(
                {"code": ref.code, "parent": ref.parent_code, "name_vi": ref.name_vi, "name_en": ref.name_en}
            )
    return {**lists, "ethnicities": list(ETHNICITIES)}


def wipe_time(session_ends: datetime | None, now: datetime) -> datetime:
    """When the phone must wipe what it keeps: the session's end or the queue's limit, the sooner."""
    limit = now + timedelta(seconds=get_settings().field_queue_max_seconds)
    return limit if session_ends is None else min(limit, session_ends)


def build_snapshot(
    session: Session, caller: Caller, session_ends: datetime | None, csrf: str
) -> dict[str, Any]:
    field_account(caller)
    assert caller.unit is not None  # field_account refused an account without a hamlet
    hamlet = caller.unit
    rows = session.execute(
        record_columns(children_for(caller))
        .where(Child.status == "active")
        .order_by(Child.sort_name, Child.id)
    ).all()
    children = [record_json(row) for row in rows]
    now = utcnow()
    settings = get_settings()
    out: dict[str, Any] = {
        "user": {"id": caller.user_id, "username": caller.username, "full_name": caller.full_name},
        "hamlet": {"id": hamlet.id, "name": hamlet.name},
        "csrf": csrf,
        "generated_at": now.isoformat(),
        "today": today().isoformat(),
        "wipe_at": wipe_time(session_ends, now).isoformat(),
        "limits": {
            "store_max_bytes": settings.field_store_max_bytes,
            "queue_max_seconds": settings.field_queue_max_seconds,
        },
        "reference": _reference(session),
        "children": children,
        "reports": month_sheets(session, caller, hamlet),
    }
    size = len(msgspec.json.encode(out))
    if size > settings.field_store_max_bytes:
        raise Conflict(
            f"the hamlet's records take {size} bytes, more than the {settings.field_store_max_bytes} a phone "
            "may keep (FIELD_STORE_MAX_BYTES)"
        )
    out["size_bytes"] = size
    if children:
        audit(
            caller.actor,
            "read",
            "child",
            "allowed",
            resource_ids=[c["id"] for c in children],
            unit_id=hamlet.id,
            detail={"field_snapshot": True},
        )
    return out
