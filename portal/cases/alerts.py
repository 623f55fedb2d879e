"""A user's own alerts (row-level security shows each recipient only theirs)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import utcnow
from infra.errors import NotVisible
from portal.cases.models import CaseAlert

MAX_ALERTS = 200


def my_alerts(session: Session, caller: Caller, unread: bool = False) -> list[CaseAlert]:
    authorize_action(caller, "alert", "read")
    stmt = select(CaseAlert).where(CaseAlert.recipient_id == caller.user_id)
    if unread:
        stmt = stmt.where(CaseAlert.read_at.is_(None))
    return list(
        session.scalars(stmt.order_by(CaseAlert.created_at.desc(), CaseAlert.level.desc()).limit(MAX_ALERTS))
    )


def mark_read(session: Session, caller: Caller, alert_id: uuid.UUID) -> CaseAlert:
    authorize_action(caller, "alert", "read")
    alert = session.scalars(
        select(CaseAlert).where(CaseAlert.id == alert_id, CaseAlert.recipient_id == caller.user_id)
    ).one_or_none()
    if alert is None:
        raise NotVisible("alert not found", resource="alert", action="read", resource_ids=[str(alert_id)])
    if alert.read_at is None:
        alert.read_at = utcnow()
    return alert
