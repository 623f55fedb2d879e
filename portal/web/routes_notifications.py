"""The account's notification settings page: the channels per event, quiet hours, the Zalo follower id.
The same service as the API (portal.notifications.preferences)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.notifications.models import CHANNELS, EVENTS
from portal.notifications.preferences import SettingsIn, save_settings, settings_json
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other


def _page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "notification_settings.html",
        status_code=status_code,
        s=settings_json(db, caller),
        events=EVENTS,
        channels=CHANNELS,
        errors=field_errors(errors or [], lang_of(request)),
        flash="saved" if request.query_params.get("msg") == "saved" else None,
    )


@get("/settings/notifications", sync_to_thread=False, include_in_schema=False)
def settings_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _page(request, db, caller)


@post("/settings/notifications", sync_to_thread=False, include_in_schema=False)
def settings_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    chosen = {e: [c for c in CHANNELS if data.get(f"{e}__{c}")] for e in EVENTS}
    body = SettingsIn(
        events=chosen,
        quiet_from=str(data.get("quiet_from") or "")[:5] or None,
        quiet_to=str(data.get("quiet_to") or "")[:5] or None,
        zalo_user_id=str(data.get("zalo_user_id") or "")[:100] or None,
    )
    try:
        save_settings(db, caller, body)
    except ValidationFailed as exc:
        db.rollback()
        return _page(request, db, caller, exc.errors, status_code=422)
    return see_other("/settings/notifications?msg=saved")


ROUTES = [settings_page, settings_submit]
