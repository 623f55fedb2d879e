"""Writing the audit log.

Entries are written on their own connection and committed at once, so a refusal is recorded
even though the request's own transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert

from authz.caller import Actor
from infra.db import app_engine
from portal.audit.models import AuditEntry

ANONYMOUS = Actor(None, None, None)


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
    with app_engine().begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                user_id=actor.user_id,
                username=actor.username,
                role=actor.role,
                action=action,
                resource=resource,
                resource_ids=[str(r) for r in resource_ids] or None,
                unit_id=unit_id,
                outcome=outcome,
                status_code=status_code,
                detail=detail,
                client=client,
            )
        )
