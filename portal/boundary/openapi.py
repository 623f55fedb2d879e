"""The 4xx answers of every operation, described once with the error body, for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

DEPENDENCIES = frozenset({"caller", "db", "request", "state", "scope"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class FieldProblem:
    field: str
    message: str
    code: str


@dataclass
class ErrorBody:
    """Every refusal: the status again, what was wrong and, for input, each field at fault."""

    status_code: int
    detail: str
    errors: list[FieldProblem] | None = None


_WHY = {
    400: "Malformed input: not JSON, a wrong type, an unknown field, a value that cannot be read",
    401: "No bearer token, or an expired, revoked or invalid one",
    403: "The caller's role or unit may not do this",
    404: "No such record, or one outside the caller's area (never told apart); an id beyond 64 bits",
    409: "The record changed since it was read (version), or the action does not fit its state",
    413: "The request body is larger than the operation accepts",
    422: "Input that breaks a rule (control or bidirectional characters, ranges, sizes, meaning)",
    429: "Too many attempts: wait for Retry-After seconds",
}


def _codes(handler: HTTPRouteHandler) -> set[int]:
    params = handler.parsed_fn_signature.parameters
    codes = {400, 422}  # every operation's path and query pass the input boundary
    if "caller" in params or "db" in params:
        codes |= {401, 403, 404}
    if "{" in "".join(handler.paths):
        codes.add(404)
    if handler.http_methods & WRITES:
        codes |= {409, 413}
    if any(path.startswith("/api/v1/auth/") for path in handler.paths):
        codes.add(429)
    return codes


def document_errors(handler: HTTPRouteHandler) -> None:
    """Add the error answers the handler can give to its own ``responses`` (the handler's own win)."""
    given: dict[int, Any] = dict(handler.responses or {})
    for code in sorted(_codes(handler)):
        given.setdefault(code, ResponseSpec(data_container=ErrorBody, description=_WHY[code]))
    handler.responses = given
