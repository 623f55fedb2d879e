"""One boundary for input: every request's path, query and body meet ``rules`` before any handler.

``install`` is the application's ``on_app_init`` hook: it adds the middleware, the answer to its
refusals (JSON on the API, a page on the web) and the 4xx answers of every operation to the OpenAPI
document.
"""

from __future__ import annotations

from litestar.config.app import AppConfig
from litestar.handlers import HTTPRouteHandler

from portal.boundary.answers import BodyTooLarge, InputRefused, refused
from portal.boundary.middleware import InputBoundary
from portal.boundary.openapi import document_errors


def install(config: AppConfig) -> AppConfig:
    config.middleware = [*config.middleware, InputBoundary()]
    config.exception_handlers = {
        **config.exception_handlers,
        InputRefused: refused,
        BodyTooLarge: refused,
    }
    for handler in config.route_handlers:
        if isinstance(handler, HTTPRouteHandler) and handler.include_in_schema:
            document_errors(handler)
    return config


__all__ = ["BodyTooLarge", "InputRefused", "install"]
