"""Shapes of the re-checks API's answers. A sampler's and the levels' above hold no child id or name:
``RecheckOut``, ``SampleItemOut`` and ``FieldRateOut`` have no field for one. Only ``RecordOut`` (the
re-checker's, while the re-check is open) and ``KeptRecordOut`` (the unit's record keepers') carry a
child's data."""

from __future__ import annotations

import msgspec

from portal.shapes import UnitNameOut


class RecheckOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit: UnitNameOut
    sampler: str
    rechecker: str
    standing: str
    seed: int
    sample_size: int | None
    sample_percent: float | None
    stratified: bool
    drawn: int
    threshold: float
    state: str
    created_at: str
    expires_at: str
    completed_at: str | None
    recommendation_id: int | None


class SampleItemOut(msgspec.Struct, forbid_unknown_fields=True):
    """A sampled record as its pseudonym; ``hamlet`` for the re-checker only (where to find it)."""

    pseudo: str
    checked: bool
    mismatches: int | None = None
    hamlet: str | None = None


class RecheckDetailOut(msgspec.Struct, forbid_unknown_fields=True):
    """``working``: the caller re-checks it now, and ``sample`` is their work list (with hamlets)."""

    recheck: RecheckOut
    working: bool
    sample: list[SampleItemOut]


class FieldResultOut(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    match: bool
    observed: str | None


class RecordFactsOut(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str
    date_of_birth: str
    sex: str
    ethnicity: str
    national_id: str | None
    guardians: list[str]
    hamlet: str
    special_groups: list[str]


class RecordOut(msgspec.Struct, forbid_unknown_fields=True):
    pseudo: str
    recheck_id: int
    record: RecordFactsOut
    results: list[FieldResultOut]


class RecordResultOut(msgspec.Struct, forbid_unknown_fields=True):
    pseudo: str
    recheck_id: int
    results: list[FieldResultOut]


class FieldRateOut(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    checked: int
    mismatches: int
    rate: float
    above: bool


class HamletRateOut(msgspec.Struct, forbid_unknown_fields=True):
    """A hamlet of the sample, all fields together (``records``: sampled records checked there)."""

    unit: UnitNameOut
    records: int
    checked: int
    mismatches: int
    rate: float


class MismatchOut(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    observed: str | None


class KeptRecordOut(msgspec.Struct, forbid_unknown_fields=True):
    pseudo: str
    child_id: str
    full_name: str
    hamlet: str | None
    mismatches: list[MismatchOut]


class RecheckResultsOut(msgspec.Struct, forbid_unknown_fields=True):
    """Error rates per field; ``records`` (named) only for the unit's record keepers once completed."""

    recheck: RecheckOut
    checked: int
    above_threshold: bool
    fields: list[FieldRateOut]
    hamlets: list[HamletRateOut]
    records: list[KeptRecordOut]
