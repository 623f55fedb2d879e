"""Shapes of the re-checks API's input (msgspec decodes and type-checks; the service checks meaning,
naming each field at fault)."""

from __future__ import annotations

import msgspec


class RecheckIn(msgspec.Struct, forbid_unknown_fields=True):
    """A sample of a commune's or hamlet's records: ``sample_size`` records or ``sample_percent`` of them
    (one of the two), re-checked by the account ``rechecker`` within ``days`` days. ``seed`` left out: a
    random one (stored, so the draw can be repeated). A field's error rate above ``threshold`` percent
    sends the unit a recommendation."""

    unit_id: int
    rechecker: str
    sample_size: int | None = None
    sample_percent: float | None = None
    stratified: bool = True
    seed: int | None = None
    threshold: float = 5.0
    days: int = 14


class FieldResultIn(msgspec.Struct, forbid_unknown_fields=True):
    """One field of a sampled record: as recorded (``match``) or not, with the value observed then."""

    field: str
    match: bool
    observed: str | None = None


class RecordResultIn(msgspec.Struct, forbid_unknown_fields=True):
    fields: list[FieldResultIn]
