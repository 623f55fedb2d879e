"""The collaborators' offline app: its shell page, service worker and manifest, and its sync endpoints.

``/field/`` is a page like the others (the session cookie, the 403 page for an account that is not a
hamlet's). Its service worker (``/field/sw.js``, scope ``/field/``) is Workbox, served from
``/static/workbox`` (vendored: nothing is loaded from elsewhere, CSP stays 'self'): it precaches the
app's script, styles and icons, and keeps the shell for offline starts (network first). The records live
in the phone's IndexedDB, written by ``/static/field.js`` from ``/field/api/snapshot``; the queued
changes go to ``/field/api/sync``. Both endpoints answer JSON, read the session cookie and want the
page's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
from anyio import to_thread
from litestar import MediaType, Request, Response, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.response import Template

from infra.errors import Forbidden, Unauthenticated
from portal.auth.service import token_expires_at
from portal.boundary.deps import CallerDep, Credential, DbDep
from portal.boundary.messages import MESSAGES, message_for
from portal.field.schemas import SyncBatch, SyncOut
from portal.field.snapshot import build_snapshot, field_account
from portal.field.sync import sync_batch
from portal.registry.reference import RELATIONSHIPS, SCHOOL_STATUSES
from portal.web.csrf_refusal import audit_csrf_refusal
from portal.web.deps import lang_of
from portal.web.i18n import REPORT_STATUS, label
from portal.web.render import page
from portal.web.session import PAGE_HEADERS, csrf_ok, csrf_token, session_token

STATIC = Path(__file__).resolve().parent / "static"
PRECACHED = (
    "field.js",
    "field.css",
    "icons/field-192.png",
    "icons/field-512.png",
    "workbox/workbox-sw.js",
    "workbox/workbox-core.prod.js",
    "workbox/workbox-routing.prod.js",
    "workbox/workbox-strategies.prod.js",
    "workbox/workbox-precaching.prod.js",
)
"""What the service worker keeps for offline starts, each with its hash (a changed one is fetched again)."""
MAX_SYNC_BODY = 2 * 1024 * 1024
API_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
JS_HEADERS = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/field/"}


@get("/field", sync_to_thread=False, include_in_schema=False)
def field_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    try:
        field_account(caller)
    except Forbidden:
        return page(request, "error.html", status_code=403, message_key="field_hamlet_only")
    lang = lang_of(request)
    return page(
        request,
        "field.html",
        options={
            "sexes": [(s, label("sex", s, lang)) for s in ("male", "female")],
            "school_statuses": [(s, label("school", s, lang)) for s in SCHOOL_STATUSES],
            "relationships": [(r, label("relationship", r, lang)) for r in RELATIONSHIPS],
            "report_statuses": {s: label("report_status", s, lang) for s in REPORT_STATUS},
        },
    )


@cache
def _service_worker() -> str:
    entries = [
        {"url": f"/static/{name}", "revision": hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]}
        for name in PRECACHED
    ]
    template = (STATIC / "field-sw.js").read_text()
    return template.replace("self.__PRECACHE__", msgspec.json.encode(entries).decode())


@get("/field/sw.js", sync_to_thread=False, include_in_schema=False)
def service_worker() -> Response[str]:
    """The service worker, with the precache list and revisions filled in (scope ``/field/``)."""
    return Response(_service_worker(), media_type="text/javascript", headers=JS_HEADERS)


@get("/field/manifest.webmanifest", sync_to_thread=False, include_in_schema=False)
def manifest(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    vi = lang_of(request) == "vi"
    return Response(
        {
            "name": "Cổng bảo vệ trẻ em — Cộng tác viên" if vi else "Child protection portal — Collaborators",
            "short_name": "CTV trẻ em" if vi else "Child CTV",
            "lang": "vi" if vi else "en",
            "start_url": "/field/",
            "scope": "/field/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d4f91",
            "icons": [
                {"src": "/static/icons/field-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": "/static/icons/field-512.png", "sizes": "512x512", "type": "image/png"},
            ],
        },
        media_type="application/manifest+json",
    )


def provide_field_credential(request: Request[Any, Any, Any]) -> Credential:
    """The session cookie, refused as JSON (401): the app then wipes what the phone keeps."""
    token = session_token(request)
    if token is None:
        raise Unauthenticated("the session has ended: log in again")
    return Credential(token, Unauthenticated, "the session has ended: log in again")


async def _check_csrf(request: Request[Any, Any, Any]) -> Response[Any] | None:
    if await csrf_ok(request):
        return None
    await to_thread.run_sync(audit_csrf_refusal, request)
    return Response(
        {
            "status_code": 403,
            "detail": "the page's token is wrong: reload the app",
            "code": "csrf",
        },
        status_code=403,
        media_type=MediaType.JSON,
    )


@get("/snapshot", sync_to_thread=False)
def snapshot(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    token = session_token(request)
    ends = token_expires_at(db, token) if token else None
    return build_snapshot(db, caller, ends, csrf_token(request))


def _localised(outcomes: SyncOut, lang: str) -> SyncOut:
    if lang == "en":
        return outcomes
    for out in outcomes.outcomes:
        for error in out.errors or []:
            field, code = error.get("field", ""), error.get("code", "invalid")
            error["message"] = (
                message_for(code, lang)
                if field == "change" and code in MESSAGES
                else message_for(code, lang, field)
            )
    return outcomes


@post("/sync", sync_to_thread=False, status_code=200, request_max_body_size=MAX_SYNC_BODY)
def sync(request: Request[Any, Any, Any], data: JSONBody[SyncBatch], caller: CallerDep, db: DbDep) -> SyncOut:
    return _localised(SyncOut(outcomes=sync_batch(db, caller, data)), lang_of(request))


api = Router(
    path="/field/api",
    route_handlers=[snapshot, sync],
    dependencies={"credential": Provide(provide_field_credential, sync_to_thread=False)},
    before_request=_check_csrf,
    response_headers=[ResponseHeader(name=k, value=v) for k, v in API_HEADERS.items()],
    include_in_schema=False,
)

ROUTES = [field_page, service_worker, manifest]
