"""Names of the case vocabularies in the reader's language, and service field names as form inputs."""

from __future__ import annotations

import re

from infra.errors import FieldError
from portal.cases.reference import (
    CASE_TYPES,
    CHANNELS,
    CLOSURE_REASONS,
    PROTECTION_MEASURES,
    RISK_LEVELS,
    STATUSES,
    STEPS,
)
from portal.web.i18n import field_errors

_TABLES = {
    "case_type": CASE_TYPES,
    "channel": CHANNELS,
    "reason": CLOSURE_REASONS,
    "measure": PROTECTION_MEASURES,
    "risk": RISK_LEVELS,
    "status": STATUSES,
    "step": STEPS,
}
_INDEXED = re.compile(r"\[(\d+)\]\.?")


def case_names(lang: str) -> dict[str, dict[str, str]]:
    """``names.status["received"]`` -> "Đã tiếp nhận" (or "Received")."""
    return {k: {c: (en if lang == "en" else vi) for c, vi, en in rows} for k, rows in _TABLES.items()}


def options(lang: str, table: str) -> list[tuple[str, str]]:
    return [(c, en if lang == "en" else vi) for c, vi, en in _TABLES[table]]


def input_name(service_field: str) -> str:
    """``new_child.full_name`` -> ``new_child_full_name``; ``actions[0].owner`` -> ``actions_0_owner``."""
    return _INDEXED.sub(r"_\1_", service_field).replace(".", "_")


def form_errors(errors: list[FieldError], lang: str) -> dict[str, str]:
    return field_errors([FieldError(input_name(e.field), e.message, e.code, e.params) for e in errors], lang)
