"""Importing the commune police's verified list (Project 06): numbers issued or corrected are written to
the children's records, each verification is kept (who verified what and when), each change goes into
the child's history and the audit log.

All or nothing per file: any row that cannot be read, names a record outside the caller's area, or gives
a number that does not fit the record (date of birth, sex, birth province) refuses the whole file (422,
every problem named by row and column), and nothing is written. A number another active record holds is
not an error of the file: that row's outcome is ``conflict`` (recorded, the child unchanged), for the
duplicate work to resolve.

Idempotent: a file is imported once per unit (its sha256); the same file again answers the first import's
results and writes nothing. ``dry_run`` answers the same results without writing anything.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import utcnow
from infra.db import savepoint
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.access import children_for, children_in
from portal.registry.models import Child, ChildHistory
from portal.registry.national_id import blocking, mismatches
from portal.registry.police_models import NationalIdImport, NationalIdVerification
from portal.registry.police_read import Returned, read_returned
from tenancy.models import Unit

MAX_VERIFIED_BY = 200


def _verified_by(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(
            [FieldError("verified_by", "is required: the police officer or unit", "required")]
        )
    if len(text) > MAX_VERIFIED_BY:
        raise ValidationFailed(
            [FieldError("verified_by", f"must be at most {MAX_VERIFIED_BY} characters", "too_long")]
        )
    return text


def _children(session: Session, caller: Caller, unit: Unit, rows: list[Returned]) -> dict[Any, Child]:
    ids = [r.child_id for r in rows]
    found = session.scalars(
        children_for(caller).where(children_in(unit), Child.id.in_(ids)).with_for_update(of=Child)
    )
    return {c.id: c for c in found}


def _check(rows: list[Returned], children: dict[Any, Child]) -> list[FieldError]:
    errors = []
    for r in rows:
        child = children.get(r.child_id)
        if child is None or child.status != "active":
            errors.append(
                FieldError(
                    f"rows[{r.row}].record", "no active child with this record id in your area", "not_found"
                )
            )
        elif r.verified_id is not None:
            for part in blocking(
                mismatches(r.verified_id, child.date_of_birth, child.sex, child.birth_province_code)
            ):
                errors.append(FieldError(f"rows[{r.row}].verified_id", part.message, part.code))
    return errors


def _write_number(session: Session, child: Child, number: str) -> bool:
    """Give ``child`` the verified number; False when another active record holds it (nothing changed)."""
    try:
        with savepoint(session):
            child.national_id = number
            child.updated_at = utcnow()
    except IntegrityError as exc:
        if "uq_children_national_id" in str(exc.orig):
            return False
        raise
    return True


def _apply(session: Session, caller: Caller, r: Returned, child: Child, record: bool) -> dict[str, Any]:
    before = child.national_id
    outcome = "not_found"
    if r.verified_id is not None:
        if before == r.verified_id:
            outcome = "unchanged"
        else:
            outcome = "updated" if _write_number(session, child, r.verified_id) else "conflict"
    if record and outcome == "updated":
        session.add(
            ChildHistory(
                child_id=child.id,
                actor_id=caller.user_id,
                actor_username=caller.username,
                action="verify_id",
                hamlet_id=child.hamlet_id,
                before={"national_id": before},
                after={"national_id": child.national_id},
            )
        )
        audit(
            caller.actor,
            "verify_id",
            "child",
            "allowed",
            resource_ids=[child.id],
            unit_id=child.hamlet_id,
            detail={"result": r.result, "outcome": outcome},
        )
    return {
        "row": r.row,
        "child_id": str(child.id),
        "result": r.result,
        "outcome": outcome,
        "id_before": before,
        "id_after": r.verified_id if outcome != "not_found" else before,
    }


def police_import(
    session: Session,
    caller: Caller,
    unit: Unit,
    content: bytes,
    verified_by: str | None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Import the police's verified XLSX for ``unit`` (all or nothing; idempotent; ``dry_run`` writes
    nothing). The answer lists each filled row's result: updated, unchanged, not_found or conflict."""
    authorize(caller, "child", "police_import", unit)
    by = _verified_by(verified_by)
    digest = hashlib.sha256(content).hexdigest()
    done = session.scalar(
        select(NationalIdImport).where(NationalIdImport.unit_id == unit.id, NationalIdImport.sha256 == digest)
    )
    if done is not None:
        return _audited(
            caller, unit, _answer(session, caller, done.id, done.verified_by, done.rows, dry_run, True)
        )
    rows, errors = read_returned(content)
    children = _children(session, caller, unit, rows)
    errors += _check(rows, children)
    if errors:
        raise ValidationFailed(errors)
    trial = session.begin_nested() if dry_run else None
    results = [_apply(session, caller, r, children[r.child_id], record=not dry_run) for r in rows]
    if trial is not None:
        trial.rollback()
        return _audited(caller, unit, _answer(session, caller, None, by, results, dry_run, False))
    made = NationalIdImport(
        unit_id=unit.id,
        unit_path=unit.path,
        sha256=digest,
        verified_by=by,
        imported_by=caller.user_id,
        rows=results,
    )
    try:
        with savepoint(session):
            session.add(made)
    except IntegrityError as exc:  # the same file, imported by another request this instant
        raise Conflict("this file is being imported by another request: reload to see its results") from exc
    for result, r in zip(results, rows, strict=True):
        session.add(
            NationalIdVerification(
                import_id=made.id,
                child_id=r.child_id,
                unit_path=children[r.child_id].unit_path,
                id_before=result["id_before"],
                id_after=result["id_after"],
                result=r.result,
                outcome=result["outcome"],
                verified_by=by,
                imported_by=caller.user_id,
            )
        )
    session.flush()
    return _audited(caller, unit, _answer(session, caller, made.id, by, results, dry_run, False))


def _audited(caller: Caller, unit: Unit, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer, once its import (or trial, or repeat) is in the audit log with the children named."""
    audit(
        caller.actor,
        "police_import",
        "child",
        "allowed",
        resource_ids=[r["child_id"] for r in answer["rows"]],
        unit_id=unit.id,
        detail={
            "import_id": answer["import_id"],
            "dry_run": answer["dry_run"],
            "already_imported": answer["already_imported"],
            **answer["counts"],
        },
    )
    return answer


def _answer(
    session: Session,
    caller: Caller,
    import_id: int | None,
    verified_by: str,
    results: list[dict[str, Any]],
    dry_run: bool,
    already: bool,
) -> dict[str, Any]:
    ids = [r["child_id"] for r in results]
    rows = session.execute(
        children_for(caller).where(Child.id.in_(ids)).with_only_columns(Child.id, Child.full_name)
    ).tuples()
    names = {child_id: name for child_id, name in rows} if ids else {}
    counts = {k: 0 for k in ("updated", "unchanged", "not_found", "conflict")}
    for r in results:
        counts[r["outcome"]] += 1
    return {
        "import_id": import_id,
        "dry_run": dry_run,
        "already_imported": already,
        "verified_by": verified_by,
        "counts": counts,
        "rows": [{**r, "full_name": names.get(uuid.UUID(r["child_id"]))} for r in results],
    }
