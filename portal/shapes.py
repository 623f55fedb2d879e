"""Response shapes shared by several contexts, and the base of every response struct.

A response struct is built from the serialiser's dict with ``Out.of(value)``: the struct refuses a key it
does not declare (``forbid_unknown_fields``), so an answer cannot silently lose a field, and the JSON
keeps the serialiser's key order (fields are declared in that order) and its nulls.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

OutT = TypeVar("OutT", bound="Out")


class Out(msgspec.Struct, forbid_unknown_fields=True):
    """Base of the API's response structs."""

    @classmethod
    def of(cls: type[OutT], value: Any) -> OutT:
        """``value`` (a dict of JSON types, as the serialisers give) checked into this shape."""
        return msgspec.convert(value, cls)


class UnitRefOut(Out):
    """A unit as other answers name it (``tenancy.models.Unit.ref``)."""

    id: int
    code: str | None
    name: str
    level: str
    path: str


class UnitNameOut(Out):
    """A unit without its path (the audit summary's)."""

    id: int
    code: str | None
    name: str
    level: str


class DisclosureOut(Out):
    """How published aggregates are protected (``portal.stats.service.DISCLOSURE``)."""

    method: str
    hidden_below: int


Shown = int | str
"""A published count: a number, or "<5" for a small cell."""
