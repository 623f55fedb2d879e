"""The human text of the API's error answers in the caller's language (``Accept-Language``; Vietnamese
by default).

The JSON keys, the status codes and the field error codes never change with the language. An English
caller keeps the service's own sentence (it names values, versions and units); a Vietnamese caller gets
the catalogue's message for the error's code (and, for a field error, for the field and its code, as
the pages show it). The audit log always keeps the English sentence.
"""

from __future__ import annotations

from typing import Any

from infra.errors import DomainError
from portal.locale import N_, Msg, language_of, translate
from portal.locale.field_errors import ERRORS, FIELD_ERRORS, form_field

# The error code of each kind of refusal (looked up along the exception's classes, by name, so that
# subclasses declared elsewhere need no import here).
CODE_OF_CLASS = {
    "BodyTooLarge": "body_too_large",
    "FileTooLarge": "file_too_large",
    "UnsupportedType": "unsupported_type",
    "ValidationFailed": "invalid_input",
    "Unauthenticated": "unauthenticated",
    "Forbidden": "forbidden",
    "NotVisible": "not_found",
    "FormNotReady": "form_not_ready",
    "NoSuchForm": "not_found",
    "Conflict": "conflict",
    "TooManyAttempts": "too_many_attempts",
    "StorageDown": "storage_down",
    "Busy": "busy",
    "DomainError": "error",
}
# HTTP errors raised by the framework itself (unknown route, wrong method, malformed body).
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "too_many_attempts",
    500: "internal_error",
    503: "storage_down",
}
MESSAGES: dict[str, Msg] = {
    "error": N_("The request was refused."),
    "bad_request": N_("The request is not valid."),
    "invalid_input": N_("The data sent is not valid: %(fields)s"),
    "malformed": N_("The data sent is not in the expected format."),
    "unauthenticated": N_("You are not logged in, or your session has ended: log in again."),
    "forbidden": N_("You may not do this."),
    "not_found": N_("This page or record was not found."),
    "method_not_allowed": N_("This operation does not accept this method."),
    "conflict": N_("Not done: the record changed or the action no longer applies. Read it again."),
    "form_not_ready": N_("This form cannot be printed yet: the step it records has not been done."),
    "too_many_attempts": N_("Too many failed logins. Try again in %(n)s seconds."),
    "body_too_large": N_("What was sent is too large"),
    "file_too_large": N_("The file is larger than 10 MB."),
    "unsupported_type": N_("Only JPEG, PNG, TIFF or PDF."),
    "storage_down": N_("The document store cannot be reached. Try again later."),
    "busy": N_("The portal is busy. Try again in a moment."),
    "internal_error": N_("Something went wrong. Try again later."),
}


def error_code(exc: DomainError) -> str:
    """The code of a domain refusal: its nearest class with a code."""
    for cls in type(exc).__mro__:
        if cls.__name__ in CODE_OF_CLASS:
            return CODE_OF_CLASS[cls.__name__]
    return "error"


def message_for(code: str, lang: str, field: str | None = None, /, **values: object) -> str:
    """The message of an error ``code`` in ``lang``: a refusal's code (no ``field``), or a field
    error's code (``field`` given: its own message for the code where it has one)."""
    if field is None and code in MESSAGES:
        return translate(lang, MESSAGES[code], **values)
    name = form_field(field or "")
    marked = FIELD_ERRORS.get((name, code)) or ERRORS.get(code) or ERRORS["invalid"]
    return translate(lang, marked)


def caller_language(headers: Any) -> str:
    return language_of(headers.get("accept-language"))


def localised(body: dict[str, Any], code: str, lang: str, **values: object) -> dict[str, Any]:
    """``body`` with its ``detail`` and each ``errors[].message`` in ``lang`` (English: unchanged)."""
    if lang == "en":
        return body
    out = {**body, "detail": message_for(code, lang, **values)}
    if isinstance(body.get("errors"), list):
        out["errors"] = [
            {**e, "message": message_for(str(e.get("code")), lang, str(e.get("field") or ""))}
            if isinstance(e, dict)
            else e
            for e in body["errors"]
        ]
    return out
