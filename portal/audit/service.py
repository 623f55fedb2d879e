"""Writing the audit log.

In a request, an entry is written in the same message as the request's COMMIT
(``infra.unit_of_work``): no round trip of its own. When the request rolls back (a refusal, a
failed write), its entries are written in a transaction of their own, so a refusal is recorded
although nothing else of the request is. Outside a request (workers, scripts) an entry is written
at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb

from authz.caller import Actor
from infra.db import literal
from infra.unit_of_work import write_last, write_now
from portal.audit.models import AuditEntry

ANONYMOUS = Actor(None, None, None)

_COLUMNS = (
    "user_id",
    "username",
    "role",
    "action",
    "resource",
    "resource_ids",
    "unit_id",
    "outcome",
    "status_code",
    "detail",
    "client",
)
_INSERT = f"INSERT INTO {AuditEntry.__tablename__} ({', '.join(_COLUMNS)}) VALUES "


def record(
    actor: Actor,
    action: str,
    resource: str,
    outcome: str,
    *,
    resource_ids: Sequence[object] = (),
    unit_id: int | None = None,
    status_code: int | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
) -> None:
    """Append one entry (who, what, when, unit, outcome)."""
    values = (
        actor.user_id,
        actor.username,
        actor.role,
        action,
        resource,
        [str(r) for r in resource_ids] or None,
        unit_id,
        outcome,
        status_code,
        Jsonb(detail) if detail is not None else None,
        client,
    )
    statement = _INSERT + "(" + ", ".join(literal(v) for v in values) + ")"
    if not write_last(statement):
        write_now([statement])
