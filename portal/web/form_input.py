"""Posted form fields into the services' request structs (``portal.<context>.schemas``).

``read_form`` looks at the struct's fields, reads each from the form by name (a ``prefix`` for rows
such as ``actions_0_``), converts it with ``msgspec.convert`` to the field's type and collects every
problem as a ``FieldError`` naming the field, so the page can show all of them at once in the reader's
language (``portal.web.i18n.field_errors``). What the services check (meaning: codes, ranges, dates in
the past) stays theirs: a form only finds format problems.

Days and moments are read as the pages write them, ``dd/mm/yyyy`` and ``dd/mm/yyyy hh:mm`` (Vietnam's
time), in ``form_value`` (by ``portal.web.typed_dates``, which refuses every other shape with the
reading of what was typed): msgspec itself reads only ISO 8601 text into ``date``/``datetime`` and
never calls a ``dec_hook`` for them, so the text is turned into the value here and msgspec checks the
rest. Pages that read a lone day outside a struct use ``day_input``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import msgspec

from infra.errors import FieldError
from portal.web.typed_dates import BadDay, read_day, read_moment

S = TypeVar("S", bound=msgspec.Struct)


def _plain(kind: Any) -> set[Any]:
    """The types a field admits, ``None`` and ``UNSET`` left out (``date | None`` -> {date})."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return {t for t in typing.get_args(kind) if t not in (type(None), msgspec.UnsetType)}
    return {kind}


def form_value(kind: Any, text: str) -> Any:
    """The form's text as a value of ``kind``: ``dd/mm/yyyy`` days, ``dd/mm/yyyy hh:mm`` moments (the
    one place the pages' formats are read; ``BadDay`` otherwise); anything else is left to
    ``msgspec.convert``."""
    admitted = _plain(kind)
    if datetime in admitted:
        return read_moment(text)
    if date in admitted:
        return read_day(text)
    return text


def day_input(field: str, text: str, errors: list[FieldError]) -> date | None:
    """A lone ``dd/mm/yyyy`` input (a filter, a deadline): its day, or None when blank or not a day (then
    the problem is added to ``errors``, named ``field``)."""
    if not text.strip():
        return None
    try:
        return read_day(text)
    except BadDay as exc:
        errors.append(FieldError(field, exc.message, exc.code, exc.params))
        return None


def read_form(
    form: Mapping[str, Any],
    kind: type[S],
    errors: list[FieldError],
    prefix: str = "",
    *,
    inputs: Iterable[str] | None = None,
    given: Mapping[str, Any] | None = None,
    field_prefix: str | None = None,
) -> S | None:
    """The struct ``kind`` from the form's fields ``prefix + name``, or None with ``errors`` added.

    ``inputs``: the struct's fields the page has inputs for (default: all); the others take their
    defaults. A blank input takes the struct's default (``None`` for optional fields); a blank required
    one is "required". A ``bool`` field is a checkbox: true when sent. ``given`` supplies fields that
    are not single inputs (a list of rows, say). Errors name ``field_prefix + name`` (default: the
    input's name).
    """
    named = prefix if field_prefix is None else field_prefix
    values: dict[str, Any] = dict(given or {})
    shown = None if inputs is None else set(inputs)
    found: list[FieldError] = []
    for field in msgspec.structs.fields(kind):
        name = field.encode_name
        if name in values or (shown is not None and name not in shown):
            continue
        raw = form.get(prefix + name)
        text = "" if raw is None else str(raw).strip()
        if _plain(field.type) == {bool}:
            values[name] = bool(text)
            continue
        if not text:
            if field.required:
                found.append(FieldError(named + name, "is required", "required"))
            continue
        try:
            values[name] = msgspec.convert(form_value(field.type, text), field.type, strict=False)
        except BadDay as exc:
            found.append(FieldError(named + name, exc.message, exc.code, exc.params))
        except msgspec.ValidationError:
            found.append(FieldError(named + name, "is not a valid value", "invalid"))
    errors.extend(found)
    if found:
        return None
    return msgspec.convert(values, kind, strict=False)
