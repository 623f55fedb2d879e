"""The import's worker job: the dry run, then (when asked) the apply, with progress in the import's row.

The dry run reads the stored file and checks every row under the requester's scope, keeps the counts,
the first problems and the errors workbook. The apply checks the rows again inside its own transaction
(the registry may have changed since) and writes them all, the import's audit entry and its new state
in that one transaction, or nothing: a row that now fails, or a row key or personal id taken
meanwhile, leaves the import checked with the reason. Progress is written in short transactions of its
own beside it. An advisory lock keeps a second worker off an import being applied.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from authz.caller import Caller
from infra import unit_of_work
from infra.clock import utcnow
from infra.db import new_session, scoped_session
from infra.errors import DomainError
from infra.storage import get_storage
from portal.audit.service import record as audit
from portal.imports.check import Outcome, Progress, check_import
from portal.imports.models import RegisterImport
from portal.imports.workbooks import XLSX, errors_workbook
from portal.imports.write import write_rows
from tenancy.scope import Scope

PROGRESS_SECONDS = 0.5


def _progress(scope: Scope, import_id: uuid.UUID) -> Progress:
    last = [0.0]

    def report(done: int, total: int, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS and done < total:
            return
        last[0] = now
        with scoped_session(scope) as session:
            imp = session.get(RegisterImport, import_id)
            if imp is not None:
                imp.rows_done, imp.rows_total, imp.stage = done, total, stage

    return report


def _fail(scope: Scope, import_id: uuid.UUID, status: str, reason: str) -> None:
    with scoped_session(scope) as session:
        imp = session.get(RegisterImport, import_id)
        if imp is not None:
            imp.status, imp.error, imp.stage, imp.finished_at = status, reason[:500], None, utcnow()


def _claim(scope: Scope, import_id: uuid.UUID) -> str | None:
    """The phase to run (``check`` or ``apply``), marked as started; None when there is nothing to do. An
    upload without a dry run goes straight to the apply (which checks every row in its transaction)."""
    with scoped_session(scope) as session:
        imp = session.get(RegisterImport, import_id, with_for_update=True)
        if imp is None:
            return None
        if imp.status in ("queued", "checking"):
            imp.status, imp.stage = ("applying", "queued") if imp.apply_requested else ("checking", "reading")
            imp.attempts += 1
            return "apply" if imp.apply_requested else "check"
        if imp.status == "applying":
            imp.attempts += 1
            return "apply"
        return None


def _record(scope: Scope, import_id: uuid.UUID, outcome: Outcome, error: str | None = None) -> str:
    """Keep a check's results on the import (counts, first problems, the errors workbook): checked."""
    errors_key = f"imports/{import_id}/errors.xlsx"
    get_storage().put(errors_key, errors_workbook(outcome), XLSX)
    with scoped_session(scope) as session:
        imp = session.get(RegisterImport, import_id, with_for_update=True)
        assert imp is not None
        _results(imp, outcome, errors_key)
        imp.status, imp.error, imp.finished_at = "checked", error, utcnow()
    return "checked"


def _results(imp: RegisterImport, outcome: Outcome, errors_key: str) -> None:
    imp.columns = [c.as_json() for c in outcome.columns]
    imp.counts, imp.problems, imp.errors_key = outcome.counts(), outcome.summary(), errors_key
    imp.rows_total = imp.rows_done = len(outcome.rows)
    imp.checked_at, imp.stage = utcnow(), None


def run_check(caller: Caller, import_id: uuid.UUID) -> str:
    """The dry run: every row checked, nothing written."""
    with scoped_session(caller.scope) as session:
        imp = session.get(RegisterImport, import_id)
        assert imp is not None
        outcome = check_import(session, caller, imp, _progress(caller.scope, import_id))
    return _record(caller.scope, import_id, outcome)


def _blocked(counts: dict[str, int], duplicates: str | None) -> str | None:
    if counts["errors"]:
        return f"not applied: {counts['errors']} rows have errors"
    if counts["suspected"] and duplicates is None:
        return f"not applied: {counts['suspected']} rows are suspected duplicates: skip or import them"
    return None


def run_apply(caller: Caller, import_id: uuid.UUID) -> str:
    """Check every row again inside one transaction and write them all, or nothing."""
    scope = caller.scope
    progress = _progress(scope, import_id)
    outcome: Outcome | None = None
    with unit_of_work.open_request():
        session = new_session(scope, caller.user_id)
        unit_of_work.attach(session)
        try:
            key = func.hashtextextended(str(import_id), 0)
            locked = session.scalar(select(func.pg_try_advisory_xact_lock(key)))
            imp = session.get(RegisterImport, import_id)
            if not locked or imp is None or imp.status != "applying":
                unit_of_work.finish(session, commit=False)
                return "busy" if not locked else "not applying"
            outcome = check_import(session, caller, imp, progress)
            counts = outcome.counts()
            reason = _blocked(counts, imp.duplicates)
            if reason:
                unit_of_work.finish(session, commit=False)
                return _record(scope, import_id, outcome, reason)
            ids = write_rows(session, caller, import_id, outcome.to_write(imp.duplicates), progress)
            counts |= {"added": len(ids), "skipped": counts["rows"] - len(ids) - counts["errors"]}
            errors_key = f"imports/{import_id}/errors.xlsx"
            get_storage().put(errors_key, errors_workbook(outcome), XLSX)
            session.refresh(
                imp
            )  # the progress written beside this transaction, so the end is written over it
            _results(imp, outcome, errors_key)
            imp.status, imp.counts, imp.error = "applied", counts, None
            imp.applied_at = imp.finished_at = utcnow()
            audit(
                caller.actor,
                "import",
                "child",
                "allowed",
                resource_ids=[imp.id],
                unit_id=imp.unit_id,
                detail={"import": str(imp.id), "sha256": imp.sha256, **counts},
            )
            unit_of_work.finish(session, commit=True)
        except IntegrityError:
            unit_of_work.finish(session, commit=False)
            reason = "not applied: some rows were recorded meanwhile; check the file again"
            return (
                _record(scope, import_id, outcome, reason)
                if outcome
                else _not_applied(scope, import_id, reason)
            )
        except DomainError as exc:
            unit_of_work.finish(session, commit=False)
            return _not_applied(scope, import_id, f"not applied: {exc.message}")
        except BaseException:
            unit_of_work.finish(session, commit=False)
            raise
    return "applied"


def _not_applied(scope: Scope, import_id: uuid.UUID, reason: str) -> str:
    with scoped_session(scope) as session:
        imp = session.get(RegisterImport, import_id, with_for_update=True)
        assert imp is not None
        imp.status = "checked" if imp.counts is not None else "failed"
        imp.error, imp.stage, imp.finished_at = reason[:500], None, utcnow()
        return imp.status


def run(caller: Caller, import_id: uuid.UUID) -> str:
    """Run what the import is waiting for (its dry run, or its apply)."""
    phase = _claim(caller.scope, import_id)
    if phase is None:
        return "nothing to do"
    try:
        return run_check(caller, import_id) if phase == "check" else run_apply(caller, import_id)
    except DomainError as exc:  # the file, once read in full, breaks a bound; storage down
        _fail(caller.scope, import_id, "failed", exc.message if not hasattr(exc, "errors") else _errors(exc))
        return "failed"


def _errors(exc: DomainError) -> str:
    return "; ".join(f"{e.field} {e.message}" for e in getattr(exc, "errors", []))
