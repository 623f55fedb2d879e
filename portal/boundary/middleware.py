"""The ASGI middleware that applies ``portal.boundary.rules`` to every request before its handler.

It runs after routing (so it knows the route's body size limit and parsed path) and before the
handler, its dependencies and the pages' CSRF check. Path ids too large for a bigint answer 404; every
other problem answers 422 naming each field (``InputRefused``). A body over the route's limit is read
to its end and thrown away, so the client gets the 413 answer instead of a reset connection.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from litestar._multipart import parse_content_header, parse_multipart_form
from litestar.datastructures import UploadFile
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from infra.errors import FieldError
from portal.boundary.answers import BodyTooLarge, InputRefused
from portal.boundary.rules import BIGINT, json_errors, parameter_errors, text_errors

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DRAIN_LIMIT = 64 * 1024 * 1024
"""How much of an oversize body is read and thrown away before the connection is simply closed."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _shown(name: str) -> str:
    """A parameter's name as it can be quoted in an answer (escaped if it holds control characters)."""
    return name.encode("unicode_escape").decode("ascii") if text_errors("name", name, dates=False) else name


def path_errors(scope: Scope) -> None:
    """An id too large for any row is not found; text in the path follows the text rules."""
    errors: list[FieldError] = []
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, int) and not BIGINT[0] <= value <= BIGINT[1]:
            raise NotFoundException(f"no record has {name} {value}")
        if isinstance(value, str):
            errors.extend(text_errors(name, value))
    if errors:
        raise InputRefused(errors)


def pairs_errors(pairs: list[tuple[str, str]]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, value in pairs:
        if text_errors("name", name, dates=False):
            errors.append(FieldError(_shown(name), "is not an accepted name", "malformed"))
        else:
            errors.extend(parameter_errors(name, value))
    return errors


async def _drain(receive: Receive) -> None:
    drained = 0
    while drained <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        drained += len(message.get("body", b""))


async def read_body(scope: Scope, receive: Receive) -> bytes:
    """The whole body, or ``BodyTooLarge`` after draining it when it exceeds the route's limit."""
    resolve = getattr(scope["route_handler"], "resolve_request_max_body_size", None)
    limit = (resolve() if resolve else None) or 2**62  # a route without a limit: none in practice
    announced = (_header(scope, b"content-length") or "").strip()
    if announced.isascii() and announced.isdigit() and (len(announced) > 18 or int(announced) > limit):
        await _drain(receive)
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            if message.get("more_body", False):
                await _drain(receive)
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that hands the already-read body to the handler, then waits as the original."""
    sent = False

    async def again() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def multipart_errors(body: bytes, boundary: str) -> list[FieldError]:
    async def stream() -> Any:
        yield body

    try:
        form = await parse_multipart_form(stream(), boundary.encode("latin-1"))
    except UnicodeError:
        raise ClientException("Invalid multipart/form-data: a text part is not UTF-8") from None
    except ClientException:
        raise
    errors: list[FieldError] = []
    for name, values in form.items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, UploadFile):
                errors.extend(text_errors(f"{_shown(name)}.filename", value.filename or "", dates=False))
                await value.close()
            else:
                errors.extend(pairs_errors([(name, str(value))]))
    return errors


def _json_int(digits: str) -> int:
    """A JSON integer; one of very many digits stands for "beyond any range" (no costly conversion)."""
    return int(digits) if len(digits) <= 30 else 10**30


async def body_errors(scope: Scope, body: bytes) -> list[FieldError]:
    media, options = parse_content_header(_header(scope, b"content-type") or "")
    if media == "application/json" or media.endswith("+json"):
        try:
            document = json.loads(body, parse_int=_json_int)
        except (ValueError, RecursionError):
            return []  # malformed JSON: the route's own decoding answers 400
        return list(json_errors(document))
    if media == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="surrogateescape")
        return pairs_errors(parse_qsl(text, keep_blank_values=True, errors="surrogateescape"))
    if media == "multipart/form-data" and options.get("boundary"):
        return await multipart_errors(body, options["boundary"])
    return []


class InputBoundary(ASGIMiddleware):
    """Checks path, query and body of every HTTP request against ``portal.boundary.rules``."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path_errors(scope)
        query = scope.get("query_string", b"").decode("utf-8", errors="surrogateescape")
        errors = pairs_errors(parse_qsl(query, keep_blank_values=True, errors="surrogateescape"))
        if scope["type"] == ScopeType.HTTP and scope["method"] in BODY_METHODS:
            body = await read_body(scope, receive)
            errors.extend(await body_errors(scope, body))
            receive = replay(body, receive)
        if errors:
            raise InputRefused(errors)
        await next_app(scope, receive, send)
