"""An account's own notification settings: the channels per event, quiet hours, the Zalo follower id;
and, for the managers who must fix an address, the deliveries that failed in their area."""

from __future__ import annotations

from datetime import time
from typing import Any

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.notifications.events import DEFAULT_CHANNELS
from portal.notifications.models import CHANNELS, EVENTS, NotificationPreference, NotificationSetting

ZALO_ID_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
FAILURE_COLUMNS = (
    "id", "kind", "channel", "username", "unit_id", "address", "attempts", "last_error", "created_at",
)  # fmt: skip


class SettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    """``events``: event -> channels (an empty list turns the event off; a missing event keeps its
    default). Quiet hours are Vietnam time, both or neither; emergencies are never held."""

    events: dict[str, list[str]] = msgspec.field(default_factory=dict)
    quiet_from: str | None = None  # "HH:MM"
    quiet_to: str | None = None
    zalo_user_id: str | None = None


def _clock(errors: list[FieldError], field: str, value: str | None) -> time | None:
    if value is None or not value.strip():
        return None
    try:
        hour, minute = (int(part) for part in value.strip().split(":"))
        return time(hour, minute)
    except ValueError:
        errors.append(FieldError(field, "a time of day as HH:MM (Vietnam time)", "malformed"))
        return None


def settings_json(session: Session, caller: Caller) -> dict[str, Any]:
    own = session.get(NotificationSetting, caller.user_id)
    chosen = {
        p.event: list(p.channels)
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == caller.user_id)
        )
    }
    return {
        "events": {e: chosen.get(e, list(DEFAULT_CHANNELS[e])) for e in EVENTS},
        "defaults": {e: list(DEFAULT_CHANNELS[e]) for e in EVENTS},
        "quiet_from": own.quiet_from.strftime("%H:%M") if own and own.quiet_from else None,
        "quiet_to": own.quiet_to.strftime("%H:%M") if own and own.quiet_to else None,
        "zalo_user_id": own.zalo_user_id if own else None,
        "urgent_events": ["emergency"],
    }


def save_settings(session: Session, caller: Caller, data: SettingsIn) -> dict[str, Any]:
    errors: list[FieldError] = []
    for event, channels in data.events.items():
        if event not in EVENTS:
            errors.append(
                FieldError(
                    f"events.{event}"[:80], f"unknown event; one of {', '.join(EVENTS)}", "unknown_code"
                )
            )
        elif len(channels) > len(CHANNELS) or not set(channels) <= set(CHANNELS):
            errors.append(
                FieldError(f"events.{event}", f"channels among {', '.join(CHANNELS)}", "unknown_code")
            )
    quiet_from, quiet_to = (
        _clock(errors, "quiet_from", data.quiet_from),
        _clock(errors, "quiet_to", data.quiet_to),
    )
    unreadable = any(e.field in ("quiet_from", "quiet_to") for e in errors)
    if not unreadable and (quiet_from is None) != (quiet_to is None):
        errors.append(FieldError("quiet_to", "give both ends of the quiet hours, or neither", "required"))
    zalo = (data.zalo_user_id or "").strip() or None
    if zalo is not None and (len(zalo) > 64 or not set(zalo) <= ZALO_ID_CHARS):
        errors.append(FieldError("zalo_user_id", "not a Zalo follower id", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    own = session.get(NotificationSetting, caller.user_id)
    if own is None:
        own = NotificationSetting(user_id=caller.user_id)
        session.add(own)
    own.quiet_from, own.quiet_to, own.zalo_user_id = quiet_from, quiet_to, zalo
    session.execute(
        delete(NotificationPreference).where(
            NotificationPreference.user_id == caller.user_id,
            NotificationPreference.event.in_(list(data.events)),
        )
    )
    for event, channels in data.events.items():
        session.add(
            NotificationPreference(user_id=caller.user_id, event=event, channels=sorted(set(channels)))
        )
    session.flush()
    audit(caller.actor, "update", "notification_settings", "allowed", resource_ids=[caller.user_id])
    return settings_json(session, caller)


def failures(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """Failed deliveries to accounts in the caller's area (masked addresses): to fix or re-send."""
    authorize_action(caller, "staff", "list")
    fn = func.notification_failures().table_valued(*FAILURE_COLUMNS)
    return [{**r._mapping, "created_at": r.created_at.isoformat()} for r in session.execute(select(fn))]
