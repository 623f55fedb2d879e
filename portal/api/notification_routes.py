"""The caller's notification settings, and the failed deliveries in a manager's area."""

from __future__ import annotations

from litestar import get, put
from litestar.params import JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.notifications import preferences
from portal.notifications.preferences import SettingsIn
from portal.notifications.responses import DeliveryFailureOut, NotificationSettingsOut

TAGS = ["notifications"]


@get(
    "/api/v1/me/notifications",
    sync_to_thread=False,
    tags=TAGS,
    summary="My channels per event and quiet hours",
)
def read_settings(caller: CallerDep, db: DbDep) -> NotificationSettingsOut:
    return NotificationSettingsOut.of(preferences.settings_json(db, caller))


@put("/api/v1/me/notifications", sync_to_thread=False, tags=TAGS, summary="Set my channels and quiet hours")
def put_settings(data: JSONBody[SettingsIn], caller: CallerDep, db: DbDep) -> NotificationSettingsOut:
    return NotificationSettingsOut.of(preferences.save_settings(db, caller, data))


@get(
    "/api/v1/notifications/failures",
    sync_to_thread=False,
    tags=TAGS,
    summary="Messages that could not be delivered to accounts in your area (staff managers)",
)
def read_failures(caller: CallerDep, db: DbDep) -> Page[DeliveryFailureOut]:
    return Page.whole([DeliveryFailureOut.of(f) for f in preferences.failures(db, caller)])


ROUTES = [read_settings, put_settings, read_failures]
