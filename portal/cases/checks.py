"""Input checks that collect every problem with its field name, then raise once (422, nothing written)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from infra.clock import VIETNAM, today, utcnow
from infra.errors import FieldError, ValidationFailed
from portal.cases.reference import CODES
from portal.plausible import EARLIEST_RECORD

MAX_TEXT = 10_000
CLOCK_SKEW = timedelta(minutes=5)


class Check:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field, message, code))

    def text(self, field: str, value: Any, required: bool = True, limit: int = MAX_TEXT) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, "is required", "required")
            return None
        if not isinstance(value, str):
            self.fail(field, "must be text")
            return None
        if len(value) > limit:
            self.fail(field, f"must be at most {limit} characters", "too_long")
            return None
        return value.strip()

    def code(self, field: str, kind: str, value: Any) -> str | None:
        if value not in CODES[kind]:
            allowed = ", ".join(sorted(CODES[kind]))
            self.fail(field, f"unknown {kind.replace('_', ' ')} {value!r}; one of: {allowed}", "unknown_code")
            return None
        return str(value)

    def moment(self, field: str, value: datetime | None, not_before: datetime | None = None) -> datetime:
        """A past moment (now when omitted); a time without zone is Vietnam's."""
        if value is None:
            return utcnow()
        if value.tzinfo is None:
            value = value.replace(tzinfo=VIETNAM)
        if value > utcnow() + CLOCK_SKEW:
            self.fail(field, "is in the future", "future")
        elif value.date() < EARLIEST_RECORD:
            self.fail(field, f"is before {EARLIEST_RECORD:%d/%m/%Y}: not a case we keep", "too_early")
            return utcnow()  # a harmless stand-in: nothing is written while an error is pending
        if not_before is not None and value < not_before:
            self.fail(field, f"is before {not_before.astimezone(VIETNAM):%d/%m/%Y %H:%M}", "too_early")
        return value

    def day(
        self, field: str, value: date | None, required: bool = True, not_past: bool = True
    ) -> date | None:
        if value is None:
            if required:
                self.fail(field, "is required", "required")
            return None
        if not_past and value < today():
            self.fail(field, "is in the past", "past")
        if value > today() + timedelta(days=366):
            self.fail(field, "is more than a year ahead", "too_far")
        return value

    def past_day(self, field: str, value: date | None, not_before: date) -> date | None:
        """A day that has come (Vietnam's today at the latest) and is not before ``not_before``."""
        if value is None:
            self.fail(field, "is required", "required")
            return None
        if value > today():
            self.fail(field, "is after today", "future_date")
        elif value < not_before:
            self.fail(field, f"is before {not_before:%d/%m/%Y}, when the case was received", "too_early")
        return value

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
