"""The registers' field checks (each problem a ``FieldError`` naming the field) and their history rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import FieldError
from portal.plausible import EARLIEST_RECORD
from portal.registers.models import RegisterEvent
from portal.registry.text import clean_name

# Vietnam's mainland and islands (Phú Quốc to the Spratlys), as a box: a point outside is a typing error.
LATITUDE = (Decimal("8.0"), Decimal("23.5"))
LONGITUDE = (Decimal("102.0"), Decimal("118.0"))


def text(
    field: str, value: str | None, errors: list[FieldError], *, required: bool = False, most: int = 300
) -> str | None:
    """The text cleaned (NFC, single spaces; line breaks kept in long texts), or None when blank."""
    if value is None:
        cleaned = ""
    elif most > 300:
        cleaned = "\n".join(clean_name(line) for line in value.strip().splitlines()).strip()
    else:
        cleaned = clean_name(value)
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif len(cleaned) > most:
        errors.append(FieldError(field, f"must be at most {most} characters", "too_long"))
    return cleaned or None


def day(field: str, value: date | None, errors: list[FieldError], *, required: bool = False) -> date | None:
    """A day something happened: from 2000 to today."""
    if value is None:
        if required:
            errors.append(FieldError(field, "is required", "required"))
        return None
    if value < EARLIEST_RECORD:
        errors.append(FieldError(field, f"must not be before {EARLIEST_RECORD:%d/%m/%Y}", "range_start"))
    elif value > today():
        errors.append(FieldError(field, "must not be after today", "future_date"))
    return value


def choice(field: str, value: str | None, allowed: tuple[str, ...], errors: list[FieldError]) -> str | None:
    if value not in allowed:
        errors.append(FieldError(field, f"must be one of {', '.join(allowed)}", "not_listed"))
        return None
    return value


def count(field: str, value: int | None, errors: list[FieldError], most: int = 100_000) -> int | None:
    if value is None:
        return None
    if value < 0:
        errors.append(FieldError(field, "must not be negative", "negative"))
    elif value > most:
        errors.append(FieldError(field, f"must be at most {most}", "too_large"))
    return value


def coordinates(
    latitude: float | None, longitude: float | None, errors: list[FieldError]
) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither, within Vietnam's bounds, kept to six decimals (about 10 cm)."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        errors.append(FieldError(missing, "give both the latitude and the longitude, or neither", "required"))
        return None, None
    lat, lon = Decimal(str(round(latitude, 6))), Decimal(str(round(longitude, 6)))
    bad = False
    if not LATITUDE[0] <= lat <= LATITUDE[1]:
        errors.append(
            FieldError("latitude", f"must be from {LATITUDE[0]} to {LATITUDE[1]} (Vietnam)", "out_of_vietnam")
        )
        bad = True
    if not LONGITUDE[0] <= lon <= LONGITUDE[1]:
        errors.append(
            FieldError(
                "longitude", f"must be from {LONGITUDE[0]} to {LONGITUDE[1]} (Vietnam)", "out_of_vietnam"
            )
        )
        bad = True
    return (None, None) if bad else (lat, lon)


def done_on(flag: bool, field: str, value: date | None, errors: list[FieldError]) -> date | None:
    """The day a sign or a fence was put up: required when there is one, refused when there is none."""
    if not flag:
        if value is not None:
            errors.append(FieldError(field, "leave it empty: there is none", "not_applicable"))
        return None
    if value is None:
        errors.append(FieldError(field, "give the day it was put up", "required"))
        return None
    return day(field, value, errors)


def history(
    session: Session,
    caller: Caller,
    register: str,
    record_id: int,
    unit_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """One row of the register's history (no personal data: the record's own fields and the actor)."""
    session.add(
        RegisterEvent(
            register=register,
            record_id=record_id,
            unit_id=unit_id,
            action=action,
            before=before,
            after=after,
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )
