"""The server-rendered web portal (Vietnamese by default, English available).

``ROUTES`` goes into the application's route handlers and ``TEMPLATE_CONFIG`` into its template
config (portal/app.py). Every page runs under the same caller and scoped session as the API; the
pages' own layer adds the session cookie, CSRF checks and the security headers (portal.web.session).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anyio import to_thread
from litestar import Request, Response, Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from portal.web import (
    routes_auth,
    routes_cases,
    routes_children,
    routes_dashboard,
    routes_duplicates,
    routes_moves,
    routes_quality,
    routes_rechecks,
    routes_tasks,
    routes_ward,
)
from portal.web.csrf_refusal import audit_csrf_refusal
from portal.web.deps import provide_web_credential
from portal.web.errors import EXCEPTION_HANDLERS, INPUT_HANDLERS, PageFailsafe
from portal.web.render import TEMPLATE_CONFIG, page
from portal.web.report_checks import ROUTES as REPORT_CHECK_ROUTES
from portal.web.routes_addressees import ROUTES as ADDRESSEE_ROUTES
from portal.web.routes_admin import ROUTES as ADMIN_ROUTES
from portal.web.routes_admin_audit import ROUTES as ADMIN_AUDIT_ROUTES
from portal.web.routes_audit import ROUTES as AUDIT_ROUTES
from portal.web.routes_briefing_minutes import ROUTES as BRIEFING_MINUTES_ROUTES
from portal.web.routes_briefings import ROUTES as BRIEFING_ROUTES
from portal.web.routes_calendar import ROUTES as CALENDAR_ROUTES
from portal.web.routes_campaigns import ROUTES as CAMPAIGN_ROUTES
from portal.web.routes_childfriendly import ROUTES as CHILD_FRIENDLY_ROUTES
from portal.web.routes_committees import ROUTES as COMMITTEE_ROUTES
from portal.web.routes_exchange import ROUTES as EXCHANGE_ROUTES
from portal.web.routes_facilities import ROUTES as FACILITY_ROUTES
from portal.web.routes_field import ROUTES as FIELD_ROUTES
from portal.web.routes_field import api as field_api
from portal.web.routes_hamlets import ROUTES as HAMLET_ROUTES
from portal.web.routes_imports import ROUTES as IMPORT_ROUTES
from portal.web.routes_inspection_plan import ROUTES as INSPECTION_PLAN_ROUTES
from portal.web.routes_intake import ROUTES as INTAKE_ROUTES
from portal.web.routes_notifications import ROUTES as NOTIFICATION_ROUTES
from portal.web.routes_password import ROUTES as PASSWORD_ROUTES
from portal.web.routes_plan_activities import ROUTES as PLAN_ACTIVITY_ROUTES
from portal.web.routes_plans import ROUTES as PLAN_ROUTES
from portal.web.routes_referrals import ROUTES as REFERRAL_ROUTES
from portal.web.routes_reorg import ROUTES as REORG_ROUTES
from portal.web.routes_report_documents import ROUTES as REPORT_DOCUMENT_ROUTES
from portal.web.routes_report_list import ROUTES as REPORT_LIST_ROUTES
from portal.web.routes_report_month import ROUTES as REPORT_MONTH_ROUTES
from portal.web.routes_report_rates import ROUTES as REPORT_RATE_ROUTES
from portal.web.routes_report_targets import ROUTES as REPORT_TARGET_ROUTES
from portal.web.routes_reports import ROUTES as REPORT_ROUTES
from portal.web.routes_staff import ROUTES as STAFF_ROUTES
from portal.web.routes_staff_account import ROUTES as ACCOUNT_ROUTES
from portal.web.routes_training_attendance import ROUTES as TRAINING_ATTENDANCE_ROUTES
from portal.web.routes_trainings import ROUTES as TRAINING_ROUTES
from portal.web.routes_water_points import ROUTES as WATER_POINT_ROUTES
from portal.web.session import PAGE_HEADERS, csrf_ok

STATIC = Path(__file__).resolve().parent / "static"


async def _check_csrf(request: Request[Any, Any, Any]) -> Response[Any] | None:
    if await csrf_ok(request):
        return None
    await to_thread.run_sync(audit_csrf_refusal, request)
    return page(request, "error.html", status_code=403, message_key="csrf")


pages = Router(
    path="/",
    route_handlers=[
        *routes_auth.ROUTES,
        *routes_children.ROUTES,
        *routes_moves.ROUTES,
        *routes_rechecks.ROUTES,
        *routes_duplicates.ROUTES,
        *routes_ward.ROUTES,
        *routes_quality.ROUTES,
        *routes_dashboard.ROUTES,
        *routes_tasks.ROUTES,
        *routes_cases.all_routes(),
        *REPORT_ROUTES,
        *REPORT_MONTH_ROUTES,
        *REPORT_RATE_ROUTES,
        *REPORT_LIST_ROUTES,
        *REPORT_DOCUMENT_ROUTES,
        *REPORT_TARGET_ROUTES,
        *REPORT_CHECK_ROUTES,
        *STAFF_ROUTES,
        *ACCOUNT_ROUTES,
        *HAMLET_ROUTES,
        *TRAINING_ATTENDANCE_ROUTES,
        *TRAINING_ROUTES,
        *CHILD_FRIENDLY_ROUTES,
        *EXCHANGE_ROUTES,
        *AUDIT_ROUTES,
        *REFERRAL_ROUTES,
        *INTAKE_ROUTES,
        *NOTIFICATION_ROUTES,
        *PASSWORD_ROUTES,
        *IMPORT_ROUTES,
        *FIELD_ROUTES,
        *ADMIN_ROUTES,
        *ADMIN_AUDIT_ROUTES,
        *REORG_ROUTES,
        *CALENDAR_ROUTES,
        *INSPECTION_PLAN_ROUTES,
        *BRIEFING_ROUTES,
        *BRIEFING_MINUTES_ROUTES,
        *WATER_POINT_ROUTES,
        *FACILITY_ROUTES,
        *PLAN_ACTIVITY_ROUTES,
        *PLAN_ROUTES,
        *COMMITTEE_ROUTES,
        *ADDRESSEE_ROUTES,
        *CAMPAIGN_ROUTES,
    ],
    # The application's "db" (portal.boundary.deps.provide_db) checks this credential: the API's session.
    dependencies={"credential": Provide(provide_web_credential, sync_to_thread=False)},
    before_request=_check_csrf,
    exception_handlers=EXCEPTION_HANDLERS,
    middleware=[PageFailsafe()],
    response_headers=[ResponseHeader(name=k, value=v) for k, v in PAGE_HEADERS.items()],
    include_in_schema=False,
)

static_files = create_static_files_router(
    path="/static",
    directories=[STATIC],
    name="static",
    include_in_schema=False,
    cache_control=None,
    exception_handlers=INPUT_HANDLERS,
)

ROUTES = [pages, field_api, static_files]

__all__ = ["ROUTES", "TEMPLATE_CONFIG"]
