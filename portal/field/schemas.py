"""Shapes of the offline app's sync: a batch of queued changes in, an outcome per change out.

A batch is bounded here (at most ``MAX_CHANGES`` changes); each change is decoded on its own
(``decode_change``), so one change a phone got wrong is refused by itself and the rest still apply.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from portal.registry.schemas import ChildCreate, ChildPatch

MAX_CHANGES = 100


class ChildCreateChange(msgspec.Struct, tag="child_create", tag_field="kind", forbid_unknown_fields=True):
    change_id: uuid.UUID
    record: ChildCreate


class ChildUpdateChange(msgspec.Struct, tag="child_update", tag_field="kind", forbid_unknown_fields=True):
    change_id: uuid.UUID
    child_id: uuid.UUID
    base_version: int
    fields: ChildPatch
    """Only the fields changed on the phone; ``fields.version`` is ignored (``base_version`` rules)."""


class ReportValuesChange(msgspec.Struct, tag="report_values", tag_field="kind", forbid_unknown_fields=True):
    change_id: uuid.UUID
    period: Annotated[str, msgspec.Meta(max_length=16)]
    base_version: int | None
    values: dict[str, dict[str, int]]


Change = ChildCreateChange | ChildUpdateChange | ReportValuesChange


class SyncBatch(msgspec.Struct, forbid_unknown_fields=True):
    device_id: uuid.UUID
    changes: Annotated[list[dict[str, Any]], msgspec.Meta(max_length=MAX_CHANGES)]


class ChangeOutcome(msgspec.Struct, omit_defaults=True):
    change_id: str
    kind: str
    outcome: str
    """applied | conflict (``current`` is the server's version) | rejected (``errors``) |
    duplicate (``suspects``: records that may be the same child) | transfer (the number is held
    elsewhere: a transfer request was opened instead)."""
    replayed: bool = False
    """The server had seen this change before: nothing was applied again."""
    entity_id: str | None = None
    version: int | None = None
    record: dict[str, Any] | None = None
    """The record as stored after the change (applied)."""
    current: dict[str, Any] | None = None
    """The server's version of the record (conflict)."""
    errors: list[dict[str, str]] | None = None
    suspects: list[dict[str, Any]] | None = None


class SyncOut(msgspec.Struct):
    outcomes: list[ChangeOutcome]


def decode_change(raw: dict[str, Any]) -> Change:
    """One change of a batch, type-checked (msgspec.ValidationError names the path of a bad field)."""
    change: Change = msgspec.convert(raw, Change)
    return change
