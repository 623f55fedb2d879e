"""create_app(): the one place the Litestar application is assembled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Litestar, MediaType, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from sqlalchemy import text

import portal.models  # noqa: F401 - every mapper configured before the first request
from infra.db import app_engine
from infra.errors import DomainError
from infra.logs import install_log_filter
from infra.sizing import machine_sizing
from portal.api import (
    addressee_routes,
    audit_routes,
    auth_routes,
    briefing_routes,
    calendar_routes,
    case_crossing_routes,
    case_form_routes,
    case_routes,
    child_routes,
    childfriendly_routes,
    duplicate_routes,
    exchange_routes,
    export_routes,
    import_routes,
    inspection_routes,
    move_routes,
    notification_routes,
    plan_routes,
    quality_routes,
    recheck_routes,
    reference_routes,
    register_routes,
    reorg_routes,
    report_check_routes,
    report_routes,
    staff_routes,
    unit_routes,
)
from portal.api.errors import http_error_handler, internal_error_handler, validation_handler
from portal.boundary import install as input_boundary
from portal.boundary.admission import Admission
from portal.boundary.deps import (
    close_unfinished,
    finish_unit_of_work,
    provide_caller,
    provide_credential,
    provide_db,
)
from portal.boundary.errors import domain_error_handler
from portal.web import ROUTES as WEB_ROUTES
from portal.web import TEMPLATE_CONFIG as WEB_TEMPLATES
from portal.web.errors import domain_error as page_domain_error
from portal.web.errors import http_error as page_error
from portal.web.errors import internal_error as page_internal_error

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


@get("/health", sync_to_thread=False, tags=["ops"])
def health() -> Response[dict[str, str]]:
    try:
        with app_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        return Response(
            {"status": "unavailable", "database": type(exc).__name__},
            status_code=503,
            media_type=MediaType.JSON,
        )
    return Response({"status": "ok", "database": "ok"}, media_type=MediaType.JSON)


def check_app_role() -> None:
    """Refuse to serve as a database role that would bypass row-level security."""
    with app_engine().connect() as conn:
        bypass = conn.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar()
        owns = conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE tablename = 'children' AND tableowner = current_user")
        ).scalar()
    if bypass or owns:
        raise RuntimeError(
            "DATABASE_URL connects as a role that bypasses row-level security "
            "(superuser, BYPASSRLS or table owner): use the application role"
        )


API_PREFIXES = ("/api/", "/schema", "/health", "/static/", "/field/api/")


def _by_path(api: Handler, pages: Handler) -> Handler:
    """An error no router handled (a path no route answers, a method a path does not take, a failure
    before any handler ran): JSON for the API, the portal's own page (its title, in the reader's language,
    never a stack trace) for anything a browser asks."""

    def answer(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return (api if request.url.path.startswith(API_PREFIXES) else pages)(request, exc)

    return answer


not_found = _by_path(http_error_handler, page_error)


def create_app(check_role: bool = True) -> Litestar:
    logging.basicConfig(level=logging.INFO)
    install_log_filter()
    sizing = machine_sizing()
    return Litestar(
        route_handlers=[
            health,
            reference_routes.read_reference,
            auth_routes.login,
            auth_routes.logout,
            auth_routes.me,
            unit_routes.read_unit,
            unit_routes.read_sub_units,
            unit_routes.read_unit_children,
            unit_routes.read_unit_stats,
            child_routes.post_child,
            child_routes.read_child,
            child_routes.patch_child,
            child_routes.read_child_history,
            *move_routes.ROUTES,
            *notification_routes.ROUTES,
            *recheck_routes.ROUTES,
            *quality_routes.ROUTES,
            *duplicate_routes.ROUTES,
            *case_routes.ROUTES,
            *calendar_routes.ROUTES,
            *case_crossing_routes.ROUTES,
            *case_form_routes.ROUTES,
            export_routes.post_export,
            export_routes.read_export,
            export_routes.post_export_retry,
            export_routes.read_export_download,
            *import_routes.ROUTES,
            reorg_routes.list_reorganisations,
            reorg_routes.dry_run,
            reorg_routes.apply,
            reorg_routes.revert,
            *report_routes.ROUTES,
            *exchange_routes.ROUTES,
            *report_check_routes.ROUTES,
            *inspection_routes.ROUTES,
            *staff_routes.ROUTES,
            *briefing_routes.ROUTES,
            *audit_routes.ROUTES,
            *register_routes.ROUTES,
            *childfriendly_routes.ROUTES,
            *plan_routes.ROUTES,
            *addressee_routes.ROUTES,
            *WEB_ROUTES,
        ],
        dependencies={
            "credential": Provide(provide_credential, sync_to_thread=False),
            "db": Provide(provide_db),
            "caller": Provide(provide_caller, sync_to_thread=False),
        },
        exception_handlers={
            DomainError: _by_path(domain_error_handler, page_domain_error),
            ValidationException: validation_handler,
            NotFoundException: not_found,
            HTTPException: _by_path(http_error_handler, page_error),
            Exception: _by_path(internal_error_handler, page_internal_error),
        },
        openapi_config=OpenAPIConfig(
            title="Child protection and care portal", version="1.0.0", path="/schema"
        ),
        template_config=WEB_TEMPLATES,
        before_send=[finish_unit_of_work],
        after_response=close_unfinished,
        on_startup=[check_app_role] if check_role else [],
        middleware=[Admission(sizing.inflight, sizing.queue, sizing.queue_wait)],
        on_app_init=[input_boundary],
    )
