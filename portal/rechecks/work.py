"""The re-checker's work: the sampled records under their pseudonyms, each read as a child record is
(audited), and the result per field. Never commits.

Access is delegated and narrow: exactly the sampled records, while the re-check is open and before
``expires_at`` by the database's clock (:func:`portal.rechecks.access.rechecked_child`; row-level
security's ``children_rechecked`` repeats it), read-only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.db import savepoint
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.rechecks.access import rechecked_child
from portal.rechecks.models import FIELDS, Recheck, RecheckField, RecheckRecord
from portal.rechecks.schemas import RecordResultIn
from portal.rechecks.service import db_now, expired, get_recheck
from portal.registry.records import record_columns, record_json
from tenancy.models import Unit

MAX_OBSERVED = 500


def _mine(session: Session, caller: Caller, recheck_id: int, action: str) -> Recheck:
    """A re-check the caller re-checks and may still work on (404 otherwise; 403, audited, once it is
    completed or expired)."""
    recheck = get_recheck(session, caller, recheck_id, action)
    if recheck.rechecker_id != caller.user_id:
        raise NotVisible("re-check not found", resource="recheck", action=action, resource_ids=[recheck_id])
    if recheck.state != "open" or expired(recheck, db_now(session)):
        raise Forbidden(
            "this re-check is completed or has expired: its records are no longer open to you",
            resource="recheck",
            action=action,
            unit_id=recheck.unit_id,
            resource_ids=[recheck_id],
        )
    return recheck


def work_list(session: Session, caller: Caller, recheck: Recheck) -> list[dict[str, Any]]:
    """The re-checker's list: pseudonym, hamlet, checked or not (row-level security: theirs, open only)."""
    rows = session.execute(
        select(RecheckRecord.pseudo, RecheckRecord.checked_at, Unit.name)
        .join(Unit, Unit.id == RecheckRecord.hamlet_id)
        .where(RecheckRecord.recheck_id == recheck.id)
        .order_by(RecheckRecord.seq)
    )
    return [{"pseudo": r.pseudo, "hamlet": r.name, "checked": r.checked_at is not None} for r in rows]


def read_record(session: Session, caller: Caller, recheck_id: int, pseudo: str) -> dict[str, Any]:
    """One sampled record for the re-checker, with what was recorded so far; audited as a child read."""
    recheck = _mine(session, caller, recheck_id, "verify")
    row = session.execute(record_columns(rechecked_child(caller, recheck.id, pseudo))).one_or_none()
    if row is None:
        raise NotVisible("record not found", resource="recheck", action="verify", resource_ids=[pseudo])
    child = record_json(row)
    hamlet = session.get(Unit, child["hamlet_id"])
    assert hamlet is not None
    audit(
        caller.actor,
        "read",
        "child",
        "allowed",
        resource_ids=[child["id"]],
        unit_id=hamlet.id,
        detail={"recheck": recheck.id, "pseudo": pseudo},
    )
    return {
        "pseudo": pseudo,
        "recheck_id": recheck.id,
        "record": {
            "full_name": child["full_name"],
            "date_of_birth": child["date_of_birth"],
            "sex": child["sex"],
            "ethnicity": child["ethnicity"],
            "national_id": child["national_id"],
            "guardians": [f"{g['full_name']} ({g['relationship']})" for g in child["guardians"]],
            "hamlet": hamlet.name,
            "special_groups": [g["code"] for g in child["groups"] if g["until"] is None],
        },
        "results": _results(session, recheck.id, pseudo),
    }


def _results(session: Session, recheck_id: int, pseudo: str) -> list[dict[str, Any]]:
    """What the re-checker recorded for the record so far, in the order of :data:`FIELDS`."""
    rows = session.execute(
        select(RecheckField.field, RecheckField.matches, RecheckField.observed)
        .join(RecheckRecord, RecheckRecord.id == RecheckField.record_id)
        .where(RecheckRecord.recheck_id == recheck_id, RecheckRecord.pseudo == pseudo)
    )
    found = {r.field: {"field": r.field, "match": r.matches, "observed": r.observed} for r in rows}
    return [found[f] for f in FIELDS if f in found]


def _fields(body: RecordResultIn) -> dict[str, dict[str, Any]]:
    errors: list[FieldError] = []
    out: dict[str, dict[str, Any]] = {}
    if not body.fields:
        errors.append(FieldError("fields", "record at least one field", "required"))
    for i, item in enumerate(body.fields):
        where = f"fields[{i}]"
        observed = item.observed.strip() if item.observed else None
        if item.field not in FIELDS:
            errors.append(FieldError(f"{where}.field", f"must be one of {', '.join(FIELDS)}", "unknown"))
        elif item.field in out:
            errors.append(FieldError(f"{where}.field", "is given twice", "duplicate"))
        elif not item.match and not observed:
            errors.append(FieldError(f"{where}.observed", "give the value observed", "required"))
        elif observed and len(observed) > MAX_OBSERVED:
            errors.append(FieldError(f"{where}.observed", f"at most {MAX_OBSERVED} characters", "too_long"))
        else:
            out[item.field] = {"match": item.match, "observed": None if item.match else observed}
    if errors:
        raise ValidationFailed(errors)
    return out


def record_result(
    session: Session, caller: Caller, recheck_id: int, pseudo: str, body: RecordResultIn
) -> dict[str, Any]:
    """Match or mismatch per field for one sampled record (``recheck_record_result`` checks again)."""
    recheck = _mine(session, caller, recheck_id, "verify")
    fields = _fields(body)
    try:
        with savepoint(session):
            payload = bindparam("fields", fields, type_=JSONB)
            session.execute(select(func.recheck_record_result(recheck.id, pseudo, payload)))
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state == "P0002":
            raise NotVisible(
                "record not found", resource="recheck", action="verify", resource_ids=[pseudo]
            ) from exc
        if state == "42501":
            raise Forbidden(
                "this re-check is completed or has expired",
                resource="recheck",
                action="verify",
                unit_id=recheck.unit_id,
                resource_ids=[recheck.id],
            ) from exc
        raise
    audit(
        caller.actor,
        "verify",
        "recheck",
        "allowed",
        resource_ids=[recheck.id],
        unit_id=recheck.unit_id,
        detail={"pseudo": pseudo, "fields": sorted(fields)},
    )
    return {"pseudo": pseudo, "recheck_id": recheck.id, "results": _results(session, recheck.id, pseudo)}
