"""Shapes of the child-friendly assessment API (msgspec decodes; the services validate meaning).

Entered values arrive as free JSON so that a wrong value is answered with the exact field at fault
(``values.c7_immunised.numerator``), not a generic decode error.
"""

from __future__ import annotations

from typing import Any

import msgspec


class AssessmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    year: int


class ValuesIn(msgspec.Struct, forbid_unknown_fields=True):
    values: dict[str, Any]
    version: int | None = None


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    version: int | None = None
    comment: str | None = None


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: str
    decision_ref: str | None = None
    comment: str | None = None
    version: int | None = None


class CategoryIn(msgspec.Struct, forbid_unknown_fields=True):
    category: str
    basis: str | None = None
