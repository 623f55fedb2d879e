"""Drawing a sample and reading re-checks as their sampler, re-checker or the unit's staff. Never commits.

The sample is drawn by the database (``recheck_open``, migration 0029), which checks the caller again
and reads the records the sampler may not: the sampler gets back pseudonyms and counts only
(``recheck_progress``). Which re-checks a caller sees is :mod:`portal.rechecks.access`; row-level
security repeats it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.db import savepoint
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.rechecks.access import in_area, keeps_records_of, may_name, may_sample, rechecks_for
from portal.rechecks.models import Recheck
from portal.rechecks.schemas import RecheckIn
from portal.stats.disclosure import K
from tenancy.models import Unit

MAX_SIZE = 1000
MAX_DAYS = 90
RECHECKERS = ("district_officer", "provincial_inspector")


def _checked(session: Session, caller: Caller, body: RecheckIn) -> tuple[Unit, User]:
    """The unit and the re-checker, or the refusals naming each field (403 for a unit outside the area)."""
    errors: list[FieldError] = []
    unit = session.get(Unit, body.unit_id)
    if unit is None:
        raise ValidationFailed([FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown")])
    if not may_sample(caller, unit):
        raise Forbidden(
            f"unit {unit.id} ({unit.name}) is outside your area",
            resource="recheck",
            action="draw",
            unit_id=unit.id,
        )
    if unit.level not in ("commune", "hamlet"):
        errors.append(FieldError("unit_id", "must be a commune or a hamlet", "not_sampled_level"))
    elif unit.valid_to is not None:
        errors.append(FieldError("unit_id", "is not in force", "closed"))
    if (body.sample_size is None) == (body.sample_percent is None):
        errors.append(FieldError("sample_size", "give sample_size or sample_percent, not both", "required"))
    elif body.sample_size is not None and not 1 <= body.sample_size <= MAX_SIZE:
        errors.append(FieldError("sample_size", f"must be from 1 to {MAX_SIZE}", "out_of_range"))
    elif body.sample_percent is not None and not 0 < body.sample_percent <= 100:
        errors.append(FieldError("sample_percent", "must be above 0 and at most 100", "out_of_range"))
    if not 0 <= body.threshold <= 100:
        errors.append(FieldError("threshold", "must be from 0 to 100", "out_of_range"))
    if not 1 <= body.days <= MAX_DAYS:
        errors.append(FieldError("days", f"must be from 1 to {MAX_DAYS}", "out_of_range"))
    if body.seed is not None and not 0 <= body.seed < 2**31:
        errors.append(FieldError("seed", "must be from 0 to 2147483647", "out_of_range"))
    checker = session.scalars(select(User).where(User.username == body.rechecker)).one_or_none()
    checker_unit = session.get(Unit, checker.unit_id) if checker and checker.unit_id else None
    if checker is None:
        errors.append(FieldError("rechecker", f"no account {body.rechecker!r}", "unknown"))
    elif not checker.is_active or checker.role not in RECHECKERS or checker_unit is None:
        errors.append(
            FieldError("rechecker", "must be an active district or provincial officer", "not_officer")
        )
    elif caller.unit is None or not may_name(caller.unit, checker_unit):
        errors.append(FieldError("rechecker", "must work at your unit or below it", "out_of_unit"))
    if errors:
        raise ValidationFailed(errors)
    assert checker is not None
    return unit, checker


def open_recheck(session: Session, caller: Caller, body: RecheckIn) -> Recheck:
    """Draw a sample of a commune's or hamlet's records and name its re-checker (Decision 3978/QĐ-BYT)."""
    authorize_action(caller, "recheck", "draw")
    unit, checker = _checked(session, caller, body)
    seed = body.seed if body.seed is not None else secrets.randbelow(2**31)
    percent = Decimal(str(body.sample_percent)) if body.sample_percent is not None else None
    call = func.recheck_open(
        unit.id,
        checker.id,
        body.sample_size,
        percent,
        body.stratified,
        seed,
        Decimal(str(body.threshold)),
        body.days,
    )
    try:
        with savepoint(session):
            recheck_id = session.execute(select(call)).scalar_one()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "P0002":
            raise
        raise ValidationFailed(
            [FieldError("unit_id", f"has too few records to sample (fewer than {K})", "no_records")]
        ) from exc
    recheck = session.get(Recheck, recheck_id)
    assert recheck is not None
    audit(
        caller.actor,
        "draw",
        "recheck",
        "allowed",
        resource_ids=[recheck.id],
        unit_id=unit.id,
        detail={"rechecker": checker.username, "drawn": recheck.drawn, "seed": seed},
    )
    return recheck


def standing(session: Session, caller: Caller, recheck: Recheck) -> str:
    """How the caller takes part: ``sampler``, ``rechecker``, ``keeper`` (the unit's record keeper) or
    ``area`` (a level above that keeps no records)."""
    if recheck.sampler_id == caller.user_id:
        return "sampler"
    if recheck.rechecker_id == caller.user_id:
        return "rechecker"
    unit = session.get(Unit, recheck.unit_id)
    assert unit is not None
    if keeps_records_of(caller, unit):
        return "keeper"
    return "area" if in_area(caller, unit) else "none"


def get_recheck(session: Session, caller: Caller, recheck_id: int, action: str = "read") -> Recheck:
    """A re-check the caller sees, or 404."""
    authorize_action(caller, "recheck", action)
    recheck = session.scalars(rechecks_for(caller).where(Recheck.id == recheck_id)).one_or_none()
    if recheck is None:
        raise NotVisible("re-check not found", resource="recheck", action=action, resource_ids=[recheck_id])
    return recheck


def expired(recheck: Recheck, now: datetime) -> bool:
    return recheck.state == "open" and recheck.expires_at <= now


def summary_json(session: Session, caller: Caller, recheck: Recheck, now: datetime) -> dict[str, Any]:
    """A re-check as every reader may see it: no child, no name, counts and pseudonyms only."""
    unit = session.get(Unit, recheck.unit_id)
    sampler = session.get(User, recheck.sampler_id)
    checker = session.get(User, recheck.rechecker_id)
    assert unit is not None and sampler is not None and checker is not None
    return {
        "id": recheck.id,
        "unit": unit.name_ref(),
        "sampler": sampler.username,
        "rechecker": checker.username,
        "standing": standing(session, caller, recheck),
        "seed": recheck.seed,
        "sample_size": recheck.sample_size,
        "sample_percent": float(recheck.sample_percent) if recheck.sample_percent is not None else None,
        "stratified": recheck.stratified,
        "drawn": recheck.drawn,
        "threshold": float(recheck.threshold),
        "state": "expired" if expired(recheck, now) else recheck.state,
        "created_at": recheck.created_at.isoformat(),
        "expires_at": recheck.expires_at.isoformat(),
        "completed_at": recheck.completed_at.isoformat() if recheck.completed_at else None,
        "recommendation_id": recheck.recommendation_id,
    }


def progress(session: Session, recheck: Recheck) -> list[dict[str, Any]]:
    """The sample as pseudonyms: checked or not, and how many fields disagreed (``recheck_progress``)."""
    rows = session.execute(
        select(func.recheck_progress(recheck.id).table_valued("seq", "pseudo", "checked", "mismatches"))
    )
    return [{"pseudo": r.pseudo, "checked": r.checked, "mismatches": r.mismatches} for r in rows]


def list_rechecks(session: Session, caller: Caller, now: datetime) -> list[dict[str, Any]]:
    """The re-checks the caller sees, newest first."""
    authorize_action(caller, "recheck", "read")
    stmt = rechecks_for(caller).order_by(Recheck.created_at.desc(), Recheck.id.desc()).limit(500)
    return [summary_json(session, caller, r, now) for r in session.scalars(stmt)]


def db_now(session: Session) -> datetime:
    """The database's clock (the one row-level security compares expiry with)."""
    now: datetime = session.execute(select(func.now())).scalar_one()
    return now
