"""Shapes of the notification settings and failures answers."""

from __future__ import annotations

from portal.shapes import Out


class NotificationSettingsOut(Out):
    events: dict[str, list[str]]
    defaults: dict[str, list[str]]
    quiet_from: str | None
    quiet_to: str | None
    zalo_user_id: str | None
    urgent_events: list[str]


class DeliveryFailureOut(Out):
    id: int
    kind: str
    channel: str
    username: str
    unit_id: int | None
    address: str
    attempts: int
    last_error: str | None
    created_at: str
