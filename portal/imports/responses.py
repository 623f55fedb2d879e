"""Shapes of the import API (``portal.imports.service.import_json``)."""

from __future__ import annotations

import msgspec

from portal.shapes import Out


class ImportColumnOut(Out):
    index: int
    heading: str
    field: str | None
    how: str


class ImportProblemOut(Out):
    row: int
    column: int | None
    field: str
    code: str
    message: str
    severity: str


class ImportOut(Out):
    id: str
    unit_id: int
    commune_id: int
    filename: str
    format: str
    size_bytes: int
    sha256: str
    status: str
    stage: str | None
    apply_requested: bool
    duplicates: str | None
    rows_total: int | None
    rows_done: int
    finished_at: str | None
    percent: int
    columns: list[ImportColumnOut]
    counts: dict[str, int]
    problems: list[ImportProblemOut]
    errors_ready: bool
    error: str | None
    created_at: str
    checked_at: str | None
    applied_at: str | None


class MappingIn(msgspec.Struct, forbid_unknown_fields=True):
    """File heading -> field (``full_name``, ``date_of_birth``, ... or ``ignore``)."""

    mapping: dict[str, str]


class RecheckIn(msgspec.Struct, forbid_unknown_fields=True):
    mapping: dict[str, str] = {}
    remember: bool = False
    """Also remember this mapping for the commune."""


class ApplyIn(msgspec.Struct, forbid_unknown_fields=True):
    duplicates: str | None = None
    """What to do with suspected duplicates: ``skip`` them or ``import`` them as different children."""


class MappingOut(Out):
    commune_id: int
    mapping: dict[str, str]
    fields: list[str]
