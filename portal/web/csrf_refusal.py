"""A request refused for its CSRF token or Origin is audited, whoever refuses it (pages, the offline app)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from portal.audit.service import ANONYMOUS, record
from portal.auth.client_address import client_address
from portal.web.deps import web_caller
from portal.web.session import same_origin


def audit_csrf_refusal(request: Request[Any, Any, Any]) -> None:
    """Write the refusal: who (the session's user, if the cookie is live), where, and why."""
    caller = web_caller(request)
    record(
        caller.actor if caller else ANONYMOUS,
        request.method.lower(),
        "csrf",
        "denied",
        unit_id=caller.unit.id if caller and caller.unit else None,
        status_code=403,
        detail={
            "path": request.url.path,
            "method": request.method,
            "reason": "token" if same_origin(request) else "origin",
        },
        client=client_address(request),
    )
