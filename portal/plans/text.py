"""The plans context's checks of typed text and of days, each problem naming its field."""

from __future__ import annotations

from datetime import date

from infra.clock import today
from infra.errors import FieldError
from portal.registry.text import clean_name


def line(
    field: str, value: str | None, errors: list[FieldError], limit: int, required: bool = False
) -> str | None:
    """One line of text, spaces tidied (None when blank); required and at most ``limit`` characters."""
    cleaned = clean_name(value) if value is not None else None
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif cleaned and len(cleaned) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters", "too_long"))
    return cleaned or None


def free(
    field: str, value: str | None, errors: list[FieldError], limit: int = 4000, required: bool = False
) -> str | None:
    """Free text of several lines, trimmed (None when blank); required and at most ``limit`` characters."""
    cleaned = value.strip() if value is not None else ""
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif len(cleaned) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters", "too_long"))
    return cleaned or None


def day(field: str, value: date, errors: list[FieldError], future: bool = True) -> date:
    """A day from 2000 to the end of next year (``future`` False: not after today)."""
    last = date(today().year + 1, 12, 31) if future else today()
    if value.year < 2000 or value > last:
        code = "date_range" if future else "future_date"
        errors.append(FieldError(field, f"must be a date from 01/01/2000 to {last:%d/%m/%Y}", code))
    return value


def year(field: str, value: int, errors: list[FieldError]) -> int:
    if not 2000 <= value <= today().year + 5:
        errors.append(FieldError(field, f"must be a year from 2000 to {today().year + 5}", "year_range"))
    return value
