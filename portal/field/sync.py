"""Apply a phone's batch of queued changes: each exactly once, none silently over another's work.

For each change, in the order the phone queued them:

1. Its id is looked up under the account (``field_changes``). Seen before: its stored outcome is answered
   again (``replayed``) and nothing is applied. A concurrent request with the same change waits on the
   primary key until the first commits, then finds it.
2. Otherwise the change is applied in a savepoint by the registry's or the reports' own service (the same
   rules, history and audit as the pages): a child added, a child's fields changed from the version the
   phone read, the month's report cells saved as a draft.
3. A change made against an older version is not applied: its outcome is ``conflict`` with the server's
   version, for the collaborator to choose. A refusal (``rejected``) names the fields; a child who may
   already be recorded (``duplicate``) comes back with the suspects; a personal number held elsewhere
   opens a transfer request (``transfer``), as on the pages.

The outcome row holds no personal data (ids, version, error codes). A refusal that is a denial is audited.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, DomainError, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.field.models import KINDS, FieldChange
from portal.field.reports import save_draft, sheet_of
from portal.field.schemas import (
    Change,
    ChangeOutcome,
    ChildCreateChange,
    ChildUpdateChange,
    ReportValuesChange,
    SyncBatch,
    decode_change,
)
from portal.field.snapshot import field_account
from portal.registry import service as registry
from portal.registry.models import Child
from portal.registry.serialize import child_json

MAX_ID = 40
_AT = re.compile(r"- at `([^`]*)`$")


def sync_batch(session: Session, caller: Caller, batch: SyncBatch) -> list[ChangeOutcome]:
    field_account(caller)
    outcomes = [_one(session, caller, batch.device_id, raw) for raw in batch.changes]
    session.flush()  # the outcomes are written before the answer leaves
    return outcomes


def _change_id(raw: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw.get("change_id", ""))[:MAX_ID])
    except ValueError:
        return None


def _kind(raw: dict[str, Any]) -> str:
    kind = raw.get("kind")
    return kind if isinstance(kind, str) and kind in KINDS else "unknown"


def _one(session: Session, caller: Caller, device_id: uuid.UUID, raw: dict[str, Any]) -> ChangeOutcome:
    change_id = _change_id(raw)
    kind = _kind(raw)
    if change_id is None or kind == "unknown":
        # Nothing to key the outcome on: refused as is, not remembered (a phone's bug, not a user's input).
        field = "change_id" if change_id is None else "kind"
        return ChangeOutcome(
            change_id=str(raw.get("change_id", ""))[:MAX_ID],
            kind=kind,
            outcome="rejected",
            errors=[FieldError(field, "is missing or not valid", "invalid").as_dict()],
        )
    seen = session.get(FieldChange, (caller.user_id, change_id))
    if seen is not None:
        return _replay(session, caller, seen)
    row = FieldChange(
        user_id=caller.user_id, change_id=change_id, device_id=device_id, kind=kind, outcome="applied"
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        seen = session.get(FieldChange, (caller.user_id, change_id), populate_existing=True)
        if seen is None:  # the other request rolled back: this one may apply it after all
            raise
        return _replay(session, caller, seen)
    record = raw.get("record")
    if kind == "child_create" and isinstance(record, dict) and caller.unit is not None:
        record.setdefault("hamlet_id", caller.unit.id)  # the phone keeps one hamlet: the account's
    try:
        change = decode_change(raw)
    except msgspec.ValidationError as exc:
        return _finish(row, "rejected", errors=[_shape_error(exc)])
    # Set before the savepoint: a rolled-back savepoint expires what was changed inside it.
    row.entity_id = str(change.child_id) if isinstance(change, ChildUpdateChange) else None
    return _apply(session, caller, row, change)


def _shape_error(exc: msgspec.ValidationError) -> FieldError:
    """A change of the wrong shape, named by its field: "Expected `int`, got `str` - at `$.record.sex`"."""
    message = str(exc)
    found = _AT.search(message)
    path = found.group(1) if found else ""
    field = (
        path.split(".", 2)[-1]
        if path.startswith(("$.record.", "$.fields."))
        else path.lstrip("$.") or "change"
    )
    return FieldError(field, message[:300], "invalid")


def _apply(session: Session, caller: Caller, row: FieldChange, change: Change) -> ChangeOutcome:
    try:
        with session.begin_nested():
            if isinstance(change, ChildCreateChange):
                made = registry.register_child(session, caller, change.record)
                if not isinstance(made, Child):
                    row.entity_id = str(made.id)
                    return _finish(row, "transfer", detail={"move_id": str(made.id)})
                row.entity_id = str(made.id)
                return _finish(row, "applied", version=made.version, record=child_json(made))
            if isinstance(change, ChildUpdateChange):
                change.fields.version = change.base_version
                child = registry.update_child(session, caller, change.child_id, change.fields)
                return _finish(row, "applied", version=child.version, record=child_json(child))
            return _report(session, caller, row, change)
    except ValidationFailed as exc:
        return _finish(row, "rejected", errors=exc.errors)
    except Conflict as exc:
        return _conflict(session, caller, row, exc)
    except DomainError as exc:
        _audit_refusal(caller, row, exc)
        return _finish(
            row,
            "rejected",
            errors=[FieldError("change", exc.message, exc.status_code == 404 and "not_found" or "forbidden")],
        )


def _report(session: Session, caller: Caller, row: FieldChange, change: ReportValuesChange) -> ChangeOutcome:
    report = save_draft(session, caller, change.period, change.base_version, change.values)
    row.entity_id = str(report.id)
    return _finish(row, "applied", version=report.version, record=sheet_of(session, caller, change.period))


def _conflict(session: Session, caller: Caller, row: FieldChange, exc: Conflict) -> ChangeOutcome:
    suspects = exc.extra.get("suspects")
    if isinstance(suspects, list):
        return _finish(
            row, "duplicate", detail={"suspects": [str(s["id"]) for s in suspects]}, suspects=suspects
        )
    given = exc.extra.get("current")
    current = given if isinstance(given, dict) else _current(session, caller, row)
    if current is None:
        return _finish(row, "rejected", errors=[FieldError("change", exc.message, "conflict")])
    return _finish(row, "conflict", version=current.get("version"), current=current)


def _current(session: Session, caller: Caller, row: FieldChange) -> dict[str, Any] | None:
    """The server's version of what the change was about (None: it is gone or was never there)."""
    if row.kind == "report_values":
        return sheet_of(session, caller, None, report_id=int(row.entity_id) if row.entity_id else None)
    if row.entity_id is None or row.kind == "child_create":
        return None
    try:
        return registry.read_child_record(session, caller, uuid.UUID(row.entity_id))
    except DomainError:
        return None


def _replay(session: Session, caller: Caller, seen: FieldChange) -> ChangeOutcome:
    out = ChangeOutcome(
        change_id=str(seen.change_id),
        kind=seen.kind,
        outcome=seen.outcome,
        replayed=True,
        entity_id=seen.entity_id,
        version=seen.version,
    )
    if seen.outcome in ("applied", "conflict"):
        current = _current(session, caller, seen)
        if seen.outcome == "applied":
            out.record = current
        else:
            out.current = current
    elif seen.outcome == "rejected":
        out.errors = seen.detail.get("errors")
    elif seen.outcome == "duplicate":
        out.suspects = [{"id": s} for s in seen.detail.get("suspects", [])]
    return out


def _finish(
    row: FieldChange,
    outcome: str,
    *,
    version: int | None = None,
    errors: list[FieldError] | None = None,
    detail: dict[str, Any] | None = None,
    record: dict[str, Any] | None = None,
    current: dict[str, Any] | None = None,
    suspects: list[dict[str, Any]] | None = None,
) -> ChangeOutcome:
    """Write the outcome on the change's row (no personal data) and answer it."""
    row.outcome, row.version = outcome, version
    stored = dict(detail or {})
    if errors:
        stored["errors"] = [e.as_dict() for e in errors]
    row.detail = stored
    return ChangeOutcome(
        change_id=str(row.change_id),
        kind=row.kind,
        outcome=outcome,
        entity_id=row.entity_id,
        version=version,
        record=record,
        current=current,
        errors=stored.get("errors"),
        suspects=suspects,
    )


def _audit_refusal(caller: Caller, row: FieldChange, exc: DomainError) -> None:
    if not exc.audit_outcome:
        return
    ctx = dict(exc.context)
    audit(
        caller.actor,
        str(ctx.pop("action", row.kind)),
        str(ctx.pop("resource", "field")),
        exc.audit_outcome,
        resource_ids=list(ctx.pop("resource_ids", None) or []),  # type: ignore[call-overload]
        unit_id=caller.unit.id if caller.unit else None,
        status_code=exc.status_code,
        detail={"reason": exc.message, "field_change": str(row.change_id)},
    )
